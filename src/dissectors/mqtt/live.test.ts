/**
 * Real traffic: the `mqtt` client (protocol levels 4 and 5) against
 * Mosquitto on 127.0.0.1:1883, recorded with tcpdump on `lo`, read back
 * through the pipeline and compared with what each client itself published
 * and received. `PODTAP_UPDATE_FIXTURES=1` also stores the capture and the
 * clients' record in fixtures/mqtt/ (read by fixture.test.ts).
 */
import { strict as assert } from 'node:assert';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connectAsync } from 'mqtt';
import { startCapture } from '../../lab/record.js';
import { liveSkipReason } from '../../lab/live-server.js';
import { checkAgainstTruth, MQTT_PORT, readMqttCapture, truthPayload, type MqttClientTruth, type TruthMessage } from './truth.js';


const skip = await liveSkipReason('Mosquitto', MQTT_PORT);

async function drive(version: 4 | 5): Promise<MqttClientTruth> {
  const clientId = `podtap-v${version}-${process.pid}`;
  const base = `podtap/${clientId}`;
  const truth: MqttClientTruth = { clientId, version, subscribed: `${base}/#`, published: [], received: [] };
  const client = await connectAsync(`mqtt://127.0.0.1:${MQTT_PORT}`, { clientId, protocolVersion: version, clean: true, reconnectPeriod: 0 });
  const payloads = [Buffer.from('hello'), Buffer.from('{"temp":21.5}'), Buffer.from([0, 1, 2, 0xfe, 0xff]), Buffer.alloc(100_000, 'p'), Buffer.from('')];
  const total = payloads.length * 3;
  const done = new Promise<void>((resolve) => {
    client.on('message', (topic, payload, packet) => {
      truth.received.push({ topic, qos: packet.qos, retain: packet.retain, payload: truthPayload(payload) });
      if (truth.received.length === total) resolve();
    });
  });
  await client.subscribeAsync(truth.subscribed, { qos: 2 });
  for (const qos of [0, 1, 2] as const) {
    for (const [i, p] of payloads.entries()) {
      const topic = `${base}/q${qos}/${i}`;
      const t: TruthMessage = { topic, qos, retain: false, payload: truthPayload(p) };
      const properties = version === 5 ? { userProperties: { n: String(i), kind: 'test' }, contentType: 'application/octet-stream' } : undefined;
      if (properties) t.userProperties = properties.userProperties;
      truth.published.push(t);
      await client.publishAsync(topic, p, { qos, ...(properties ? { properties } : {}) });
    }
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`received ${truth.received.length} of ${total}`)), 10_000); })]);
  clearTimeout(timer);
  await client.unsubscribeAsync(truth.subscribed);
  await client.endAsync();
  return truth;
}

test('mqtt.js (3.1.1 and 5.0) against Mosquitto: every publish and delivery once', { skip, timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podtap-mqtt-'));
  try {
    const cap = await startCapture({ iface: 'lo', file: join(dir, 'mqtt.pcap'), filter: `tcp port ${MQTT_PORT}` });
    const clients: MqttClientTruth[] = [];
    try {
      clients.push(await drive(4));
      clients.push(await drive(5));
    } finally { await cap.stop(); }
    const result = await readMqttCapture(cap.file);
    checkAgainstTruth(result, clients);
    assert.equal(result.entries.filter((e) => e.request?.method === 'DISCONNECT').length, 2);
    if (process.env.PODTAP_UPDATE_FIXTURES === '1') {
      await mkdir('fixtures/mqtt', { recursive: true });
      await copyFile(cap.file, 'fixtures/mqtt/mqttjs.pcap');
      await writeFile('fixtures/mqtt/mqttjs.truth.json', JSON.stringify(clients, null, 1));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

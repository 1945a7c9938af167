/**
 * The committed mqtt.js/Mosquitto capture (fixtures/mqtt/, made by live.test.ts
 * with PODTAP_UPDATE_FIXTURES=1) against the clients' record stored beside it;
 * then the same capture as a throughput diagnostic.
 */
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkAgainstTruth, readMqttCapture, runMqttBuffer, type MqttClientTruth } from './truth.js';

const PCAP = 'fixtures/mqtt/mqttjs.pcap';
const TRUTH = 'fixtures/mqtt/mqttjs.truth.json';
const skip = existsSync(PCAP) && existsSync(TRUTH) ? false : 'fixtures/mqtt is missing';

test('the recorded mqttjs capture gives every publish and delivery once', { skip }, async () => {
  const truth = JSON.parse(readFileSync(TRUTH, 'utf8')) as MqttClientTruth[];
  checkAgainstTruth(await readMqttCapture(PCAP), truth);
});

test('throughput on the recorded capture (diagnostic)', { skip }, async (t) => {
  const buf = readFileSync(PCAP);
  const rounds = 200;
  runMqttBuffer(buf); // warm-up
  let packets = 0;
  let entries = 0;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) { const r = runMqttBuffer(buf); packets += r.stats.packets; entries += r.entries.length; }
  const s = (performance.now() - t0) / 1000;
  const mib = (buf.length * rounds) / 2 ** 20;
  t.diagnostic(`mqtt: ${packets} packets in ${s.toFixed(2)} s = ${Math.round(packets / s)} packets/s, ${(mib / s).toFixed(0)} MiB/s, ${Math.round(entries / s)} entries/s (in memory)`);
});

/**
 * Test support: read a capture through a pipeline with the MQTT dissector
 * and compare its entries with each client's own record of what it
 * published and what the broker delivered to it.
 */
import { strict as assert } from 'node:assert';
import { readCaptureBuffer, readCaptureFile } from '../../capture/open.js';
import type { Entry } from '../../entries/types.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import type { PipelineStats } from '../../pipeline/types.js';
import { DISSECTORS, DissectorRegistry } from '../registry.js';
import type { MqttEntry, MqttPayload } from './entry.js';
import { mqttSpec } from './index.js';

export const MQTT_PORT = 1883;
/** A payload as the client saw it: its size and its first TRUTH_HEAD_BYTES (base64). */
export interface TruthPayload { size: number; head: string }
export const TRUTH_HEAD_BYTES = 4096;
export const truthPayload = (b: Buffer): TruthPayload => ({ size: b.length, head: b.subarray(0, TRUTH_HEAD_BYTES).toString('base64') });

export interface TruthMessage { topic: string; qos: number; retain: boolean; payload: TruthPayload; userProperties?: Record<string, string> }
export interface MqttClientTruth { clientId: string; version: 4 | 5; subscribed: string; published: TruthMessage[]; received: TruthMessage[] }

export interface CaptureResult { entries: MqttEntry[]; stats: PipelineStats }

/** The same, for a capture held in memory (throughput runs). */
export function runMqttBuffer(buf: Uint8Array): CaptureResult {
  const entries: Entry[] = [];
  const p = new Pipeline((e) => entries.push(e), {}, new DissectorRegistry([...DISSECTORS, mqttSpec]));
  readCaptureBuffer(buf, p);
  const stats = p.finish();
  return { entries: entries as unknown as MqttEntry[], stats };
}

export async function readMqttCapture(file: string): Promise<CaptureResult> {
  const entries: Entry[] = [];
  const p = new Pipeline((e) => entries.push(e), {}, new DissectorRegistry([...DISSECTORS, mqttSpec]));
  await readCaptureFile(file, p);
  const stats = p.finish();
  return { entries: entries as unknown as MqttEntry[], stats };
}

function payloadMatches(p: MqttPayload | undefined, t: TruthPayload): boolean {
  if (p === undefined || p.size !== t.size) return false;
  const kept = p.encoding === 'base64' ? Buffer.from(p.content, 'base64') : Buffer.from(p.content, 'utf8');
  if (!p.truncated && kept.length !== t.size) return false;
  const head = Buffer.from(t.head, 'base64');
  const n = Math.min(head.length, kept.length);
  return n === Math.min(head.length, t.size) && head.subarray(0, n).equals(kept.subarray(0, n));
}

const ackFor = (qos: number): string | undefined => (qos === 1 ? 'PUBACK' : qos === 2 ? 'PUBREC' : undefined);

export function checkAgainstTruth(r: CaptureResult, clients: MqttClientTruth[]): void {
  assert.ok(r.entries.every((e) => e.protocol === 'mqtt'), 'only MQTT entries');
  assert.deepEqual(r.entries.filter((e) => e.flags.some((f) => f !== 'body-truncated')).map((e) => [e.request?.method, e.response?.method, e.flags]), [], 'no flagged entries');
  for (const c of clients) {
    const mine = r.entries.filter((e) => e.clientId === c.clientId);
    assert.ok(mine.length > 0, `entries of ${c.clientId}`);
    assert.ok(mine.every((e) => e.protocolVersion === c.version), 'protocol version on every entry');
    const connect = mine.find((e) => e.request?.method === 'CONNECT');
    assert.equal(connect?.response?.method, 'CONNACK');
    assert.equal(connect?.response?.reasonCode, 0);
    const sub = mine.find((e) => e.request?.method === 'SUBSCRIBE');
    assert.equal(sub?.request?.subscriptions?.[0]?.topic, c.subscribed);
    assert.deepEqual(sub?.response?.reasonCodes, [2]);

    const sent = mine.filter((e) => e.request?.method === 'PUBLISH' && e.src.port !== MQTT_PORT);
    assert.equal(sent.length, c.published.length, `${c.clientId}: one entry per publish`);
    c.published.forEach((t, i) => {
      const m = sent[i].request!;
      assert.equal(m.topic, t.topic);
      assert.equal(m.qos, t.qos);
      assert.equal(m.retain, t.retain);
      assert.ok(payloadMatches(m.payload, t.payload), `${c.clientId} publish ${i} payload`);
      if (t.userProperties) assert.deepEqual(m.properties?.userProperties, t.userProperties);
      assert.equal(sent[i].response?.method, ackFor(t.qos));
    });
    const got = mine.filter((e) => e.request?.method === 'PUBLISH' && e.src.port === MQTT_PORT);
    assert.equal(got.length, c.received.length, `${c.clientId}: one entry per message received`);
    c.received.forEach((t, i) => {
      const m = got[i].request!;
      assert.equal(m.topic, t.topic);
      assert.equal(m.qos, t.qos);
      assert.ok(payloadMatches(m.payload, t.payload), `${c.clientId} received ${i} payload`);
      assert.equal(got[i].response?.method, ackFor(t.qos));
    });
    const qos2 = c.published.filter((t) => t.qos === 2).length + c.received.filter((t) => t.qos === 2).length;
    const rel = mine.filter((e) => e.request?.method === 'PUBREL');
    assert.equal(rel.length, qos2, 'one PUBREL entry per QoS 2 message, either way');
    assert.ok(rel.every((e) => e.response?.method === 'PUBCOMP'));
  }
}

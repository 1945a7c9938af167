/**
 * Test support: read a capture through a pipeline with the AMQP dissector
 * and compare its entries with a client's own record of what it published
 * and what was delivered to it.
 */
import { strict as assert } from 'node:assert';
import { readCaptureBuffer, readCaptureFile } from '../../capture/open.js';
import type { Entry } from '../../entries/types.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import type { PipelineStats } from '../../pipeline/types.js';
import { DISSECTORS, DissectorRegistry } from '../registry.js';
import type { AmqpEntry } from './entry.js';
import { amqpSpec } from './index.js';

/** A body as the client saw it: its size and its first TRUTH_HEAD_BYTES (base64). */
export interface TruthBody { size: number; head: string }
export const TRUTH_HEAD_BYTES = 4096;
export const truthBody = (b: Buffer): TruthBody => ({ size: b.length, head: b.subarray(0, TRUTH_HEAD_BYTES).toString('base64') });

export interface AmqpTruth {
  published: Array<{ channel: number; exchange: string; routingKey: string; body: TruthBody; messageId?: string; correlationId?: string; replyTo?: string; contentType?: string; deliveryMode?: number; headers?: Record<string, string | number> }>;
  delivered: Array<{ exchange: string; routingKey: string; deliveryTag: number; body: TruthBody }>;
}

export interface CaptureResult { entries: AmqpEntry[]; stats: PipelineStats }

/** The same, for a capture held in memory (throughput runs). */
export function runAmqpBuffer(buf: Uint8Array): CaptureResult {
  const entries: Entry[] = [];
  const p = new Pipeline((e) => entries.push(e), {}, new DissectorRegistry([...DISSECTORS, amqpSpec]));
  readCaptureBuffer(buf, p);
  const stats = p.finish();
  return { entries: entries as unknown as AmqpEntry[], stats };
}

export async function readAmqpCapture(file: string): Promise<CaptureResult> {
  const entries: Entry[] = [];
  const p = new Pipeline((e) => entries.push(e), {}, new DissectorRegistry([...DISSECTORS, amqpSpec]));
  await readCaptureFile(file, p);
  const stats = p.finish();
  return { entries: entries as unknown as AmqpEntry[], stats };
}

/** Kept body bytes of a message, as base64 (whatever the entry's encoding). */
function keptBase64(b: { content: string; encoding: 'text' | 'base64' }): string {
  return b.encoding === 'base64' ? b.content : Buffer.from(b.content, 'utf8').toString('base64');
}

function bodyMatches(entryBody: { size: number; content: string; encoding: 'text' | 'base64'; truncated: boolean } | undefined, t: TruthBody): boolean {
  if (entryBody === undefined || entryBody.size !== t.size) return false;
  const head = Buffer.from(t.head, 'base64');
  const kept = Buffer.from(keptBase64(entryBody), 'base64');
  if (!entryBody.truncated && kept.length !== t.size) return false;
  const n = Math.min(head.length, kept.length);
  return n === Math.min(head.length, t.size) && head.subarray(0, n).equals(kept.subarray(0, n));
}

export function checkAgainstTruth(r: CaptureResult, truth: AmqpTruth): void {
  assert.ok(r.entries.every((e) => e.protocol === 'amqp'), 'only AMQP entries');
  assert.deepEqual(r.entries.filter((e) => e.flags.some((f) => f !== 'body-truncated')).map((e) => [e.request?.method, e.flags]), [], 'no flagged entries');
  const publishes = r.entries.filter((e) => e.request?.method === 'basic.publish');
  assert.equal(publishes.length, truth.published.length, 'one entry per publish');
  truth.published.forEach((t, i) => {
    const e = publishes[i];
    const m = e.request!;
    assert.equal(e.channel, t.channel);
    assert.equal(m.exchange, t.exchange);
    assert.equal(m.routingKey, t.routingKey);
    assert.ok(bodyMatches(m.body, t.body), `publish ${i} body`);
    assert.equal(m.properties?.messageId, t.messageId);
    assert.equal(m.properties?.correlationId, t.correlationId);
    assert.equal(m.properties?.replyTo, t.replyTo);
    assert.equal(m.properties?.contentType, t.contentType);
    assert.equal(m.properties?.deliveryMode, t.deliveryMode);
    if (t.headers !== undefined) assert.deepEqual(m.properties?.headers, t.headers);
    assert.equal(e.response, null);
    assert.equal(e.src.port === 5672, false, 'a publish goes from the client');
  });
  const deliveries = r.entries.filter((e) => e.request?.method === 'basic.deliver');
  assert.equal(deliveries.length, truth.delivered.length, 'one entry per delivery');
  truth.delivered.forEach((t, i) => {
    const m = deliveries[i].request!;
    assert.equal(m.exchange, t.exchange);
    assert.equal(m.routingKey, t.routingKey);
    assert.equal(m.deliveryTag, t.deliveryTag);
    assert.ok(bodyMatches(m.body, t.body), `delivery ${i} body`);
    assert.equal(deliveries[i].src.port, 5672, 'a delivery comes from the server');
  });
  const acks = r.entries.filter((e) => e.request?.method === 'basic.ack');
  assert.ok(acks.length >= truth.delivered.length + 1, 'client acks and publisher confirms');
  const declare = r.entries.find((e) => e.request?.method === 'queue.declare');
  assert.equal(declare?.response?.method, 'queue.declare-ok');
  assert.equal(r.entries.find((e) => e.request?.method === 'confirm.select')?.response?.method, 'confirm.select-ok');
  assert.equal(r.entries.find((e) => e.request?.method === 'connection.start')?.response?.method, 'connection.start-ok');
}

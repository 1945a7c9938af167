/**
 * The worker → hub stream: one WebSocket (`/api/ingest`, permessage-deflate),
 * JSON messages.
 *
 *   1. The worker opens the socket with `Authorization: Bearer <token>` and
 *      sends `hello` (node, run id).
 *   2. It sends `batch`es of entries, numbered from 1 per run (not per
 *      connection), so a resend after a reconnect carries the same `seq`.
 *      At most `WINDOW` batches are unacknowledged on the wire.
 *   3. The hub stores a batch (one transaction; ids already stored are
 *      skipped) and answers `ack` with its `seq`. Only then does the worker
 *      forget it. On reconnect every unacknowledged batch is sent again.
 *   4. Every few seconds the worker sends `state`: its counters and targets.
 *   5. The hub may send `rules` (the targeting rules set with PUT /api/rules)
 *      at any time, and sends them right after `hello` when it has some. A
 *      worker without a rules file applies them as a rules-file change.
 *
 * Everything a peer sends is checked here; what does not fit is an error
 * message on the socket and the socket is closed, or (a single bad entry
 * inside a good batch) the entry is rejected and counted.
 */
import type { Entry } from '../entries/types.js';
import type { FlowQuery } from '../worker/packet-ring.js';
import { RuleError } from '../cluster/model.js';
import type { TargetRules } from '../cluster/rules.js';
import { checkRules } from './rules.js';

/** Unacknowledged batches a worker keeps on the wire. */
export const WINDOW = 8;
/** Largest message the hub accepts (bytes, after decompression). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
/** Largest batch (entries). */
export const MAX_BATCH_ENTRIES = 5000;
/** Longest entry id. */
export const MAX_ID_LENGTH = 256;

export interface WorkerCounters {
  captured: number;
  processed: number;
  duplicate: number;
  untargeted: number;
  kernelDrops: number;
  entries: Record<string, number>;
  /** Entries the uplink could not keep (buffer full while the hub was away). */
  uplinkDropped: number;
  /** Entries waiting for the hub's acknowledgement. */
  uplinkBuffered: number;
}

export interface WorkerState {
  counters: WorkerCounters;
  /** Targeted pods on this node (namespace/name) and their interfaces. */
  targets: Array<{ pod: string; iface: string; filter: string; bpfInstructions: number }>;
  /** The targeting rules in force, as text (`hub: …` when they came from the hub, `file PATH` for a rules file). */
  rules: string;
  /** The same rules as an object, when they are valid rules (GET /api/rules shows them when the hub has none). */
  targetRules?: TargetRules;
}

export type UplinkMessage =
  | { type: 'hello'; node: string; runId: string; version: string }
  | { type: 'batch'; seq: number; entries: Entry[] }
  | { type: 'state'; state: WorkerState };

export type DownlinkMessage =
  | { type: 'ack'; seq: number; stored: number; duplicates: number; rejected: number }
  | { type: 'error'; message: string }
  /** The hub asks for the raw packets of some connections (pcapng export). */
  | { type: 'packets-request'; id: number; flows: FlowQuery[] }
  /** The targeting rules set on the hub (checked as a rules file is). */
  | { type: 'rules'; rules: TargetRules };

/**
 * The worker's answer to `packets-request`, one binary message:
 * u32 LE length of a JSON header `{type:"packets", id, count, truncated}`,
 * the header, then the records (packet-ring.ts layout).
 */
export interface PacketsAnswerHeader { type: 'packets'; id: number; count: number; truncated: boolean }

export function encodePacketsAnswer(h: PacketsAnswerHeader, records: Buffer): Buffer {
  const head = Buffer.from(JSON.stringify(h));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  return Buffer.concat([len, head, records]);
}

/** Parse a worker's binary answer; throws ProtocolError when it is not one. */
export function decodePacketsAnswer(b: Buffer): { header: PacketsAnswerHeader; records: Buffer } {
  if (b.length < 4) throw new ProtocolError('binary message too short');
  const n = b.readUInt32LE(0);
  if (n > 4096 || 4 + n > b.length) throw new ProtocolError('binary message: bad header length');
  let h: unknown;
  try { h = JSON.parse(b.subarray(4, 4 + n).toString('utf8')); } catch { throw new ProtocolError('binary message: header is not JSON'); }
  if (!isObj(h) || h.type !== 'packets' || !isNum(h.id) || !isNum(h.count)) throw new ProtocolError('binary message: not a packets answer');
  return { header: { type: 'packets', id: h.id, count: h.count, truncated: h.truncated === true }, records: b.subarray(4 + n) };
}

/** A message from a peer that does not follow the protocol. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown, max = 1024): v is string => typeof v === 'string' && v.length <= max;

/** Parse and check one uplink message; throws ProtocolError naming what is wrong. */
export function parseUplink(text: string): UplinkMessage {
  let m: unknown;
  try { m = JSON.parse(text); } catch (err) { throw new ProtocolError(`not JSON: ${(err as Error).message}`); }
  if (!isObj(m)) throw new ProtocolError('expected a JSON object');
  switch (m.type) {
    case 'hello':
      if (!isStr(m.node, 253) || m.node === '') throw new ProtocolError('hello: "node" must be a non-empty string');
      if (!isStr(m.runId, 64) || !/^[A-Za-z0-9_-]+$/.test(m.runId)) throw new ProtocolError('hello: "runId" must be 1-64 characters of [A-Za-z0-9_-]');
      return { type: 'hello', node: m.node, runId: m.runId, version: isStr(m.version, 64) ? m.version : '' };
    case 'batch':
      if (!isNum(m.seq) || !Number.isSafeInteger(m.seq) || m.seq < 1) throw new ProtocolError('batch: "seq" must be a positive integer');
      if (!Array.isArray(m.entries)) throw new ProtocolError('batch: "entries" must be an array');
      if (m.entries.length > MAX_BATCH_ENTRIES) throw new ProtocolError(`batch: more than ${MAX_BATCH_ENTRIES} entries`);
      return { type: 'batch', seq: m.seq, entries: m.entries as Entry[] }; // each entry is checked by checkEntry
    case 'state':
      if (!isObj(m.state) || !isObj(m.state.counters)) throw new ProtocolError('state: "state.counters" must be an object');
      return { type: 'state', state: sanitizeState(m.state) };
    default:
      throw new ProtocolError(`unknown message type ${JSON.stringify(String(m.type)).slice(0, 40)}`);
  }
}

/** Most flows one packets-request may ask for. */
export const MAX_REQUEST_FLOWS = 100_000;

const isFlow = (f: unknown): f is FlowQuery => isObj(f) && isStr(f.a, 64) && isStr(f.b, 64) && isNum(f.ap) && isNum(f.bp)
  && (f.proto === 'tcp' || f.proto === 'udp') && isNum(f.from) && isNum(f.to);

/** Parse and check one hub → worker message; throws ProtocolError naming what is wrong. */
export function parseDownlink(text: string): DownlinkMessage {
  let m: unknown;
  try { m = JSON.parse(text); } catch (err) { throw new ProtocolError(`not JSON: ${(err as Error).message}`); }
  if (!isObj(m)) throw new ProtocolError('expected a JSON object');
  switch (m.type) {
    case 'ack':
      if (!isNum(m.seq)) throw new ProtocolError('ack: "seq" must be a number');
      return { type: 'ack', seq: m.seq, stored: isNum(m.stored) ? m.stored : 0, duplicates: isNum(m.duplicates) ? m.duplicates : 0, rejected: isNum(m.rejected) ? m.rejected : 0 };
    case 'error':
      return { type: 'error', message: isStr(m.message, 4096) ? m.message : 'unknown error' };
    case 'packets-request':
      if (!isNum(m.id)) throw new ProtocolError('packets-request: "id" must be a number');
      if (!Array.isArray(m.flows) || m.flows.length > MAX_REQUEST_FLOWS || !m.flows.every(isFlow)) throw new ProtocolError(`packets-request: "flows" must be at most ${MAX_REQUEST_FLOWS} flows`);
      return { type: 'packets-request', id: m.id, flows: m.flows };
    case 'rules':
      try {
        return { type: 'rules', rules: checkRules(m.rules, 'hub rules') };
      } catch (err) {
        if (err instanceof RuleError) throw new ProtocolError(`rules: ${err.message}`);
        throw err;
      }
    default:
      throw new ProtocolError(`unknown message type ${JSON.stringify(String(m.type)).slice(0, 40)}`);
  }
}

/** Rules a worker reports, when they are valid; undefined otherwise. */
function reportedRules(v: unknown): TargetRules | undefined {
  if (v === undefined) return undefined;
  try {
    return checkRules(v, 'state.targetRules');
  } catch (err) {
    if (err instanceof RuleError) return undefined;
    throw err;
  }
}

function sanitizeState(s: Record<string, unknown>): WorkerState {
  const c = s.counters as Record<string, unknown>;
  const n = (v: unknown): number => (isNum(v) && v >= 0 ? v : 0);
  const entries: Record<string, number> = {};
  if (isObj(c.entries)) for (const [k, v] of Object.entries(c.entries).slice(0, 64)) if (/^[a-z0-9-]{1,32}$/.test(k)) entries[k] = n(v);
  const targets = Array.isArray(s.targets) ? s.targets.slice(0, 10_000).filter(isObj).map((t) => ({
    pod: isStr(t.pod, 512) ? t.pod : '', iface: isStr(t.iface, 64) ? t.iface : '',
    filter: isStr(t.filter, 65_536) ? t.filter : '', bpfInstructions: n(t.bpfInstructions),
  })) : [];
  const targetRules = reportedRules(s.targetRules);
  return {
    counters: {
      captured: n(c.captured), processed: n(c.processed), duplicate: n(c.duplicate), untargeted: n(c.untargeted),
      kernelDrops: n(c.kernelDrops), entries, uplinkDropped: n(c.uplinkDropped), uplinkBuffered: n(c.uplinkBuffered),
    },
    targets,
    rules: isStr(s.rules, 4096) ? s.rules : '',
    ...(targetRules === undefined ? {} : { targetRules }),
  };
}

const ENTRY_BASE_KEYS = ['id', 'protocol', 'transport', 'timestamp', 'elapsedTime', 'src', 'dst', 'connectionId', 'flags'] as const;

/**
 * Null when `e` has the shape every entry has (the base fields with their
 * types); otherwise why not. Protocol-specific parts are kept as sent: the
 * store and the UI read them defensively.
 */
export function checkEntry(e: unknown): string | null {
  if (!isObj(e)) return 'entry is not an object';
  for (const k of ENTRY_BASE_KEYS) if (!(k in e)) return `entry lacks "${k}"`;
  if (!isStr(e.id, MAX_ID_LENGTH) || e.id === '') return `"id" must be a string of 1-${MAX_ID_LENGTH} characters`;
  if (!isStr(e.protocol, 32) || !/^[a-z0-9-]+$/.test(e.protocol)) return '"protocol" must be a short lower-case name';
  if (!isNum(e.timestamp) || !isNum(e.elapsedTime)) return '"timestamp" and "elapsedTime" must be numbers';
  for (const side of ['src', 'dst'] as const) {
    const p = e[side];
    if (!isObj(p) || !isStr(p.ip, 64) || !isNum(p.port)) return `"${side}" must have "ip" and "port"`;
  }
  if (!Array.isArray(e.flags)) return '"flags" must be an array';
  return null;
}

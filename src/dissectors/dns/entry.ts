/**
 * Parsed messages to `DnsEntry` objects: the policy of what an entry shows.
 * Names and data come from the parser as they are; numeric type, class,
 * opcode and rcode are named here.
 */
import type { DnsEdns, DnsEntry, DnsQuestion, DnsRecord, DnsRequest, DnsResponse, EntryFlag } from '../../entries/types.js';
import type { ConnectionContext } from '../types.js';
import { className, opcodeName, rcodeName, typeName } from './codes.js';
import type { DnsMessage, Edns, WireQuestion, WireRecord } from './parser.js';
import { elapsedMs } from '../../entries/time.js';

/** A query or response as kept for pairing: entry-ready, no bytes. */
export interface SeenRequest {
  request: DnsRequest;
  ts: number;
  /** Sent by ctx.client? */
  fromClient: boolean;
  flags: EntryFlag[];
}

export interface SeenResponse {
  response: DnsResponse;
  ts: number;
  fromClient: boolean;
  flags: EntryFlag[];
}

function question(q: WireQuestion): DnsQuestion {
  return { name: q.name, type: typeName(q.type), class: className(q.class) };
}

function record(r: WireRecord): DnsRecord {
  return { name: r.name, type: typeName(r.type), class: className(r.class), ttl: r.ttl, data: r.data };
}

function edns(e: Edns | null): DnsEdns | null {
  if (e === null) return null;
  return { udpPayloadSize: e.udpPayloadSize, version: e.version, dnssecOk: e.dnssecOk, options: e.options.map((o) => ({ code: o.code, length: o.length })) };
}

export function toDnsRequest(m: DnsMessage): DnsRequest {
  return {
    id: m.header.id,
    opcode: opcodeName(m.header.opcode),
    recursionDesired: m.header.rd,
    authenticData: m.header.ad,
    checkingDisabled: m.header.cd,
    questions: m.questions.map(question),
    edns: edns(m.edns),
  };
}

export function toDnsResponse(m: DnsMessage): DnsResponse {
  return {
    id: m.header.id,
    rcode: m.rcode,
    rcodeName: rcodeName(m.rcode),
    authoritative: m.header.aa,
    truncated: m.header.tc,
    recursionAvailable: m.header.ra,
    authenticData: m.header.ad,
    checkingDisabled: m.header.cd,
    answers: m.answers.map(record),
    authorities: m.authorities.map(record),
    additionals: m.additionals.map(record),
    questions: m.questions.map(question),
    edns: edns(m.edns),
  };
}

export function addFlag(flags: EntryFlag[], flag: EntryFlag): void {
  if (!flags.includes(flag)) flags.push(flag);
}

/**
 * Flags a message earns by itself: 'truncated' when its bytes end early or
 * the server set TC (the answer is incomplete either way), 'violation' when
 * it breaks the grammar otherwise.
 */
export function messageFlags(m: DnsMessage): EntryFlag[] {
  const flags: EntryFlag[] = [];
  if (m.reason === 'truncated' || (m.header.qr && m.header.tc)) flags.push('truncated');
  if (m.malformed && m.reason !== 'truncated') flags.push('violation');
  return flags;
}

/**
 * One entry from a query and/or its response. `src` is the side that asked:
 * ctx.client normally, ctx.server when the QR bits show the roles reversed.
 * Timing: the query's time, and the response's time minus it (never below 0).
 */
export function buildDnsEntry(
  ctx: ConnectionContext,
  req: SeenRequest | null,
  res: SeenResponse | null,
  extraFlags: readonly EntryFlag[] = [],
): DnsEntry {
  const askerIsClient = req !== null ? req.fromClient : res !== null ? !res.fromClient : true;
  const flags: EntryFlag[] = [];
  for (const f of req?.flags ?? []) addFlag(flags, f);
  for (const f of res?.flags ?? []) addFlag(flags, f);
  for (const f of extraFlags) addFlag(flags, f);
  const timestamp = req?.ts ?? res?.ts ?? 0;
  return {
    id: ctx.nextEntryId(),
    protocol: 'dns',
    transport: ctx.transport,
    timestamp,
    elapsedTime: req !== null && res !== null ? elapsedMs(req.ts, res.ts) : 0,
    src: askerIsClient ? ctx.client : ctx.server,
    dst: askerIsClient ? ctx.server : ctx.client,
    connectionId: ctx.id,
    flags,
    request: req?.request ?? null,
    response: res?.response ?? null,
  };
}

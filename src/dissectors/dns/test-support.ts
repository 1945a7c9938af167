/**
 * Test support for the DNS dissector: a fake ConnectionContext that collects
 * what a dissector emits, and a small message builder for pairing tests
 * (uncompressed names; the parser's fixtures are real bytes instead).
 */
import type { DnsEntry, Endpoint, Entry, Transport } from '../../entries/types.js';
import { DEFAULT_DISSECTOR_OPTIONS, type ConnectionContext } from '../types.js';
import { seededRandom } from '../../testing/random.js';

export class FakeContext implements ConnectionContext {
  readonly entries: Entry[] = [];
  readonly weirds: Record<string, number> = {};
  readonly options = DEFAULT_DISSECTOR_OPTIONS;
  private seq = 0;

  constructor(
    readonly transport: Transport = 'udp',
    readonly client: Endpoint = { ip: '10.0.0.1', port: 40000 },
    readonly server: Endpoint = { ip: '10.0.0.53', port: 53 },
    readonly id: string = 'flow1',
  ) {}

  emit(entry: Entry): void {
    this.entries.push(entry);
  }

  nextEntryId(): string {
    return `${this.id}-${++this.seq}`;
  }

  weird(name: string): void {
    this.weirds[name] = (this.weirds[name] ?? 0) + 1;
  }

  get dns(): DnsEntry[] {
    return this.entries.filter((e): e is DnsEntry => e.protocol === 'dns');
  }
}

export function encodeName(name: string): number[] {
  const out: number[] = [];
  if (name !== '.' && name !== '') {
    for (const label of name.split('.')) {
      out.push(label.length, ...Buffer.from(label, 'latin1'));
    }
  }
  out.push(0);
  return out;
}

export interface RecordSpec {
  name: string;
  type: number;
  class?: number;
  ttl?: number;
  /** Raw RR data (hex string or bytes). */
  rdata: string | Uint8Array | number[];
}

export interface MessageSpec {
  id: number;
  /** The 16-bit flags word; default: a query with RD, or with `qr` a response with RD RA. */
  flags?: number;
  qr?: boolean;
  rcode?: number;
  questions?: [name: string, type: number, cls?: number][];
  answers?: RecordSpec[];
  authorities?: RecordSpec[];
  additionals?: RecordSpec[];
}

const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];

function rdataBytes(r: RecordSpec['rdata']): number[] {
  if (typeof r === 'string') return [...Buffer.from(r.replace(/\s+/g, ''), 'hex')];
  return [...r];
}

function encodeRecord(r: RecordSpec): number[] {
  const data = rdataBytes(r.rdata);
  return [...encodeName(r.name), ...u16(r.type), ...u16(r.class ?? 1), ...u32(r.ttl ?? 300), ...u16(data.length), ...data];
}

export function buildMessage(spec: MessageSpec): Uint8Array {
  const qs = spec.questions ?? [];
  const an = spec.answers ?? [];
  const ns = spec.authorities ?? [];
  const ar = spec.additionals ?? [];
  const flags = spec.flags ?? ((spec.qr ? 0x8180 : 0x0100) | (spec.rcode ?? 0));
  const out = [...u16(spec.id), ...u16(flags), ...u16(qs.length), ...u16(an.length), ...u16(ns.length), ...u16(ar.length)];
  for (const [name, type, cls] of qs) out.push(...encodeName(name), ...u16(type), ...u16(cls ?? 1));
  for (const r of [...an, ...ns, ...ar]) out.push(...encodeRecord(r));
  return new Uint8Array(out);
}

export function ipv4(text: string): number[] {
  return text.split('.').map(Number);
}

/** A recursive query for `name` (type A unless given). */
export function query(id: number, name: string, type = 1): Uint8Array {
  return buildMessage({ id, questions: [[name, type]] });
}

/** A response echoing the question, with A answers. */
export function response(id: number, name: string, addresses: string[] = ['192.0.2.1'], rcode = 0): Uint8Array {
  return buildMessage({
    id, qr: true, rcode, questions: [[name, 1]],
    answers: addresses.map((a) => ({ name, type: 1, rdata: ipv4(a) })),
  });
}

/** The message with a 2-byte length in front, as sent over TCP. */
export function tcpFrame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(message.length + 2);
  out[0] = message.length >> 8;
  out[1] = message.length & 0xff;
  out.set(message, 2);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Deterministic PRNG so failures replay from the seed. */
export const prng = seededRandom;

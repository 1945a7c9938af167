// Hand-written, not generated or from a library: it runs once per DNS message, reads the caller's view in place, and must survive hostile counts, pointers and lengths without throwing.
/**
 * The DNS message grammar (RFC 1035 §4.1, RFC 6891 for EDNS): bytes to one
 * `DnsMessage`. Never throws: a message that breaks the grammar or ends early
 * comes back with what was parsed before the problem, `malformed: true` and
 * the reason.
 *
 * The view is read during the call only; the result holds numbers and
 * strings, nothing that points into the caller's bytes.
 *
 * Choices:
 * - Names are printed without the trailing dot; the root is ".".
 * - The top bit of a class is masked off and reported separately: mDNS
 *   (RFC 6762 §5.4, §10.2) uses it as the unicast-response bit in questions
 *   and the cache-flush bit in records; plain DNS never sets it.
 * - OPT pseudo-records are taken out of the sections into `edns`, so answers
 *   and additionals hold only real records (what Zeek and Kubeshark show);
 *   the extended rcode they carry is folded into `rcode`.
 * - Dynamic updates (RFC 2136) reuse the four sections: zone, prerequisite,
 *   update and additional land in questions, answers, authorities and
 *   additionals. Their empty RR data (deletes) is printed as "".
 */
import { TYPE_OPT } from './codes.js';
import { Cursor, type DnsMalformedReason } from './cursor.js';
import { genericRdata } from './format.js';
import { readName } from './name.js';
import { formatRdata } from './rdata.js';

export type { DnsMalformedReason } from './cursor.js';

/** Questions plus records parsed from one message; the rest is counted in `recordsSkipped`. */
export const MAX_RECORDS_PER_MESSAGE = 1024;
export const DNS_HEADER_LENGTH = 12;

export interface DnsHeader {
  id: number;
  /** True for a response. */
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** The reserved Z bit (must be zero). */
  z: boolean;
  ad: boolean;
  cd: boolean;
  /** The 4-bit header rcode; `DnsMessage.rcode` has the EDNS-extended value. */
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export interface WireQuestion {
  name: string;
  type: number;
  /** Class with the top bit masked off. */
  class: number;
  /** mDNS QU bit: the top bit of the class. */
  unicastResponse: boolean;
}

export interface WireRecord {
  name: string;
  type: number;
  /** Class with the top bit masked off. */
  class: number;
  /** mDNS cache-flush bit: the top bit of the class. */
  cacheFlush: boolean;
  ttl: number;
  /** Presentation form (see rdata.ts); "" for empty data, `\# len hex` for unknown types. */
  data: string;
}

export interface EdnsOption {
  code: number;
  length: number;
}

export interface Edns {
  udpPayloadSize: number;
  /** Upper 8 bits of the 12-bit rcode. */
  extendedRcode: number;
  version: number;
  dnssecOk: boolean;
  options: EdnsOption[];
}

export interface DnsMessage {
  header: DnsHeader;
  /** Full rcode: the header's 4 bits plus the OPT record's upper 8. */
  rcode: number;
  questions: WireQuestion[];
  answers: WireRecord[];
  authorities: WireRecord[];
  additionals: WireRecord[];
  edns: Edns | null;
  malformed: boolean;
  /** First problem met, or null. */
  reason: DnsMalformedReason | null;
  /** Questions and records not parsed because MAX_RECORDS_PER_MESSAGE was reached. */
  recordsSkipped: number;
  /** Bytes after the last section (ignored; some stacks pad). */
  trailingBytes: number;
  /** Message length in bytes. */
  size: number;
}

/** The 12-byte header; `b` must hold at least 12 bytes. */
export function readHeader(b: Uint8Array): DnsHeader {
  const flags = (b[2] << 8) | b[3];
  return {
    id: (b[0] << 8) | b[1],
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    z: (flags & 0x0040) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: flags & 0xf,
    qdcount: (b[4] << 8) | b[5],
    ancount: (b[6] << 8) | b[7],
    nscount: (b[8] << 8) | b[9],
    arcount: (b[10] << 8) | b[11],
  };
}

function emptyHeader(b: Uint8Array): DnsHeader {
  const padded = new Uint8Array(DNS_HEADER_LENGTH);
  padded.set(b.subarray(0, DNS_HEADER_LENGTH));
  return readHeader(padded);
}

function readQuestion(c: Cursor): WireQuestion | null {
  const name = readName(c);
  if (name === null) return null;
  if (!c.has(4)) return c.fail('truncated');
  const type = c.u16();
  const cls = c.u16();
  return { name, type, class: cls & 0x7fff, unicastResponse: (cls & 0x8000) !== 0 };
}

function readEdns(c: Cursor, cls: number, ttl: number, end: number): Edns {
  const options: EdnsOption[] = [];
  while (c.pos + 4 <= end) {
    const code = c.u16();
    const length = c.u16();
    if (c.pos + length > end) break;
    options.push({ code, length });
    c.pos += length;
  }
  if (c.pos !== end) c.fail('bad-rdata');
  return {
    udpPayloadSize: cls,
    extendedRcode: ttl >>> 24,
    version: (ttl >>> 16) & 0xff,
    dnssecOk: (ttl & 0x8000) !== 0,
    options,
  };
}

/**
 * One resource record into `out`; OPT goes to `msg.edns` instead. Returns
 * false when parsing cannot go on (the record's extent is unknown).
 */
function readRecord(c: Cursor, msg: DnsMessage, out: WireRecord[]): boolean {
  const name = readName(c);
  if (name === null) return false;
  if (!c.has(10)) {
    c.fail('truncated');
    return false;
  }
  const type = c.u16();
  const cls = c.u16();
  const ttl = c.u32();
  const rdLength = c.u16();
  const start = c.pos;
  const end = start + rdLength;
  if (end > c.buf.length) {
    c.fail('truncated');
    return false;
  }
  if (type === TYPE_OPT) {
    if (msg.edns === null) msg.edns = readEdns(c, cls, ttl, end);
    else c.fail('duplicate-opt');
  } else {
    let data = rdLength === 0 ? '' : formatRdata(c, type, end);
    if (data === null) {
      c.fail('bad-rdata');
      data = genericRdata(c.buf, start, rdLength);
    }
    out.push({ name, type, class: cls & 0x7fff, cacheFlush: (cls & 0x8000) !== 0, ttl, data });
  }
  c.pos = end;
  return true;
}

/** Parses one whole DNS message (for TCP: without the 2-byte length). Never throws. */
export function parseDnsMessage(b: Uint8Array): DnsMessage {
  const c = new Cursor(b);
  const short = b.length < DNS_HEADER_LENGTH;
  const header = short ? emptyHeader(b) : readHeader(b);
  const msg: DnsMessage = {
    header, rcode: header.rcode, questions: [], answers: [], authorities: [], additionals: [],
    edns: null, malformed: false, reason: null, recordsSkipped: 0, trailingBytes: 0, size: b.length,
  };
  if (short) {
    msg.malformed = true;
    msg.reason = 'truncated';
    return msg;
  }
  c.pos = DNS_HEADER_LENGTH;
  let budget = MAX_RECORDS_PER_MESSAGE;
  let left = header.qdcount + header.ancount + header.nscount + header.arcount;
  let ok = true;
  for (let i = 0; ok && i < header.qdcount && budget > 0; i++, budget--, left--) {
    const q = readQuestion(c);
    if (q === null) ok = false;
    else msg.questions.push(q);
  }
  const sections: [number, WireRecord[]][] = [
    [header.ancount, msg.answers], [header.nscount, msg.authorities], [header.arcount, msg.additionals],
  ];
  for (const [count, out] of sections) {
    for (let i = 0; ok && i < count && budget > 0; i++, budget--, left--) ok = readRecord(c, msg, out);
  }
  if (ok && left > 0) msg.recordsSkipped = left;
  else if (ok) msg.trailingBytes = b.length - c.pos;
  if (msg.edns !== null) msg.rcode = (msg.edns.extendedRcode << 4) | header.rcode;
  msg.reason = c.reason;
  msg.malformed = c.reason !== null;
  return msg;
}

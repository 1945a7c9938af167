/**
 * HPACK header block decoding (RFC 7541), one decoder per direction for the
 * whole connection (the dynamic table lives as long as the connection).
 *
 * Unknown state. After a gap, or when the capture started mid-connection,
 * the dynamic table is not known: the decoder goes on inserting what it sees
 * (new entries go to the front, so what it holds is a correct prefix of the
 * real table) and a reference past what it holds yields no field and marks
 * the block `incomplete`. Evicting later than the encoder is harmless for
 * the same reason (the entries the encoder still has stay a prefix), so the
 * eviction bound is the largest size either side allowed.
 *
 * Strings are latin1 (bytes 1:1 to code units), as HTTP/1 heads are.
 */
import { huffmanDecode } from './huffman.js';

/** Dynamic table bytes (RFC size accounting) kept per decoder, whatever SETTINGS allow. */
export const MAX_DYNAMIC_TABLE_BYTES = 64 * 1024;
/** Decoded header list bytes (name + value + 32 per field) kept per block; the rest is decoded for the table but dropped. */
export const MAX_HEADER_LIST_BYTES = 256 * 1024;
/** Largest integer accepted in a representation (a prefix integer past this is a violation). */
const MAX_INT = 0x0fffffff;

export const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  ['', ''],
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];
const STATIC_COUNT = STATIC_TABLE.length - 1; // 61

/** What one header block decoded to. Fields are [name, value] in order, pseudo-headers included. */
export interface HeaderBlock {
  fields: Array<[string, string]>;
  /** A reference into a dynamic table we do not know (gap, mid-connection start). */
  incomplete: boolean;
  /** Encoding errors (bad index, bad integer, bad Huffman): the block and the table may be wrong. */
  violation: boolean;
  /** Fields dropped because the block passed MAX_HEADER_LIST_BYTES. */
  dropped: number;
}

export class HpackDecoder {
  /** Entries in insertion order; the newest is at names.length - 1. `start` is the oldest kept. */
  private names: Array<string | null> = [];
  private values: Array<string | null> = [];
  private start = 0;
  private size = 0;
  /** Size the encoder last signalled (RFC 7541 §6.3); 4096 until then. */
  private signalled = 4096;
  /** SETTINGS_HEADER_TABLE_SIZE the decoding side advertised. */
  private advertised = 4096;
  /**
   * False when the table's content is not known (gap, capture started
   * mid-way). Starts false: the binding sets it once the client preface shows
   * the connection's start.
   */
  synced = false;
  /** Times the MAX_DYNAMIC_TABLE_BYTES cap bounded eviction. */
  capHits = 0;

  /** The receiving side advertised SETTINGS_HEADER_TABLE_SIZE. */
  setAdvertised(n: number): void {
    this.advertised = n;
  }

  /** Bytes may have been lost: what the table holds is no longer all of it. */
  lose(): void {
    this.synced = false;
  }

  get length(): number {
    return this.names.length - this.start;
  }

  private limit(): number {
    const want = Math.max(this.signalled, this.advertised);
    if (want > MAX_DYNAMIC_TABLE_BYTES) { this.capHits++; return MAX_DYNAMIC_TABLE_BYTES; }
    return want;
  }

  private evictTo(max: number): void {
    while (this.size > max && this.start < this.names.length) {
      this.size -= entrySize(this.names[this.start], this.values[this.start]);
      this.names[this.start] = null;
      this.values[this.start] = null;
      this.start++;
    }
    if (this.start > 64 && this.start * 2 > this.names.length) {
      this.names = this.names.slice(this.start);
      this.values = this.values.slice(this.start);
      this.start = 0;
    }
  }

  /** Insert; a null name is an entry whose name we could not resolve (kept so indices stay right). */
  private insert(name: string | null, value: string): void {
    const s = entrySize(name, value);
    const max = this.limit();
    if (s > max) { this.evictTo(0); return; }
    this.evictTo(max - s);
    this.names.push(name);
    this.values.push(value);
    this.size += s;
  }

  /** Dynamic index (1-based from the newest) to slot, or -1 when not held. */
  private slot(dyn: number): number {
    const i = this.names.length - dyn;
    return i >= this.start && dyn >= 1 ? i : -1;
  }

  /**
   * Decode one complete header block (a view; strings are made, nothing else is kept).
   * `onLiteral` is told of every literal value: its field's name (null when the name is an
   * index into a table we do not know) and where the value's string starts (its length
   * prefix, with the Huffman bit) and ends in `b`; the packet export's redaction uses it.
   */
  decode(b: Uint8Array, onLiteral?: (name: string | null, at: number, end: number) => void): HeaderBlock {
    const out: HeaderBlock = { fields: [], incomplete: false, violation: false, dropped: 0 };
    let listBytes = 0;
    const r = { pos: 0 };
    const n = b.length;
    let sawField = false;
    while (r.pos < n) {
      const c = b[r.pos];
      let name: string | null = null;
      let value: string | null = null;
      let index = false;
      if (c & 0x80) {
        const idx = readInt(b, r, 7);
        if (idx <= 0) { out.violation = true; break; }
        const f = this.lookup(idx);
        if (f === undefined) { out.violation = true; break; }
        if (f === null || f[0] === null) { out.incomplete = true; sawField = true; continue; }
        name = f[0];
        value = f[1];
      } else if ((c & 0xe0) === 0x20) {
        // Dynamic table size update: only at the start of a block.
        const sz = readInt(b, r, 5);
        if (sz < 0 || sawField) { out.violation = true; if (sz < 0) break; }
        this.signalled = sz;
        this.evictTo(Math.min(sz, MAX_DYNAMIC_TABLE_BYTES));
        continue;
      } else {
        index = (c & 0xc0) === 0x40;
        const idx = readInt(b, r, index ? 6 : 4);
        if (idx < 0) { out.violation = true; break; }
        let unknownName = false;
        if (idx === 0) {
          name = readString(b, r);
          if (name === null) { out.violation = true; break; }
        } else {
          const f = this.lookup(idx);
          if (f === undefined) { out.violation = true; break; }
          if (f === null || f[0] === null) unknownName = true;
          else name = f[0];
        }
        const at = r.pos;
        value = readString(b, r);
        if (value === null) { out.violation = true; break; }
        onLiteral?.(unknownName ? null : name, at, r.pos);
        if (index) this.insert(name, value);
        if (unknownName) { out.incomplete = true; sawField = true; continue; }
      }
      sawField = true;
      const fsz = name!.length + value!.length + 32;
      if (listBytes + fsz > MAX_HEADER_LIST_BYTES) { out.dropped++; continue; }
      listBytes += fsz;
      out.fields.push([name!, value!]);
    }
    return out;
  }

  /** Static or dynamic entry; null when the dynamic table is not known that far; undefined when the index is invalid. */
  private lookup(idx: number): readonly [string | null, string | null] | null | undefined {
    if (idx <= STATIC_COUNT) return STATIC_TABLE[idx];
    const s = this.slot(idx - STATIC_COUNT);
    if (s < 0) return this.synced ? undefined : null;
    return [this.names[s], this.values[s]];
  }
}

function entrySize(name: string | null, value: string | null): number {
  return (name === null ? 0 : name.length) + (value === null ? 0 : value.length) + 32;
}

/** Prefix integer (RFC 7541 §5.1); -1 when cut short or too large. */
export function readInt(b: Uint8Array, r: { pos: number }, prefix: number): number {
  if (r.pos >= b.length) return -1;
  const mask = (1 << prefix) - 1;
  let v = b[r.pos++] & mask;
  if (v < mask) return v;
  let shift = 0;
  for (;;) {
    if (r.pos >= b.length || shift > 21) return -1;
    const c = b[r.pos++];
    v += (c & 0x7f) * 2 ** shift;
    shift += 7;
    if ((c & 0x80) === 0) break;
  }
  return v > MAX_INT ? -1 : v;
}

/** String literal (RFC 7541 §5.2); null when cut short or badly Huffman-coded. */
export function readString(b: Uint8Array, r: { pos: number }): string | null {
  if (r.pos >= b.length) return null;
  const huff = (b[r.pos] & 0x80) !== 0;
  const len = readInt(b, r, 7);
  if (len < 0 || r.pos + len > b.length) return null;
  const s = r.pos;
  r.pos += len;
  if (huff) return huffmanDecode(b, s, s + len);
  return latin1(b, s, s + len);
}

function latin1(b: Uint8Array, s: number, e: number): string {
  if (e - s < 24) {
    let out = '';
    for (let i = s; i < e; i++) out += String.fromCharCode(b[i]);
    return out;
  }
  return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');
}

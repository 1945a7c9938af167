/**
 * Grammar: message bodies (views from reader.ts) to values. Every reader
 * checks length before it reads and returns what it could decode; a body
 * that ends early sets `short` on the cursor instead of throwing.
 * Only the values returned are copies (strings, numbers).
 */

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A bounded forward reader over one message body. */
export class Cursor {
  pos = 0;
  /** A read went past the end. */
  short = false;

  constructor(readonly b: Uint8Array) {}

  get left(): number { return this.b.length - this.pos; }

  int32(): number {
    if (this.left < 4) { this.short = true; this.pos = this.b.length; return 0; }
    const b = this.b, p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }

  int16(): number {
    if (this.left < 2) { this.short = true; this.pos = this.b.length; return 0; }
    const p = this.pos;
    this.pos += 2;
    return (this.b[p] << 8) | this.b[p + 1];
  }

  byte(): number {
    if (this.left < 1) { this.short = true; return 0; }
    return this.b[this.pos++];
  }

  /** A NUL-terminated string, decoded up to `max` bytes (the rest is skipped). */
  cstring(max = Infinity): string {
    const end = this.b.indexOf(0, this.pos);
    const stop = end < 0 ? this.b.length : end;
    if (end < 0) this.short = true;
    const s = utf8.decode(this.b.subarray(this.pos, Math.min(stop, this.pos + max)));
    this.pos = end < 0 ? this.b.length : end + 1;
    return s;
  }

  bytes(n: number): Uint8Array {
    const take = Math.min(n, this.left);
    if (take < n) this.short = true;
    const v = this.b.subarray(this.pos, this.pos + take);
    this.pos += take;
    return v;
  }
}

/** Startup-phase codes (the int32 after the length of an untagged message). */
export const PROTOCOL_3 = 3 << 16;
export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;

export function protocolVersion(code: number): string {
  return `${code >>> 16}.${code & 0xffff}`;
}

/** Name/value pairs up to a final empty name (StartupMessage). */
export function nameValues(c: Cursor, maxPairs: number, maxChars: number): { pairs: Record<string, string>; dropped: number } {
  const pairs: Record<string, string> = {};
  let dropped = 0;
  while (c.left > 0 && !c.short) {
    const name = c.cstring(maxChars);
    if (name === '') break;
    const value = c.cstring(maxChars);
    if (Object.keys(pairs).length < maxPairs) pairs[name] = value;
    else dropped++;
  }
  return { pairs, dropped };
}

/** ErrorResponse / NoticeResponse fields (type byte, string), up to a 0 byte. */
export interface PgNoticeFields {
  severity: string;
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: string;
}

export function noticeFields(body: Uint8Array, maxChars: number): PgNoticeFields {
  const c = new Cursor(body);
  const f: PgNoticeFields = { severity: '', code: '', message: '' };
  let localized = '';
  while (c.left > 0) {
    const t = c.byte();
    if (t === 0) break;
    const v = c.cstring(maxChars);
    switch (t) {
      case 0x56: f.severity = v; break;      // V: non-localized severity (9.6+)
      case 0x53: localized = v; break;       // S: localized severity
      case 0x43: f.code = v; break;          // C: SQLSTATE
      case 0x4d: f.message = v; break;       // M
      case 0x44: f.detail = v; break;        // D
      case 0x48: f.hint = v; break;          // H
      case 0x50: f.position = v; break;      // P
      default: break;
    }
  }
  if (f.severity === '') f.severity = localized;
  return f;
}

/** RowDescription: column names (up to `max`) and the total count. */
export function rowDescription(body: Uint8Array, max: number, maxChars: number): { names: string[]; count: number; formats: number[] } {
  const c = new Cursor(body);
  const count = c.int16();
  const names: string[] = [];
  const formats: number[] = [];
  for (let i = 0; i < count && i < max && !c.short; i++) {
    names.push(c.cstring(maxChars));
    c.pos = Math.min(c.b.length, c.pos + 16); // table oid, attnum, type oid, typlen, typmod
    formats.push(c.int16());
  }
  return { names, count, formats };
}

/**
 * DataRow values as text: text-format values decoded as UTF-8, binary ones
 * as `\x` + hex; NULL as null; each cut at `maxBytes`.
 */
export function dataRow(body: Uint8Array, formats: readonly number[], maxValues: number, maxBytes: number): Array<string | null> {
  const c = new Cursor(body);
  const n = c.int16();
  const out: Array<string | null> = [];
  for (let i = 0; i < n && i < maxValues && !c.short; i++) {
    const len = c.int32();
    if (len === 0xffffffff) { out.push(null); continue; }
    const v = c.bytes(len);
    out.push(renderValue(v, formats[i] ?? 0, maxBytes));
  }
  return out;
}

export function renderValue(v: Uint8Array, format: number, maxBytes: number): string {
  const cut = v.length > maxBytes ? v.subarray(0, maxBytes) : v;
  const more = v.length > maxBytes ? '…' : '';
  if (format === 1) return `\\x${Buffer.from(cut.buffer, cut.byteOffset, cut.length).toString('hex')}${more}`;
  return utf8.decode(cut) + more;
}

/** Parse: statement name, query text, parameter type count. */
export function parseMessage(body: Uint8Array, maxChars: number): { statement: string; query: string; queryBytes: number } {
  const c = new Cursor(body);
  const statement = c.cstring(256);
  const start = c.pos;
  const query = c.cstring(maxChars);
  return { statement, query, queryBytes: Math.max(0, c.pos - start - 1) };
}

/** Bind: portal, statement, parameter values rendered (format codes applied). */
export function bindMessage(body: Uint8Array, maxValues: number, maxBytes: number): { portal: string; statement: string; parameters: Array<string | null>; count: number } {
  const c = new Cursor(body);
  const portal = c.cstring(256);
  const statement = c.cstring(256);
  const nf = c.int16();
  const formats: number[] = [];
  for (let i = 0; i < nf && !c.short; i++) formats.push(c.int16());
  const count = c.int16();
  const parameters: Array<string | null> = [];
  for (let i = 0; i < count && !c.short; i++) {
    const len = c.int32();
    if (len === 0xffffffff) { if (i < maxValues) parameters.push(null); continue; }
    const v = c.bytes(len);
    // One format code applies to all; none means text (protocol §55.7, Bind).
    const fmt = nf === 0 ? 0 : nf === 1 ? formats[0] : (formats[i] ?? 0);
    if (i < maxValues) parameters.push(renderValue(v, fmt, maxBytes));
  }
  return { portal, statement, parameters, count };
}

/** Count in a CommandComplete tag ("INSERT 0 5", "SELECT 3", "COPY 5"), or -1 when it has none. */
export function tagCount(tag: string): number {
  const sp = tag.lastIndexOf(' ');
  if (sp < 0) return -1;
  const n = Number(tag.slice(sp + 1));
  return Number.isInteger(n) && n >= 0 && /^(INSERT|DELETE|UPDATE|SELECT|MOVE|FETCH|COPY|MERGE) /.test(tag) ? n : -1;
}

/** Authentication request codes (the int32 of an 'R' message). */
export const AUTH_NAMES: Readonly<Record<number, string>> = {
  0: 'ok', 2: 'kerberos-v5', 3: 'cleartext', 5: 'md5', 7: 'gss', 8: 'gss-continue', 9: 'sspi',
  10: 'sasl', 11: 'sasl-continue', 12: 'sasl-final',
};

/** AuthenticationSASL: the offered mechanisms. */
export function saslMechanisms(body: Uint8Array): string[] {
  const c = new Cursor(body);
  c.int32();
  const out: string[] = [];
  while (c.left > 0 && out.length < 8) {
    const m = c.cstring(64);
    if (m === '') break;
    out.push(m);
  }
  return out;
}

/**
 * TLS grammar: ClientHello and ServerHello bodies (RFC 8446 §4.1.2-4.1.3,
 * RFC 5246 §7.4.1) decoded from one whole handshake message. Every read is
 * bounds-checked; a body that does not fit its lengths returns null (the
 * caller records the violation). Only numbers and short strings are kept:
 * no view into the caller's bytes outlives the call.
 */
import { isGrease } from './names.js';

/** Cipher suites, extensions, groups kept per hello (the count is always exact). */
export const MAX_HELLO_LIST = 128;
/** ALPN protocol names kept per hello. */
export const MAX_ALPN_PROTOCOLS = 16;

/** The ServerHello.random of a HelloRetryRequest (RFC 8446 §4.1.3). */
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

export interface ClientHello {
  legacyVersion: number;
  /** supported_versions (43), in order, GREASE included. */
  versions: number[];
  ciphers: number[];
  cipherCount: number;
  extensions: number[];
  sni: string;
  alpn: string[];
  groups: number[];
  pointFormats: number[];
}

export interface ServerHello {
  legacyVersion: number;
  /** supported_versions (43) selection, or 0. */
  selectedVersion: number;
  cipher: number;
  extensions: number[];
  alpn: string;
  helloRetry: boolean;
}

class Cursor {
  pos: number;
  constructor(readonly b: Uint8Array, start: number, readonly end: number) { this.pos = start; }
  has(n: number): boolean { return this.end - this.pos >= n; }
  u8(): number { return this.b[this.pos++]!; }
  u16(): number { const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!; this.pos += 2; return v; }
}

const latin1 = (b: Uint8Array, s: number, e: number): string => Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');

function push(list: number[], v: number): void {
  if (list.length < MAX_HELLO_LIST) list.push(v);
}

/** Walk the extensions block; `each(type, start, end)` sees each body. false on a length error. */
function extensions(c: Cursor, list: number[], each: (type: number, s: number, e: number) => boolean): boolean {
  if (c.pos === c.end) return true; // no extensions (SSL 3.0 / old TLS)
  if (!c.has(2)) return false;
  const total = c.u16();
  if (!c.has(total)) return false;
  const end = c.pos + total;
  while (c.pos < end) {
    if (end - c.pos < 4) return false;
    const type = c.u16();
    const len = c.u16();
    if (end - c.pos < len) return false;
    push(list, type);
    if (!each(type, c.pos, c.pos + len)) return false;
    c.pos += len;
  }
  return true;
}

function alpnList(b: Uint8Array, s: number, e: number, out: string[]): boolean {
  const c = new Cursor(b, s, e);
  if (!c.has(2)) return false;
  const n = c.u16();
  if (!c.has(n)) return false;
  const end = c.pos + n;
  while (c.pos < end) {
    const l = c.u8();
    if (end - c.pos < l) return false;
    if (out.length < MAX_ALPN_PROTOCOLS) out.push(latin1(b, c.pos, c.pos + l));
    c.pos += l;
  }
  return true;
}

function sniName(b: Uint8Array, s: number, e: number): string | null {
  const c = new Cursor(b, s, e);
  if (!c.has(2)) return s === e ? '' : null; // a ServerHello echoes an empty server_name
  const n = c.u16();
  if (!c.has(n)) return null;
  const end = c.pos + n;
  while (end - c.pos >= 3) {
    const type = c.u8();
    const l = c.u16();
    if (end - c.pos < l) return null;
    if (type === 0) return latin1(b, c.pos, c.pos + l);
    c.pos += l;
  }
  return '';
}

/** Body of a ClientHello (after the 4-byte handshake header). */
export function parseClientHello(b: Uint8Array, start: number, end: number): ClientHello | null {
  const c = new Cursor(b, start, end);
  if (!c.has(2 + 32 + 1)) return null;
  const h: ClientHello = { legacyVersion: c.u16(), versions: [], ciphers: [], cipherCount: 0, extensions: [], sni: '', alpn: [], groups: [], pointFormats: [] };
  c.pos += 32;
  const sid = c.u8();
  if (!c.has(sid + 2)) return null;
  c.pos += sid;
  const cs = c.u16();
  if (cs % 2 !== 0 || !c.has(cs + 1)) return null;
  for (let i = 0; i < cs; i += 2) push(h.ciphers, c.u16());
  h.cipherCount = cs / 2;
  const comp = c.u8();
  if (!c.has(comp)) return null;
  c.pos += comp;
  const ok = extensions(c, h.extensions, (type, s, e) => {
    const x = new Cursor(b, s, e);
    switch (type) {
      case 0: { const n = sniName(b, s, e); if (n === null) return false; h.sni = n; return true; }
      case 16: return alpnList(b, s, e, h.alpn);
      case 43: {
        if (!x.has(1)) return false;
        const n = x.u8();
        if (!x.has(n)) return false;
        for (let i = 0; i + 1 < n; i += 2) push(h.versions, x.u16());
        return true;
      }
      case 10: {
        if (!x.has(2)) return false;
        const n = x.u16();
        if (!x.has(n)) return false;
        for (let i = 0; i + 1 < n; i += 2) push(h.groups, x.u16());
        return true;
      }
      case 11: {
        if (!x.has(1)) return false;
        const n = x.u8();
        if (!x.has(n)) return false;
        for (let i = 0; i < n; i++) push(h.pointFormats, x.u8());
        return true;
      }
      default: return true;
    }
  });
  return ok ? h : null;
}

/** Body of a ServerHello (or HelloRetryRequest). */
export function parseServerHello(b: Uint8Array, start: number, end: number): ServerHello | null {
  const c = new Cursor(b, start, end);
  if (!c.has(2 + 32 + 1)) return null;
  const legacyVersion = c.u16();
  const helloRetry = Buffer.from(b.buffer, b.byteOffset + c.pos, 32).equals(HRR_RANDOM);
  c.pos += 32;
  const sid = c.u8();
  if (!c.has(sid + 3)) return null;
  c.pos += sid;
  const h: ServerHello = { legacyVersion, selectedVersion: 0, cipher: c.u16(), extensions: [], alpn: '', helloRetry };
  c.pos += 1; // compression method
  const ok = extensions(c, h.extensions, (type, s, e) => {
    if (type === 43) {
      if (e - s !== 2) return false;
      h.selectedVersion = (b[s]! << 8) | b[s + 1]!;
    } else if (type === 16) {
      const list: string[] = [];
      if (!alpnList(b, s, e, list)) return false;
      h.alpn = list[0] ?? '';
    }
    return true;
  });
  return ok ? h : null;
}

/** JA3 text (SSLVersion,Ciphers,Extensions,Groups,PointFormats), GREASE removed. */
export function ja3Text(h: ClientHello): string {
  const j = (l: number[]): string => l.filter((v) => !isGrease(v)).join('-');
  return `${h.legacyVersion},${j(h.ciphers)},${j(h.extensions)},${j(h.groups)},${h.pointFormats.join('-')}`;
}

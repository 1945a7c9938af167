/**
 * One parsed HTTP/1.x message (request or response) and the text parsing of
 * its head. The head is decoded once as latin1 (bytes 1:1 to code units) and
 * split here; everything else in the parser works on bytes.
 */
import type { EntryFlag } from '../../entries/types.js';
import { knownFieldName, knownMethod, knownReason } from './names.js';

const NO_FLAGS: readonly EntryFlag[] = Object.freeze([]);
const EMPTY_BODY = Buffer.alloc(0);
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
/** Up to this many body bytes a byte loop copies faster than Buffer#copy (argument checks, a native call). */
const SMALL_COPY_BYTES = 32;

export class HttpMessage {
  method = '';
  /** Request-target as sent ('' when the request line had none). */
  target = '';
  status = 0;
  reason = '';
  /** 'HTTP/1.1' as sent; 'HTTP/0.9' for a simple request or a response without status line. */
  version = '';
  /**
   * Lower-cased names; repeated fields joined with ", ". Owned by the entry once emitted. A shared frozen
   * empty record until the head is split (a repeated head brings its own shared record, so a fresh one here was waste).
   */
  headers: Record<string, string> = NO_HEADERS;
  /** Bytes of the start line and header fields, with the empty line that ends them. */
  headersSize = 0;
  trailers: Record<string, string> | null = null;
  /** Anomalies of this message; a shared empty array until the first one (most messages have none). */
  flags: readonly EntryFlag[] = NO_FLAGS;
  /** Capture time of the first and of the last byte seen of this message. */
  firstTs: number;
  lastTs: number;
  /** Body length after transfer decoding, counting bytes lost in gaps. */
  bodySize = 0;
  /** Copies of body bytes, up to the cap given to `addBody`: the first, and any after it (most bodies are one piece; an array per message was a tenth of a read's allocations). */
  private first: Buffer | null = null;
  private rest: Buffer[] | null = null;
  private kept = 0;
  /** Body bytes were dropped because of the cap (not because of a gap). */
  overCap = false;
  /**
   * Set by the binding in the head hook: this response has no body whatever
   * its fields say (response to HEAD, 2xx to CONNECT).
   */
  bodyless = false;

  constructor(readonly isRequest: boolean, ts: number) {
    this.firstTs = ts;
    this.lastTs = ts;
  }

  flag(f: EntryFlag): void {
    if (this.flags === NO_FLAGS) this.flags = [f];
    else if (!this.flags.includes(f)) (this.flags as EntryFlag[]).push(f);
  }

  /** Count `n` body bytes at `data[off..]`, keeping a copy of those under `cap`. */
  addBody(data: Buffer, off: number, n: number, cap: number): void {
    this.bodySize += n;
    const room = cap - this.kept;
    if (n > room) this.overCap = true;
    if (room <= 0) return;
    const take = n < room ? n : room;
    // Copy (not Buffer#slice, which is a view): the caller's buffer is reused.
    const copy = Buffer.allocUnsafe(take);
    if (take <= SMALL_COPY_BYTES) for (let k = 0; k < take; k++) copy[k] = data[off + k];
    else copy.set(data.subarray(off, off + take));
    if (this.first === null) this.first = copy;
    else (this.rest ??= []).push(copy);
    this.kept += take;
  }

  /** Body bytes that were never captured. */
  addGap(n: number): void {
    this.bodySize += n;
    this.flag('gap');
  }

  get keptBytes(): number {
    return this.kept;
  }

  /** The kept body bytes, joined once. */
  body(): Buffer {
    if (this.rest === null) return this.first ?? EMPTY_BODY;
    const out = Buffer.concat([this.first!, ...this.rest], this.kept);
    this.first = out;
    this.rest = null;
    return out;
  }
}

/** Anomalies found while splitting a head, reported by name. */
export type HeadWeird = (name: string) => void;

/**
 * The previous head of one direction and what it parsed to. On a keep-alive
 * connection a client often repeats its request head byte for byte (and a
 * server its response head within the same second, Date included): a head
 * equal to the remembered one costs one string comparison instead of a
 * parse, and its messages share one frozen header record. Parsing depends on the head's text
 * alone, so the result is the same; heads that raised a weird or a flag are
 * never remembered.
 */
export class HeadCache {
  /** Head text (start line to empty line) or '' when none is remembered. */
  head = '';
  method = '';
  target = '';
  status = 0;
  reason = '';
  version = '';
  /**
   * The first message's record, frozen when the head repeats and then shared
   * by every message with this head: entries are values, and the JSON writer
   * serializes a frozen record once (output/http-json.ts). A head seen once
   * is never frozen, so the writer remembers nothing for it.
   */
  headers: Readonly<Record<string, string>> = {};
  /** Times the remembered head was reused. */
  hits = 0;
  /** The remembered head's bytes, made at its first repeat (the parser compares them before decoding anything); else null. */
  bytes: Buffer | null = null;
}

/** Fill `m` from the remembered head, which it repeats (its record frozen at the first repeat, then shared). */
export function reuseHead(m: HttpMessage, cache: HeadCache): void {
  m.method = cache.method;
  m.target = cache.target;
  m.status = cache.status;
  m.reason = cache.reason;
  m.version = cache.version;
  if (cache.hits++ === 0) {
    m.headers = Object.freeze(cache.headers);
    cache.bytes = Buffer.from(cache.head, 'latin1');
  } else {
    m.headers = cache.headers;
  }
}

/**
 * Fill `m` from a head decoded as latin1: `s[0..n)` holds the start line
 * (unless `trailers`), the field lines and possibly the empty line. Lines end
 * in LF or CRLF; an unfinished last line (a head cut by a gap) is ignored.
 * Field names of common headers come from a table of constants: building a
 * record from freshly sliced keys costs far more than the parse itself.
 * `cache` (heads only, not trailers) skips the parse of a repeated head.
 */
export function parseHead(s: string, n: number, m: HttpMessage, trailers: boolean, weird: HeadWeird, cache: HeadCache | null): void {
  let head = '';
  if (cache !== null && !trailers && m.flags.length === 0) {
    head = n === s.length ? s : s.slice(0, n);
    if (head === cache.head) {
      reuseHead(m, cache);
      return;
    }
  }
  const folded = splitHead(s, n, m, trailers, weird);
  if (head !== '' && !folded && m.flags.length === 0) {
    // Every weird of a head but obs-fold also flags 'violation': this head raised nothing.
    const c = cache!;
    c.head = head;
    c.method = m.method;
    c.target = m.target;
    c.status = m.status;
    c.reason = m.reason;
    c.version = m.version;
    c.headers = m.headers;
    c.hits = 0;
    c.bytes = null;
  }
}

/** The parse behind parseHead; true when an obs-fold line was seen. */
function splitHead(s: string, n: number, m: HttpMessage, trailers: boolean, weird: HeadWeird): boolean {
  let i = 0;
  let folded = false;
  if (!trailers) {
    let nl = s.indexOf('\n');
    if (nl < 0 || nl > n) nl = n;
    parseStartLine(s, nl, m, weird);
    i = nl + 1;
  }
  const fields: Record<string, string> = trailers ? {} : (m.headers = {});
  let last = '';
  while (i < n) {
    const nl = s.indexOf('\n', i);
    if (nl < 0 || nl >= n) break;
    let e = nl;
    if (e > i && s.charCodeAt(e - 1) === 13) e--;
    if (e === i) break;
    const c0 = s.charCodeAt(i);
    if (c0 === 32 || c0 === 9) {
      // obs-fold (RFC 9112 §5.2): replace with one SP and append.
      weird('http_obs_fold');
      folded = true;
      if (last !== '') fields[last] += ' ' + s.slice(i, e).trim();
      i = nl + 1;
      continue;
    }
    // String#indexOf beats a charCodeAt loop; a colon past the line end means none.
    const colon = s.indexOf(':', i);
    let ne = colon;
    while (ne > i && (s.charCodeAt(ne - 1) === 32 || s.charCodeAt(ne - 1) === 9)) ne--;
    if (colon < 0 || colon >= e || ne === i) {
      weird('http_bad_header_line');
      m.flag('violation');
      i = nl + 1;
      continue;
    }
    if (ne !== colon) {
      weird('http_space_before_colon'); // RFC 9112 §5.1: a server must reject these
      m.flag('violation');
    }
    let vs = colon + 1;
    while (vs < e && (s.charCodeAt(vs) === 32 || s.charCodeAt(vs) === 9)) vs++;
    let ve = e;
    while (ve > vs && (s.charCodeAt(ve - 1) === 32 || s.charCodeAt(ve - 1) === 9)) ve--;
    last = knownFieldName(s, i, ne) ?? s.slice(i, ne).toLowerCase();
    addField(fields, last, s.slice(vs, ve));
    i = nl + 1;
  }
  if (trailers) m.trailers = fields;
  return folded;
}

/** Add a field, joining repeats with ", " (RFC 9110 §5.3). */
export function addField(rec: Record<string, string>, name: string, value: string): void {
  const prev = rec[name];
  // Inherited members ('constructor', '__proto__') are never strings.
  if (typeof prev === 'string') rec[name] = prev + ', ' + value;
  else if (name === '__proto__') Object.defineProperty(rec, name, { value, enumerable: true, writable: true, configurable: true });
  else rec[name] = value;
}

const isWs = (c: number): boolean => c === 13 || c === 32 || c === 9;

/** The start line is `s[0..nl)`; its shape was checked on bytes already (classifyStartLine). */
function parseStartLine(s: string, nl: number, m: HttpMessage, weird: HeadWeird): void {
  let e = nl;
  while (e > 0 && isWs(s.charCodeAt(e - 1))) e--;
  const sp1 = s.indexOf(' ');
  let version: string;
  if (m.isRequest) {
    m.method = knownMethod(s, sp1) ?? s.slice(0, sp1);
    const sp2 = s.lastIndexOf(' ', e - 1);
    if (sp2 > sp1) {
      let ts = sp1 + 1;
      let te = sp2;
      while (ts < te && s.charCodeAt(ts) === 32) ts++;
      while (te > ts && s.charCodeAt(te - 1) === 32) te--;
      m.target = s.slice(ts, te);
      version = versionOf(s, sp2 + 1, e);
      if (m.target.includes(' ')) {
        weird('http_space_in_target');
        m.flag('violation');
      }
    } else if (s.startsWith('HTTP/', sp1 + 1)) {
      weird('http_request_without_target');
      m.flag('violation');
      version = versionOf(s, sp1 + 1, e);
    } else {
      m.target = s.slice(sp1 + 1, e);
      version = 'HTTP/0.9';
    }
  } else {
    version = versionOf(s, 0, sp1);
    let p = sp1;
    while (s.charCodeAt(p) === 32) p++;
    m.status = (s.charCodeAt(p) - 48) * 100 + (s.charCodeAt(p + 1) - 48) * 10 + (s.charCodeAt(p + 2) - 48);
    p += 3;
    while (p < e && (s.charCodeAt(p) === 32 || s.charCodeAt(p) === 9)) p++;
    m.reason = knownReason(s, p, e) ?? s.slice(p, e);
  }
  m.version = version;
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0' && !isStrictVersionString(version)) {
    weird('http_bad_version');
    m.flag('violation');
  }
}

function isStrictVersionString(v: string): boolean {
  if (v.length !== 8 || !v.startsWith('HTTP/') || v.charCodeAt(6) !== 46) return false;
  const a = v.charCodeAt(5);
  const b = v.charCodeAt(7);
  return a >= 48 && a <= 57 && b >= 48 && b <= 57;
}

/** `s[a..b)` as a version string; the two common ones without allocating. */
function versionOf(s: string, a: number, b: number): string {
  if (b - a === 8 && s.startsWith('HTTP/1.', a)) {
    const minor = s.charCodeAt(a + 7);
    if (minor === 49) return 'HTTP/1.1';
    if (minor === 48) return 'HTTP/1.0';
  }
  return s.slice(a, b);
}

/**
 * Content-Length per RFC 9110 §8.6: digits only; a list of one repeated
 * value ("42, 42", or the same field twice) is accepted as that value but
 * reported. Returns -1 when invalid or conflicting.
 */
export function parseContentLength(v: string): { length: number; repeated: boolean } {
  let length = -1;
  let repeated = false;
  let start = 0;
  for (;;) {
    let end = v.indexOf(',', start);
    if (end < 0) end = v.length;
    let a = start;
    let b = end;
    while (a < b && (v.charCodeAt(a) === 32 || v.charCodeAt(a) === 9)) a++;
    while (b > a && (v.charCodeAt(b - 1) === 32 || v.charCodeAt(b - 1) === 9)) b--;
    if (b === a || b - a > 15) return { length: -1, repeated };
    let n = 0;
    for (let k = a; k < b; k++) {
      const c = v.charCodeAt(k);
      if (c < 48 || c > 57) return { length: -1, repeated };
      n = n * 10 + (c - 48);
    }
    if (length === -1) length = n;
    else if (n !== length) return { length: -1, repeated: true };
    else repeated = true;
    if (end === v.length) return { length, repeated };
    start = end + 1;
  }
}

/** Is "chunked" the final transfer coding (RFC 9112 §6.3)? */
export function isChunkedFinal(te: string): boolean {
  let e = te.length;
  while (e > 0 && (te.charCodeAt(e - 1) === 32 || te.charCodeAt(e - 1) === 9 || te.charCodeAt(e - 1) === 44)) e--;
  let s = te.lastIndexOf(',', e - 1) + 1;
  while (s < e && (te.charCodeAt(s) === 32 || te.charCodeAt(s) === 9)) s++;
  // Parameters on chunked are not allowed; compare the bare token.
  return e - s === 7 && te.slice(s, e).toLowerCase() === 'chunked';
}

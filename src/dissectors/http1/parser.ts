// Hand-written, not llhttp or regexes: bytes arrive in any split, with gaps and garbage, and a whole head should cost one latin1 decode and a String#indexOf per line.
/**
 * Incremental HTTP/1.x message parser for one direction of a connection.
 * Requests and responses share the machine; they differ in the start line,
 * in body framing (RFC 9112 §6.3) and in HTTP/0.9 handling.
 *
 * Contract:
 *   1. `feed(data, ts)` takes in-order bytes in any split; `data` is only read
 *      during the call: head bytes that straddle feeds are copied into one
 *      growable buffer per direction, body bytes are copied up to the cap.
 *   2. `hooks.head(m)` fires once a message's head is parsed (before its body:
 *      the binding may set `m.bodyless`), `hooks.message(m)` once it is whole.
 *      Hooks may call `pause()`, `stop()` or `resume()` on either parser.
 *   3. `gap(len)` — lost bytes. Inside a Content-Length body or chunk data the
 *      bytes are counted and parsing continues; elsewhere the message in
 *      progress is emitted flagged 'gap' and the parser resynchronises at the
 *      next line that plainly starts a message, scanning only new bytes.
 *   4. `end(ts)` — the direction closed: a close-delimited body ends here,
 *      anything else in progress is emitted flagged 'truncated'.
 *   5. Heads: when a head starts and ends (its empty line) within one feed it
 *      is decoded once from the caller's view and split with String#indexOf, no
 *      copy (`wholeHead`); anything else goes through the line-by-line scan,
 *      which gives the same result.
 *   6. A limit hit (head size, field count, chunk line) or unrecoverable
 *      framing (bad Content-Length, unknown final transfer coding on a
 *      request) flags 'violation', reports a weird, and abandons the
 *      direction: later bytes are ignored and counted, never re-parsed.
 * Nothing here throws on traffic.
 */
import type { DetectResult } from '../types.js';
import { ChunkLine, ChunkLineResult } from './chunk-line.js';
import { HeadCache, HttpMessage, isChunkedFinal, parseContentLength, parseHead, reuseHead } from './message.js';
import {
  CR, LF, LineKind, MAX_METHOD_BYTES, SP,
  classifyStartLine, httpSlashPrefix, lenientRequestPrefix, strictRequestPrefix,
} from './start-line.js';

/** Start line plus header fields (and, separately, a trailer block). */
export const MAX_HEADER_BYTES = 64 * 1024;
/** Header (or trailer) field lines per message. */
export const MAX_HEADERS = 256;
/** Bytes decoded at once when looking for a whole head in one feed; longer heads take the line scan. */
const HEAD_PROBE_BYTES = 4096;
/** Bytes scanned for a plausible start line before a direction is given up. */
export const MAX_RESYNC_SCAN_BYTES = 16 * 1024 * 1024;
/** Bytes held after a CONNECT or Upgrade request until the response decides what they are. */
export const MAX_PAUSED_BYTES = 64 * 1024;
/** Enough bytes to decide whether a line plainly starts a message. */
const PROBE_BYTES = MAX_METHOD_BYTES + 8;

export interface ParserHooks {
  head(m: HttpMessage): void;
  message(m: HttpMessage): void;
  weird(name: string): void;
  /** Response parser only: may bytes without a status line be an HTTP/0.9 response? */
  simpleResponseAllowed(): boolean;
}

export interface ParserCounters {
  messages: number;
  violations: number;
  resyncs: number;
  gaps: number;
  gapBytes: number;
  /** Bytes dropped while paused past MAX_PAUSED_BYTES, or ignored after the direction stopped. */
  ignoredBytes: number;
  /** Why the direction was abandoned (a weird name), or null. */
  abandoned: string | null;
}

const enum St { Start, Head, BodyLength, BodyEof, ChunkSize, ChunkData, ChunkDataEnd, Resync, Paused, Done }


/** Buffer#latin1Slice skips toString's argument handling; it is undocumented, so fall back if it goes. */
type Latin1 = { latin1Slice(start: number, end: number): string };
const HAS_LATIN1_SLICE = typeof (Buffer.prototype as unknown as Partial<Latin1>).latin1Slice === 'function';

function latin1(b: Buffer, start: number, end: number): string {
  return HAS_LATIN1_SLICE ? (b as unknown as Latin1).latin1Slice(start, end) : b.toString('latin1', start, end);
}

/** Decode `b[start..end)` and fill `m` from it (see parseHead). */
function parseHeadOf(b: Buffer, start: number, end: number, m: HttpMessage, trailers: boolean,
                     weird: (name: string) => void, cache: HeadCache | null): void {
  const s = latin1(b, start, end);
  parseHead(s, s.length, m, trailers, weird, trailers ? null : cache);
}

/** A Buffer view of the caller's bytes (no copy): Buffer#indexOf is much faster than Uint8Array#indexOf. */
function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/**
 * The last memory a plain Uint8Array was fed from, and one Buffer over all of
 * it: the capture reader hands out views of one reused read buffer (live:
 * of a few batch buffers), so a feed is nearly always a window of the same
 * memory, parsed at its own offsets without a new Buffer object per packet.
 * Only the identity is compared, never read through without a new feed; it
 * keeps that one buffer alive until a feed from other memory.
 */
let wholeOf: ArrayBufferLike | null = null;
let whole: Buffer | null = null;

/**
 * The first LF in `b[from, to)`, or -1. Buffer#indexOf takes no end, and a
 * feed is a window of a larger buffer: past `to` lie other packets' bytes,
 * which a plain search would read (up to the whole buffer per call).
 */
function lfWithin(b: Buffer, from: number, to: number): number {
  if (to - from <= 32) {
    for (let i = from; i < to; i++) if (b[i] === LF) return i;
    return -1;
  }
  const i = to === b.length ? b.indexOf(LF, from) : b.subarray(from, to).indexOf(LF);
  return i < 0 ? -1 : to === b.length ? i : from + i;
}

/** A copy that outlives the caller's buffer (Buffer#slice would be a view). */
function copyOf(u: Uint8Array, start: number, end: number): Buffer {
  const c = Buffer.allocUnsafe(end - start);
  c.set(u.subarray(start, end));
  return c;
}

export class MessageParser {
  readonly counters: ParserCounters = {
    messages: 0, violations: 0, resyncs: 0, gaps: 0, gapBytes: 0, ignoredBytes: 0, abandoned: null,
  };
  private st = St.Start;
  private msg: HttpMessage | null = null;
  private sawMessage = false;
  // Head scan (also used for trailers): bytes from earlier feeds live in hbuf.
  private hbuf: Buffer | null = null;
  private hlen = 0;
  private lineBytes = 0;
  private lineFirst = 0;
  private lines = 0;
  private prefix: DetectResult = 'more';
  private trailerMode = false;
  /** The head in progress began at a resync candidate: reject quietly. */
  private resyncing = false;
  // Bodies: bytes left of a Content-Length body or of a chunk.
  private remaining = 0;
  private readonly chunkLine = new ChunkLine();
  /** A CR was seen where the CRLF after chunk data belongs. */
  private chunkCR = false;
  // Resync.
  private atLineStart = false;
  private readonly probe = new Uint8Array(PROBE_BYTES);
  private probeLen = 0;
  private scanned = 0;
  // Pause.
  private held: Uint8Array | null = null;
  private heldLen = 0;
  private heldDropped = 0;
  private heldVerdict: DetectResult = 'more';

  private readonly weird: (name: string) => void;
  /** The previous head's lines and their parse, reused when the next head repeats them. */
  private readonly heads = new HeadCache();

  constructor(
    readonly isRequest: boolean,
    private readonly hooks: ParserHooks,
    private readonly maxBodyBytes: number,
  ) {
    this.weird = (name) => hooks.weird(name);
  }

  /** True once the direction is finished: stopped, abandoned or ended. */
  get done(): boolean {
    return this.st === St.Done;
  }

  get paused(): boolean {
    return this.st === St.Paused;
  }

  feed(data: Uint8Array, ts: number): void {
    if (Buffer.isBuffer(data)) { this.run(data, 0, data.length, ts); return; }
    const ab = data.buffer;
    if (ab !== wholeOf) { wholeOf = ab; whole = Buffer.from(ab); }
    const start = data.byteOffset;
    this.run(whole!, start, start + data.length, ts);
  }

  /** Hold later bytes (after a CONNECT or Upgrade request) until `resume()` or `stop()`. */
  pause(): void {
    if (this.st === St.Start) this.st = St.Paused;
  }

  /** The response did not switch protocols: parse the held bytes as HTTP. */
  resume(ts: number): void {
    if (this.st !== St.Paused) return;
    this.st = St.Start;
    const held = this.held !== null ? copyOf(this.held, 0, this.heldLen) : null;
    const dropped = this.heldDropped;
    this.held = null;
    this.heldLen = this.heldDropped = 0;
    this.heldVerdict = 'more';
    if (held !== null && held.length > 0) this.run(held, 0, held.length, ts);
    if (dropped > 0) this.gap(dropped, ts);
  }

  /** The connection switched protocols: ignore the rest of this direction. */
  stop(): void {
    this.held = null;
    this.st = St.Done;
  }

  gap(len: number, ts: number): void {
    if (len <= 0) return;
    this.counters.gaps++;
    this.counters.gapBytes += len;
    const m = this.msg;
    switch (this.st) {
      case St.Start:
        this.toResync();
        return;
      case St.Head:
        if (this.trailerMode) {
          m!.flag('gap');
          this.finish(ts);
        } else if (this.resyncing) {
          this.msg = null;
          this.hlen = 0;
          this.st = St.Start;
        } else {
          this.partialHead('gap');
          if (this.st === St.Head) this.st = St.Start;
        }
        this.toResync();
        return;
      case St.BodyLength:
      case St.ChunkData:
        if (len < this.remaining) {
          m!.addGap(len);
          this.remaining -= len;
        } else if (len === this.remaining && this.st === St.ChunkData) {
          m!.addGap(len);
          this.remaining = 0;
          this.st = St.ChunkDataEnd;
          this.chunkCR = false;
        } else {
          m!.addGap(this.remaining);
          const excess = len - this.remaining;
          this.remaining = 0;
          this.finish(ts);
          if (excess > 0) this.toResync();
        }
        return;
      case St.ChunkSize:
      case St.ChunkDataEnd:
        m!.flag('gap');
        this.finish(ts);
        this.toResync();
        return;
      case St.BodyEof:
        m!.addGap(len);
        return;
      case St.Resync:
        this.atLineStart = true;
        this.probeLen = 0;
        return;
      case St.Paused:
        this.heldDropped += len;
        return;
      default:
        this.counters.ignoredBytes += len;
    }
  }

  end(ts: number): void {
    const m = this.msg;
    switch (this.st) {
      case St.BodyEof:
        this.finish(m!.lastTs); // the last byte, not the FIN, ends the message
        break;
      case St.BodyLength:
      case St.ChunkSize:
      case St.ChunkData:
      case St.ChunkDataEnd:
        this.weird('http_truncated_body');
        m!.flag('truncated');
        this.finish(m!.lastTs);
        break;
      case St.Head:
        if (this.trailerMode) {
          m!.flag('truncated');
          this.finish(m!.lastTs);
        } else if (!this.resyncing) {
          this.partialHead('truncated');
        }
        break;
      case St.Paused:
        this.counters.ignoredBytes += this.heldLen + this.heldDropped;
        break;
      default:
        break;
    }
    this.msg = null;
    this.held = null;
    this.st = St.Done;
  }

  private run(data: Buffer, pos: number, end: number, ts: number): void {
    if (this.msg !== null) this.msg.lastTs = ts;
    while (pos < end) {
      switch (this.st) {
        case St.Start: pos = this.onStart(data, pos, end, ts); break;
        case St.Head: pos = this.onHead(data, pos, end, ts); break;
        case St.BodyLength: pos = this.onLength(data, pos, end, ts); break;
        case St.BodyEof:
          this.msg!.addBody(data, pos, end - pos, this.maxBodyBytes);
          this.msg!.lastTs = ts;
          pos = end;
          break;
        case St.ChunkSize: pos = this.onChunkSize(data, pos, end, ts); break;
        case St.ChunkData: pos = this.onLength(data, pos, end, ts); break;
        case St.ChunkDataEnd: pos = this.onChunkDataEnd(data, pos); break;
        case St.Resync: pos = this.onResync(data, pos, end, ts); break;
        case St.Paused: pos = this.onPaused(data, pos, end, ts); break;
        default:
          this.counters.ignoredBytes += end - pos;
          return;
      }
    }
  }

  private onStart(data: Buffer, pos: number, end: number, ts: number): number {
    // RFC 9112 §2.2: empty lines before a message are ignored.
    while (pos < end && (data[pos] === CR || data[pos] === LF)) pos++;
    if (pos < end) this.begin(ts, false);
    return pos;
  }

  private begin(ts: number, resyncing: boolean): void {
    this.msg = new HttpMessage(this.isRequest, ts);
    this.st = St.Head;
    this.hlen = this.lineBytes = this.lines = 0;
    this.prefix = 'more';
    this.trailerMode = false;
    this.resyncing = resyncing;
  }

  private onHead(data: Buffer, pos: number, end: number, ts: number): number {
    const oldH = this.hlen;
    if (oldH === 0 && !this.trailerMode) {
      const next = this.wholeHead(data, pos, end, ts);
      if (next >= 0) return next;
    }
    let arr: Buffer;
    let base: number;
    let from: number;
    let to: number;
    let appended = 0;
    if (oldH === 0) {
      arr = data;
      base = from = pos;
      to = end;
    } else {
      appended = Math.min(end - pos, MAX_HEADER_BYTES + 1 - oldH);
      this.append(data, pos, appended);
      arr = this.hbuf!;
      base = 0;
      from = oldH;
      to = this.hlen;
    }
    if (this.prefix === 'more' && !this.trailerMode) {
      const v = !this.isRequest ? httpSlashPrefix(arr, base, to)
        : this.resyncing ? strictRequestPrefix(arr, base, to) : lenientRequestPrefix(arr, base, to);
      if (v === 'no') return this.rejectStart(arr, base, base, false, data, pos, appended, ts);
      this.prefix = v;
    }
    let p = from;
    while (p < to) {
      const lf = lfWithin(arr, p, to);
      if (lf < 0) {
        if (this.lineBytes === 0) this.lineFirst = arr[p];
        this.lineBytes += to - p;
        break;
      }
      if (lf + 1 - base > MAX_HEADER_BYTES) return this.headLimit('http_header_bytes_limit', arr, base, base + MAX_HEADER_BYTES + 1, data, end, ts);
      const n = this.lineBytes + (lf - p);
      const first = this.lineBytes > 0 ? this.lineFirst : arr[p];
      this.lineBytes = 0;
      if (n === 0 || (n === 1 && first === CR)) return this.headDone(arr, base, lf + 1, data, pos, oldH, ts);
      if (this.lines === 0 && !this.trailerMode) {
        const kind = classifyStartLine(arr, base, lf, this.isRequest, this.resyncing);
        if (kind === LineKind.Bad) return this.rejectStart(arr, base, lf + 1, true, data, pos, appended, ts);
        if (kind === LineKind.Simple) return this.simpleRequest(arr, base, lf + 1, data, pos, oldH, ts);
      }
      if (++this.lines > MAX_HEADERS + 1) return this.headLimit('http_header_count_limit', arr, base, p, data, end, ts);
      p = lf + 1;
    }
    if (to - base > MAX_HEADER_BYTES) return this.headLimit('http_header_bytes_limit', arr, base, base + MAX_HEADER_BYTES + 1, data, end, ts);
    if (arr === data) this.append(data, pos, end - pos);
    return end;
  }

  /**
   * Fast path for a head that starts at `pos` and ends within this feed's
   * first HEAD_PROBE_BYTES (nearly every head): one latin1 decode straight
   * from the caller's view (no copy into hbuf), then a String#indexOf per line
   * finds the first empty line (LF LF or LF CR LF, so bare-LF endings too) and
   * counts lines; parseHead splits the same string. Returns -1 to leave
   * anything unusual to the general scan (HTTP/0.9, bad start lines, limits,
   * a head that does not end here), which gives the same result for it
   * whatever the split. Before all that, a repeat of the remembered head is
   * recognised by one byte comparison: it would pass the same checks (they
   * read only its bytes; outside resync they are the lenient ones) and parse
   * to the same fields.
   */
  private wholeHead(data: Buffer, pos: number, end: number, ts: number): number {
    const known = this.heads.bytes;
    if (known !== null && !this.resyncing && end - pos >= known.length && data[pos] === known[0]
      && this.msg!.flags.length === 0 && data.compare(known, 0, known.length, pos, pos + known.length) === 0) {
      const m = this.msg!;
      m.headersSize = known.length;
      reuseHead(m, this.heads);
      this.headParsed(m, ts);
      return pos + known.length;
    }
    const cap = end - pos > HEAD_PROBE_BYTES ? pos + HEAD_PROBE_BYTES : end;
    const s = latin1(data, pos, cap);
    let lf1 = -1;
    let lines = 0;
    let stop = -1;
    for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) {
      if (lf1 < 0) lf1 = i;
      lines++;
      const c = s.charCodeAt(i + 1);
      if (c === LF) {
        stop = i + 2;
        break;
      }
      if (c === CR && s.charCodeAt(i + 2) === LF) {
        stop = i + 3;
        break;
      }
    }
    if (stop < 0 || lines > MAX_HEADERS + 1) return -1;
    const v = !this.isRequest ? httpSlashPrefix(data, pos, pos + stop)
      : this.resyncing ? strictRequestPrefix(data, pos, pos + stop) : lenientRequestPrefix(data, pos, pos + stop);
    if (v !== 'match') return -1;
    if (classifyStartLine(data, pos, pos + lf1, this.isRequest, this.resyncing) !== LineKind.Ok) return -1;
    const m = this.msg!;
    m.headersSize = stop;
    parseHead(s, stop, m, false, this.weird, this.heads);
    this.headParsed(m, ts);
    return pos + stop;
  }

  /** Copy head bytes that must outlive this feed into the direction's buffer. */
  private append(data: Buffer, pos: number, n: number): void {
    const need = this.hlen + n;
    let b = this.hbuf;
    if (b === null || b.length < need) {
      const size = Math.min(Math.max(need, b === null ? 1024 : b.length * 2), MAX_HEADER_BYTES + 1);
      const nb = Buffer.alloc(size);
      if (b !== null) nb.set(b.subarray(0, this.hlen));
      this.hbuf = b = nb;
    }
    b.set(data.subarray(pos, pos + n), this.hlen);
    this.hlen = need;
  }

  /** Where the feed continues once the head buffer's bytes from `from` are re-read in the new state. */
  private reread(arr: Buffer, from: number, data: Buffer, pos: number, appended: number, ts: number): number {
    if (arr === data) return from;
    const rest = copyOf(arr, from, this.hlen); // hbuf is reused by what follows
    this.hlen = 0;
    this.run(rest, 0, rest.length, ts);
    return pos + appended;
  }

  private rejectStart(arr: Buffer, base: number, resumeAt: number, lineDone: boolean,
                      data: Buffer, pos: number, appended: number, ts: number): number {
    const m = this.msg!;
    this.msg = null;
    if (this.resyncing) {
      this.st = St.Resync;
      this.atLineStart = lineDone;
    } else if (!this.isRequest && !lineDone && this.hooks.simpleResponseAllowed()) {
      // HTTP/0.9 response: no status line, the body runs to the end of the stream.
      this.weird('http_09_response');
      m.version = 'HTTP/0.9';
      this.msg = m;
      this.st = St.BodyEof;
      this.hooks.head(m);
      resumeAt = base;
    } else {
      if (this.sawMessage) {
        this.weird('http_bad_start_line');
        this.counters.violations++;
      } else {
        this.weird('http_midstream_start');
      }
      this.st = St.Resync;
      this.atLineStart = lineDone;
      this.probeLen = this.scanned = 0;
    }
    return this.reread(arr, resumeAt, data, pos, appended, ts);
  }

  private simpleRequest(arr: Buffer, base: number, stop: number, data: Buffer, pos: number, oldH: number, ts: number): number {
    const m = this.msg!;
    this.weird('http_09_request');
    parseHeadOf(arr, base, stop, m, false, this.weird, this.heads);
    m.version = 'HTTP/0.9';
    m.headersSize = stop - base;
    this.hlen = 0;
    this.hooks.head(m);
    if (this.msg === m) this.finish(ts);
    return arr === data ? stop : pos + (stop - oldH);
  }

  private headDone(arr: Buffer, base: number, stop: number, data: Buffer, pos: number, oldH: number, ts: number): number {
    const next = arr === data ? stop : pos + (stop - oldH);
    const m = this.msg!;
    const weird = this.weird;
    this.hlen = 0;
    if (this.trailerMode) {
      if (stop - base > 2) parseHeadOf(arr, base, stop, m, true, weird, this.heads);
      this.finish(ts);
      return next;
    }
    m.headersSize = stop - base;
    parseHeadOf(arr, base, stop, m, false, weird, this.heads);
    this.headParsed(m, ts);
    return next;
  }

  private headParsed(m: HttpMessage, ts: number): void {
    this.hlen = 0;
    if (this.resyncing) {
      this.resyncing = false;
      this.counters.resyncs++;
      this.weird('http_resync');
    }
    this.hooks.head(m);
    if (this.msg === m && this.st === St.Head) this.startBody(m, ts);
  }

  /** A limit was hit inside a head: emit what was parsed, flagged, and abandon the direction. */
  private headLimit(name: string, arr: Buffer, base: number, stop: number, data: Buffer, end: number, ts: number): number {
    const m = this.msg!;
    this.weird(name);
    this.counters.violations++;
    m.flag('violation');
    if (this.trailerMode) {
      this.finish(ts);
    } else if (this.lines > 0) {
      m.headersSize = stop - base;
      parseHeadOf(arr, base, stop, m, false, this.weird, this.heads);
      this.hooks.head(m);
      if (this.msg === m) this.finish(ts);
    }
    this.abandon(name);
    return arr === data ? stop : end; // the rest is counted as ignored
  }

  /** Emit a message whose head was cut (gap or end of stream) if its start line is whole. */
  private partialHead(flag: 'gap' | 'truncated'): void {
    const m = this.msg!;
    const len = this.hlen;
    this.hlen = 0;
    if (this.lines === 0) {
      this.msg = null;
      this.weird('http_partial_start_line');
      return;
    }
    m.flag(flag);
    m.headersSize = len;
    parseHeadOf(this.hbuf!, 0, len, m, false, this.weird, this.heads);
    this.hooks.head(m);
    if (this.msg === m) this.finish(m.lastTs);
  }

  /** Body framing, RFC 9112 §6.3. */
  private startBody(m: HttpMessage, ts: number): void {
    if (!m.isRequest && (m.bodyless || (m.status >= 100 && m.status < 200) || m.status === 204 || m.status === 304)) {
      this.finish(ts);
      return;
    }
    const weird = this.weird;
    const te = m.headers['transfer-encoding'];
    const cl = m.headers['content-length'];
    if (typeof te === 'string') {
      if (typeof cl === 'string') {
        weird('http_te_and_cl'); // TE wins; a smuggling attempt or a broken proxy
        m.flag('violation');
      }
      if (isChunkedFinal(te)) {
        this.resetChunkLine();
        this.st = St.ChunkSize;
      } else if (m.isRequest) {
        weird('http_bad_transfer_encoding');
        m.flag('violation');
        this.finish(ts);
        this.abandon('http_bad_transfer_encoding');
      } else {
        this.st = St.BodyEof;
      }
      return;
    }
    if (typeof cl === 'string') {
      const { length, repeated } = parseContentLength(cl);
      if (repeated || length < 0) {
        weird(length < 0 ? 'http_bad_content_length' : 'http_repeated_content_length');
        m.flag('violation');
      }
      if (length < 0) {
        this.finish(ts);
        this.abandon('http_bad_content_length');
      } else if (length === 0) {
        this.finish(ts);
      } else {
        this.remaining = length;
        this.st = St.BodyLength;
      }
      return;
    }
    if (m.isRequest) this.finish(ts);
    else this.st = St.BodyEof;
  }

  private onLength(data: Buffer, pos: number, end: number, ts: number): number {
    const m = this.msg!;
    const n = Math.min(end - pos, this.remaining);
    m.addBody(data, pos, n, this.maxBodyBytes);
    this.remaining -= n;
    if (this.remaining === 0) {
      if (this.st === St.ChunkData) {
        this.st = St.ChunkDataEnd;
        this.chunkCR = false;
      } else {
        this.finish(ts);
      }
    }
    return pos + n;
  }

  private resetChunkLine(): void {
    this.chunkLine.reset();
    this.remaining = 0;
    this.chunkCR = false;
  }

  private onChunkSize(data: Buffer, pos: number, end: number, ts: number): number {
    const line = this.chunkLine;
    const r = line.push(data, pos, end);
    if (r === ChunkLineResult.Done) return this.chunkLineDone(line.next, ts);
    if (r === ChunkLineResult.TooLong) {
      this.weird('http_chunk_line_limit');
      this.counters.violations++;
      this.msg!.flag('violation');
      this.finish(ts);
      this.abandon('http_chunk_line_limit');
      return end;
    }
    return end;
  }

  private chunkLineDone(pos: number, ts: number): number {
    const m = this.msg!;
    if (!this.chunkLine.valid) {
      this.weird('http_bad_chunk_size');
      this.counters.violations++;
      m.flag('violation');
      this.finish(ts);
      this.toResync();
    } else if (this.chunkLine.size === 0) {
      // Last chunk: a trailer section follows, ended by an empty line.
      this.st = St.Head;
      this.trailerMode = true;
      this.hlen = this.lineBytes = this.lines = 0;
      this.prefix = 'match';
    } else {
      this.remaining = this.chunkLine.size;
      this.st = St.ChunkData;
    }
    return pos;
  }

  private onChunkDataEnd(data: Buffer, pos: number): number {
    const c = data[pos];
    if (c === LF) {
      this.resetChunkLine();
      this.st = St.ChunkSize;
      return pos + 1;
    }
    if (c === CR && !this.chunkCR) {
      this.chunkCR = true;
      return pos + 1;
    }
    this.weird('http_chunk_missing_crlf');
    this.msg!.flag('violation');
    this.resetChunkLine();
    this.st = St.ChunkSize;
    return pos;
  }

  private plausible(b: Uint8Array, off: number, end: number): DetectResult {
    return this.isRequest ? strictRequestPrefix(b, off, end) : httpSlashPrefix(b, off, end);
  }

  private onResync(data: Buffer, pos: number, end: number, ts: number): number {
    while (pos < end) {
      if (this.atLineStart) {
        if (this.probeLen > 0) return this.probeResync(data, pos, end, ts);
        const v = this.plausible(data, pos, end);
        if (v === 'match') {
          this.begin(ts, true);
          return pos;
        }
        if (v === 'more') {
          const n = Math.min(end - pos, PROBE_BYTES);
          this.probe.set(data.subarray(pos, pos + n));
          this.probeLen = n;
          return pos + n;
        }
        this.atLineStart = false;
      }
      const lf = lfWithin(data, pos, end);
      const stop = lf < 0 ? end : lf + 1;
      this.scanned += stop - pos;
      if (this.scanned > MAX_RESYNC_SCAN_BYTES) {
        this.weird('http_resync_limit');
        this.abandon('http_resync_limit');
        return end;
      }
      pos = stop;
      if (lf >= 0) this.atLineStart = true;
    }
    return end;
  }

  /** The start of a line spans feeds: decide on probe + new bytes, then re-read the probe in the new state. */
  private probeResync(data: Buffer, pos: number, end: number, ts: number): number {
    const old = this.probeLen;
    const take = Math.min(end - pos, PROBE_BYTES - old);
    const joined = new Uint8Array(old + take);
    joined.set(this.probe.subarray(0, old));
    joined.set(data.subarray(pos, pos + take), old);
    const v = this.plausible(joined, 0, joined.length);
    if (v === 'more') {
      this.probe.set(data.subarray(pos, pos + take), old);
      this.probeLen = old + take;
      return pos + take;
    }
    const saved = asBuffer(joined.subarray(0, old));
    this.probeLen = 0;
    if (v === 'match') this.begin(ts, true);
    else this.atLineStart = false;
    this.run(saved, 0, old, ts);
    return pos;
  }

  private onPaused(data: Buffer, pos: number, end: number, ts: number): number {
    const n = end - pos;
    const take = Math.min(n, MAX_PAUSED_BYTES - this.heldLen);
    if (take > 0) {
      if (this.held === null || this.held.length < this.heldLen + take) {
        const nb = new Uint8Array(Math.min(MAX_PAUSED_BYTES, Math.max(this.heldLen + take, 2 * (this.held?.length ?? 512))));
        if (this.held !== null) nb.set(this.held.subarray(0, this.heldLen));
        this.held = nb;
      }
      this.held.set(data.subarray(pos, pos + take), this.heldLen); // copy: kept until the response decides
      this.heldLen += take;
    }
    this.heldDropped += n - take;
    this.counters.ignoredBytes += n - take;
    if (this.heldVerdict === 'more' && this.heldDropped === 0) {
      this.heldVerdict = strictRequestPrefix(this.held!, 0, this.heldLen);
      if (this.heldVerdict === 'match') {
        // Another request before the response: the client did not wait, so this is not a tunnel.
        this.weird('http_request_while_paused');
        this.resume(ts);
      }
    }
    return end;
  }

  private toResync(): void {
    if (this.st !== St.Start) return;
    this.st = St.Resync;
    this.atLineStart = true;
    this.probeLen = this.scanned = 0;
  }

  private finish(ts: number): void {
    const m = this.msg!;
    this.msg = null;
    m.lastTs = ts;
    if (m.overCap) m.flag('body-truncated');
    this.st = St.Start;
    this.sawMessage = true;
    this.counters.messages++;
    this.hooks.message(m);
  }

  private abandon(name: string): void {
    this.st = St.Done;
    this.msg = null;
    this.counters.abandoned = name;
  }
}

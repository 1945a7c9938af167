/**
 * RESP2 / RESP3 grammar: a streaming reader that turns one direction's bytes
 * into messages. It never buffers a whole message: lines are read up to
 * MAX_LINE_BYTES, bulk payloads are skipped through keeping only their first
 * MAX_KEPT_BYTES, aggregates keep their first MAX_ITEMS_KEPT elements. So a
 * 512 MiB value costs a kilobyte.
 *
 * Value types (first byte): `+` simple-string, `-` error, `:` integer,
 * `$` bulk-string, `*` array, `_` null, `,` double, `#` boolean,
 * `(` big-number, `!` bulk-error, `=` verbatim, `%` map, `~` set,
 * `|` attribute, `>` push. RESP2 nulls (`$-1`, `*-1`) become `null`.
 * Attributes are metadata for the value that follows: they are counted and
 * dropped. On the client side a message not starting with `*` is an inline
 * command (one text line, telnet style), as Redis itself reads it.
 *
 * Errors never throw: the reader reports a reason and skips to the next line
 * ("resync"); while resyncing it accepts only plausible messages (requests
 * starting with `*`, printable status lines) until one completes.
 */

export type RespType =
  | 'simple-string' | 'error' | 'integer' | 'bulk-string' | 'array' | 'null' | 'map' | 'set'
  | 'double' | 'boolean' | 'big-number' | 'verbatim' | 'push' | 'bulk-error' | 'attribute';

/** Longest header or inline line (Redis's own inline limit is 64 KiB). */
export const MAX_LINE_BYTES = 64 * 1024;
/** Longest bulk payload accepted (Redis's proto-max-bulk-len default is 512 MiB). */
export const MAX_BULK_BYTES = 512 * 1024 * 1024;
/** Nesting depth of aggregates. */
export const MAX_DEPTH = 16;
/** Elements kept per aggregate (the rest are counted in `length`). */
export const MAX_ITEMS_KEPT = 64;
/** Bytes kept of each scalar (bulk payload or line). */
export const MAX_KEPT_BYTES = 1024;

export interface RespValue {
  type: RespType;
  /** Scalars: the first MAX_KEPT_BYTES of the payload (a copy). Aggregates and null: null. */
  bytes: Uint8Array | null;
  /** Bulk: declared byte length; line scalars: line length; aggregates: element count (a map counts its pairs). */
  length: number;
  /** Aggregates: the kept elements (a map's keys and values alternate). */
  items: RespValue[] | null;
  /** Bytes or elements were left out (caps). */
  truncated: boolean;
}

export interface RespMessage {
  /** The value, or null for an inline command. */
  value: RespValue | null;
  /** Inline command line (without CR LF), a copy of at most MAX_LINE_BYTES. */
  inline: Uint8Array | null;
  /** Bytes on the wire. */
  size: number;
  /** Capture time of the first and of the last byte. */
  startTs: number;
  endTs: number;
  /** Some payload bytes were never captured (the framing survived). */
  gap: boolean;
}

export type RespErrorReason =
  | 'bad-type' | 'bad-length' | 'bad-line-end' | 'bad-scalar' | 'line-too-long' | 'bad-bulk-end' | 'too-deep' | 'inline-after-multibulk';

export interface RespSink {
  message(m: RespMessage): void;
  error(reason: RespErrorReason): void;
}

const EMPTY = new Uint8Array(0);

const enum S { Type, Line, Bulk, BulkEnd, Skip }

interface Frame { type: RespType; remaining: number; length: number; items: RespValue[]; dropped: number }

const TYPES: Record<number, RespType> = {
  0x2b: 'simple-string', 0x2d: 'error', 0x3a: 'integer', 0x24: 'bulk-string', 0x2a: 'array', 0x5f: 'null',
  0x2c: 'double', 0x23: 'boolean', 0x28: 'big-number', 0x21: 'bulk-error', 0x3d: 'verbatim', 0x25: 'map',
  0x7e: 'set', 0x7c: 'attribute', 0x3e: 'push',
};

export function respTypeOf(byte: number): RespType | undefined {
  return TYPES[byte];
}

/** Parses an optional '-' and 1..12 digits; NaN otherwise. */
export function parseLength(line: Uint8Array): number {
  let i = 0;
  let neg = false;
  if (line.length > 0 && line[0] === 0x2d) { neg = true; i = 1; }
  if (line.length === i || line.length - i > 12) return NaN;
  let v = 0;
  for (; i < line.length; i++) {
    const d = line[i] - 0x30;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

/** An optional sign and at least one digit (integers and big numbers, any length). */
function isDecimal(line: Uint8Array): boolean {
  let i = line.length > 0 && (line[0] === 0x2d || line[0] === 0x2b) ? 1 : 0;
  if (i === line.length) return false;
  for (; i < line.length; i++) if (line[i] < 0x30 || line[i] > 0x39) return false;
  return true;
}

const DOUBLE = /^[-+]?(?:inf|nan|[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)$/;

/** Lines of typed scalars must have their form: digits, a double, t/f, nothing for null. */
function scalarOk(t: RespType, line: Uint8Array): boolean {
  switch (t) {
    case 'integer': case 'big-number': return isDecimal(line);
    case 'boolean': return line.length === 1 && (line[0] === 0x74 || line[0] === 0x66);
    case 'null': return line.length === 0;
    case 'double': return line.length <= 64 && DOUBLE.test(Buffer.from(line.buffer, line.byteOffset, line.length).toString('latin1'));
    default: return true;
  }
}

function printable(line: Uint8Array): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}

export class RespReader {
  private state = S.Type;
  private type: RespType | 'inline' = 'null';
  private readonly stack: Frame[] = [];
  private lineBuf = new Uint8Array(256);
  private lineLen = 0;
  /** Bulk being read: bytes still to come, kept prefix. */
  private bulkLeft = 0;
  private bulkLength = 0;
  private bulkKept: Uint8Array = EMPTY;
  private bulkKeptLen = 0;
  /** Bytes of the payload to keep: min(length, MAX_KEPT_BYTES). */
  private bulkKeep = 0;
  private bulkEndSeen = 0;
  /** Stream offset of the current message's first byte, and its time. */
  private msgStart = 0;
  private msgTs = 0;
  private inMessage = false;
  /** Bytes of the current message were lost (inside a bulk payload). */
  private msgGap = false;
  private offset = 0;
  private resync = false;
  private sawMultibulk = false;
  /** Counters, for tests and diagnostics. */
  readonly counters = { messages: 0, skippedBytes: 0, attributes: 0, errors: 0 };

  constructor(private readonly fromClient: boolean, private readonly sink: RespSink) {}

  /** A message is half read. */
  get partial(): boolean {
    return this.inMessage;
  }

  /**
   * `length` bytes were lost. Inside a bulk payload that is longer than the
   * loss the reader stays in step (the message is marked `gap`) and answers
   * true; otherwise it drops the partial message, resyncs at the next line
   * and answers false.
   */
  gap(length: number): boolean {
    this.offset += length;
    if (this.state === S.Bulk && length <= this.bulkLeft) {
      this.bulkLeft -= length;
      this.msgGap = true;
      if (this.bulkLeft === 0) { this.state = S.BulkEnd; this.bulkEndSeen = 0; }
      return true;
    }
    this.reset();
    this.state = S.Skip;
    this.resync = true;
    return false;
  }

  /** In-order bytes; `data` is a view, only copies are kept. */
  push(data: Uint8Array, ts: number): void {
    const n = data.length;
    let i = 0;
    const base = this.offset;
    while (i < n) {
      switch (this.state) {
        case S.Skip: {
          const nl = data.indexOf(0x0a, i);
          const to = nl === -1 ? n : nl + 1;
          this.counters.skippedBytes += to - i;
          i = to;
          if (nl !== -1) this.state = S.Type;
          break;
        }
        case S.Type: {
          const b = data[i];
          if (this.stack.length === 0) {
            this.msgStart = base + i;
            this.msgTs = ts;
            this.inMessage = true;
          }
          const t = TYPES[b];
          if (this.fromClient && this.stack.length === 0 && b !== 0x2a) {
            if (this.resync) { this.skip(); break; }
            if (this.sawMultibulk) { this.fail('inline-after-multibulk'); break; }
            this.type = 'inline';
            this.state = S.Line;
            this.lineLen = 0;
            break; // the byte belongs to the line
          }
          if (t === undefined) {
            if (this.resync) this.skip();
            else this.fail('bad-type');
            break;
          }
          this.type = t;
          this.state = S.Line;
          this.lineLen = 0;
          i++;
          break;
        }
        case S.Line: {
          const nl = data.indexOf(0x0a, i);
          if (nl === -1) {
            if (!this.appendLine(data.subarray(i))) { this.fail('line-too-long'); }
            i = n;
            break;
          }
          let line: Uint8Array;
          if (this.lineLen === 0) line = data.subarray(i, nl);
          else {
            if (!this.appendLine(data.subarray(i, nl))) { this.fail('line-too-long', true); i = nl + 1; break; }
            line = this.lineBuf.subarray(0, this.lineLen);
          }
          i = nl + 1;
          this.lineLen = 0;
          if (line.length > MAX_LINE_BYTES) { this.fail('line-too-long', true); break; }
          if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
          else if (this.type !== 'inline') { this.fail('bad-line-end', true); break; }
          this.header(line, base + i, ts);
          break;
        }
        case S.Bulk: {
          const take = Math.min(this.bulkLeft, n - i);
          const want = this.bulkKeep - this.bulkKeptLen;
          if (want > 0) {
            const k = Math.min(want, take);
            if (this.bulkKeptLen === 0 && k === want) this.bulkKept = data.slice(i, i + k); // copy: kept past this call
            else {
              if (this.bulkKept.length !== this.bulkKeep) this.bulkKept = new Uint8Array(this.bulkKeep);
              this.bulkKept.set(data.subarray(i, i + k), this.bulkKeptLen); // copy: the payload spans segments
            }
            this.bulkKeptLen += k;
          }
          this.bulkLeft -= take;
          i += take;
          if (this.bulkLeft === 0) { this.state = S.BulkEnd; this.bulkEndSeen = 0; }
          break;
        }
        case S.BulkEnd: {
          const want = this.bulkEndSeen === 0 ? 0x0d : 0x0a;
          if (data[i] !== want) { this.fail('bad-bulk-end'); break; }
          i++;
          if (++this.bulkEndSeen === 2) {
            this.state = S.Type;
            const v: RespValue = {
              type: this.type as RespType, bytes: this.bulkKept, length: this.bulkLength, items: null,
              truncated: this.bulkLength > this.bulkKept.length,
            };
            this.bulkKept = EMPTY;
            this.complete(v, base + i, ts);
          }
          break;
        }
      }
    }
    this.offset = base + n;
  }

  private appendLine(part: Uint8Array): boolean {
    const need = this.lineLen + part.length;
    if (need > MAX_LINE_BYTES + 1) return false;
    if (need > this.lineBuf.length) {
      const grown = new Uint8Array(Math.min(MAX_LINE_BYTES + 1, Math.max(need, this.lineBuf.length * 2)));
      grown.set(this.lineBuf.subarray(0, this.lineLen));
      this.lineBuf = grown;
    }
    this.lineBuf.set(part, this.lineLen); // copy: a line may span segments
    this.lineLen = need;
    return true;
  }

  private header(line: Uint8Array, end: number, ts: number): void {
    const t = this.type;
    if (t === 'inline') {
      this.state = S.Type;
      if (line.length === 0) { this.inMessage = false; return; } // Redis ignores empty lines
      this.emit({ value: null, inline: line.slice(), size: end - this.msgStart, startTs: this.msgTs, endTs: ts, gap: false });
      return;
    }
    switch (t) {
      case 'simple-string': case 'error': case 'integer': case 'double': case 'boolean': case 'big-number': case 'null': {
        if (this.resync && !printable(line)) { this.skip(); return; }
        if (!scalarOk(t, line)) { this.fail('bad-scalar', true); return; }
        this.state = S.Type;
        const keep = line.subarray(0, MAX_KEPT_BYTES).slice(); // copy: kept in the entry
        this.complete({ type: t, bytes: t === 'null' ? null : keep, length: line.length, items: null, truncated: line.length > MAX_KEPT_BYTES }, end, ts);
        return;
      }
      case 'bulk-string': case 'bulk-error': case 'verbatim': {
        const len = parseLength(line);
        if (len === -1) { this.state = S.Type; this.complete(nullValue(), end, ts); return; }
        if (!(len >= 0 && len <= MAX_BULK_BYTES)) { this.fail('bad-length', true); return; }
        this.bulkLength = len;
        this.bulkLeft = len;
        this.bulkKeep = Math.min(len, MAX_KEPT_BYTES);
        this.bulkKept = EMPTY;
        this.bulkKeptLen = 0;
        if (len === 0) { this.state = S.BulkEnd; this.bulkEndSeen = 0; } else this.state = S.Bulk;
        return;
      }
      default: { // aggregates
        const count = parseLength(line);
        if (count === -1) { this.state = S.Type; this.complete(nullValue(), end, ts); return; }
        if (!(count >= 0 && count <= MAX_BULK_BYTES)) { this.fail('bad-length', true); return; }
        if (this.fromClient && this.stack.length === 0 && t === 'array') this.sawMultibulk = true;
        this.state = S.Type;
        const elements = t === 'map' || t === 'attribute' ? count * 2 : count;
        if (elements === 0) { this.complete({ type: t, bytes: null, length: 0, items: [], truncated: false }, end, ts); return; }
        if (this.stack.length >= MAX_DEPTH) { this.fail('too-deep', true); return; }
        this.stack.push({ type: t, remaining: elements, length: count, items: [], dropped: 0 });
      }
    }
  }

  private complete(value: RespValue, end: number, ts: number): void {
    let v = value;
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) {
        if (v.type === 'attribute') { this.counters.attributes++; this.inMessage = false; return; }
        this.emit({ value: v, inline: null, size: end - this.msgStart, startTs: this.msgTs, endTs: ts, gap: this.msgGap });
        return;
      }
      if (v.type === 'attribute') { this.counters.attributes++; return; }
      if (top.items.length < MAX_ITEMS_KEPT) top.items.push(v);
      else top.dropped++;
      if (--top.remaining > 0) return;
      this.stack.pop();
      v = { type: top.type, bytes: null, length: top.length, items: top.items, truncated: top.dropped > 0 || top.items.some((x) => x.truncated) };
    }
  }

  private emit(m: RespMessage): void {
    this.inMessage = false;
    this.msgGap = false;
    this.resync = false;
    this.counters.messages++;
    this.sink.message(m);
  }

  private reset(): void {
    this.stack.length = 0;
    this.msgGap = false;
    this.lineLen = 0;
    this.bulkKept = EMPTY;
    this.inMessage = false;
  }

  private skip(): void {
    this.reset();
    this.state = S.Skip;
  }

  /** A violation: resync at the next line (`lineDone`: the bad line is already consumed, so that is the next byte). */
  private fail(reason: RespErrorReason, lineDone = false): void {
    this.counters.errors++;
    const quiet = this.resync;
    this.skip();
    if (lineDone) this.state = S.Type;
    this.resync = true;
    if (!quiet) this.sink.error(reason);
  }
}

function nullValue(): RespValue {
  return { type: 'null', bytes: null, length: -1, items: null, truncated: false };
}

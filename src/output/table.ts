/**
 * A table for terminals, one row per entry, written as entries arrive:
 *
 *   time          proto  src → dst                summary            status    elapsed  size
 *   12:04:31.518  http   10.0.0.5:51234 → 10.0.…  GET api.svc/v1/x   200 OK     12.3ms  1.2K
 *
 * Streaming means column widths cannot come from all rows. Time, protocol,
 * status, elapsed and size have widths fixed by the line width; the
 * endpoints column grows to the widest value seen so far (IPv4 and IPv6
 * differ a lot), up to a cap; the summary takes what is left. So the summary
 * column of the first rows may sit further left than later ones, and no row
 * is wider than `width` (unless `width` is below ~80, the sum of the minimums).
 * HTTP size is the response body size (the request's when there is no
 * response); DNS has no size in the model and shows "-".
 * Colour is ANSI via picocolors, only when asked.
 */
import pc from 'picocolors';
import { describeEntry } from '../dissectors/describe.js';
import type { DnsEntry, Entry, EntryFlag, HttpEntry } from '../entries/types.js';
import type { ByteSink, EntryWriter } from './types.js';
import {
  bytes, clockTime, dnsAnswers, dnsSummary, endpoint, httpSummary, millis, printable, truncate,
} from './table-format.js';

export interface TableOptions {
  /** Emit ANSI colours; decide with `useColor()`. */
  color: boolean;
  /** Line width in columns; `terminalWidth()` for stdout. */
  width: number;
}

/** Colour only on a terminal, and never when NO_COLOR is set to a non-empty value (https://no-color.org). */
export function useColor(isTTY: boolean, env: Record<string, string | undefined> = process.env): boolean {
  return isTTY && !env.NO_COLOR;
}

/** Width of the terminal on stdout, or 120 when stdout is not a terminal. */
export function terminalWidth(): number {
  return process.stdout.columns || 120;
}

const SEP = '  ';
const TIME_W = 12;
const ELAPSED_W = 7;
const SIZE_W = 5;
/** Fits "http", "dns", "redis", "kafka"; longer protocol names are cut. */
const PROTO_W = 5;
const SUMMARY_MIN_W = 10;
/** Flags not repeated in the status column's note: the status itself says "no response". */
const QUIET_FLAGS = new Set<EntryFlag>(['no-response']);

type Paint = (s: string) => string;

interface Cell {
  text: string;
  paint?: Paint;
}

interface Row {
  summary: Cell;
  status: Cell;
  /** Dim suffix of the status column (flags). */
  note: string;
  elapsed: string;
  size: string;
}

export class TableWriter implements EntryWriter {
  private readonly c: ReturnType<typeof pc.createColors>;
  /** Width left for endpoints, summary and status once the fixed columns and separators are taken. */
  private readonly rest: number;
  private readonly endpointsCap: number;
  private readonly statusW: number;
  private endpointsW = 0;

  constructor(private readonly sink: ByteSink, options: TableOptions) {
    this.c = pc.createColors(options.color);
    this.rest = options.width - TIME_W - PROTO_W - ELAPSED_W - SIZE_W - 6 * SEP.length;
    this.endpointsCap = Math.max(12, Math.floor(this.rest * 0.45));
    this.statusW = Math.min(40, Math.max(8, Math.floor(this.rest * 0.24)));
  }

  write(entry: Entry): void {
    const row = entry.protocol === 'http' ? this.httpRow(entry) : entry.protocol === 'dns' ? this.dnsRow(entry) : this.genericRow(entry);
    const endpoints = printable(`${endpoint(entry.src)} → ${endpoint(entry.dst)}`);
    const proto = printable(entry.protocol);
    this.endpointsW = Math.min(this.endpointsCap, Math.max(this.endpointsW, endpoints.length));
    const summaryW = Math.max(SUMMARY_MIN_W, this.rest - this.endpointsW - this.statusW);

    const line =
      clockTime(entry.timestamp) + SEP +
      pad(proto, PROTO_W) + SEP +
      pad(endpoints, this.endpointsW) + SEP +
      cell(row.summary, summaryW) + SEP +
      this.statusCell(row, this.statusW) + SEP +
      truncate(row.elapsed, ELAPSED_W).padStart(ELAPSED_W) + SEP +
      truncate(row.size, SIZE_W).padStart(SIZE_W);
    this.sink.write(line + '\n');
  }

  end(): void {
    this.sink.end();
  }

  private statusCell(row: Row, width: number): string {
    const status = truncate(row.status.text, width);
    const room = width - status.length - 1;
    const note = row.note && room > 0 ? ' ' + this.c.dim(truncate(row.note, room)) : '';
    const used = status.length + (note ? 1 + Math.min(row.note.length, room) : 0);
    return (row.status.paint ? row.status.paint(status) : status) + note + ' '.repeat(width - used);
  }

  private httpRow(e: HttpEntry): Row {
    const c = this.c;
    const res = e.response;
    const summary: Cell = e.request === null
      ? { text: httpSummary(e), paint: c.dim }
      : { text: printable(httpSummary(e)) };
    let status: Cell;
    if (res === null) status = { text: 'no response', paint: c.red };
    else {
      const code = res.status;
      const paint = code >= 500 ? c.red : code >= 400 ? c.yellow : code >= 300 ? c.cyan : code >= 200 ? c.green : undefined;
      status = { text: printable(res.statusText ? `${code} ${res.statusText}` : String(code)), paint };
    }
    const body = res?.body ?? e.request?.body ?? null;
    return {
      summary,
      status,
      note: this.flagNote(e.flags),
      elapsed: res === null || e.request === null ? '-' : millis(e.elapsedTime),
      size: body === null ? (res === null ? '-' : '0') : bytes(body.size),
    };
  }

  /** Any other protocol: the line its describer (or the generic one) gives. */
  private genericRow(e: Entry): Row {
    const d = describeEntry(e);
    return {
      summary: { text: printable(d.summary) },
      status: { text: printable(d.status), paint: d.error ? this.c.red : this.c.green },
      note: this.flagNote(e.flags),
      elapsed: millis(e.elapsedTime),
      size: d.size === undefined ? '-' : bytes(d.size),
    };
  }

  private dnsRow(e: DnsEntry): Row {
    const c = this.c;
    const res = e.response;
    const note = this.flagNote(e.flags);
    const summary: Cell = e.request === null && (res?.questions.length ?? 0) === 0
      ? { text: dnsSummary(e), paint: c.dim }
      : { text: printable(dnsSummary(e)) };
    let status: Cell;
    if (res === null) status = { text: 'no response', paint: c.red };
    else {
      const name = res.rcodeName || `RCODE${res.rcode}`;
      const paint = res.rcode === 0 ? c.green : name === 'NXDOMAIN' ? c.yellow : c.red;
      const answers = dnsAnswers(e, this.statusW - name.length - 1 - (note ? note.length + 1 : 0));
      // Colour the rcode only, not the answers after it.
      status = {
        text: answers ? `${name} ${answers}` : name,
        paint: (s) => (s.startsWith(name) ? paint(name) + s.slice(name.length) : paint(s)),
      };
    }
    return {
      summary,
      status,
      note,
      elapsed: res === null || e.request === null ? '-' : millis(e.elapsedTime),
      size: '-',
    };
  }

  private flagNote(flags: EntryFlag[]): string {
    if (flags.length === 0) return '';
    const shown = flags.filter((f) => !QUIET_FLAGS.has(f));
    return shown.length === 0 ? '' : `[${shown.join(',')}]`;
  }
}

function pad(s: string, width: number): string {
  return truncate(s, width).padEnd(width);
}

function cell(c: Cell, width: number): string {
  const text = truncate(c.text, width);
  return (c.paint ? c.paint(text) : text) + ' '.repeat(width - text.length);
}

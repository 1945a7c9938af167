/**
 * The hub's live stream (`/api/stream?q=`, docs/api.md) for the page: one
 * WebSocket per filter, reconnected with backoff when it drops, batches and
 * skip counts passed on, a refused filter reported once (no reconnect loop).
 */
import type { Entry } from '../../../src/entries/types.js';

export interface StreamHandlers {
  onEntries(entries: Entry[], skipped: number): void;
  onStatus(status: StreamStatus): void;
}

export type StreamStatus =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'down'; retryInMs: number; reason: string }
  | { state: 'refused'; error: string; column?: number };

/** Backoff between reconnects: 0.5 s doubling to 8 s. */
export const RECONNECT_MIN_MS = 500;
export const RECONNECT_MAX_MS = 8_000;

export function streamUrl(loc: { protocol: string; host: string }, q: string): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}/api/stream${q === '' ? '' : `?q=${encodeURIComponent(q)}`}`;
}

interface StreamMessage { type?: unknown; entries?: unknown; skipped?: unknown; error?: unknown; column?: unknown }

export class LiveStream {
  private ws: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private backoff = RECONNECT_MIN_MS;
  private closed = false;
  private refused = false;

  constructor(private readonly url: string, private readonly h: StreamHandlers) {
    this.connect();
  }

  private connect(): void {
    if (this.closed) return;
    this.h.onStatus({ state: 'connecting' });
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => { this.backoff = RECONNECT_MIN_MS; this.h.onStatus({ state: 'live' }); };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let m: StreamMessage;
      try { m = JSON.parse(ev.data) as StreamMessage; } catch { return; }
      if (m.type === 'entries' && Array.isArray(m.entries)) {
        this.h.onEntries(m.entries as Entry[], typeof m.skipped === 'number' ? m.skipped : 0);
      } else if (m.type === 'error') {
        this.refused = true;
        this.h.onStatus({ state: 'refused', error: typeof m.error === 'string' ? m.error : 'the hub refused the stream', ...(typeof m.column === 'number' ? { column: m.column } : {}) });
      }
    };
    ws.onclose = (ev) => {
      if (this.closed || this.refused) return;
      const retryInMs = this.backoff;
      this.backoff = Math.min(RECONNECT_MAX_MS, this.backoff * 2);
      this.h.onStatus({ state: 'down', retryInMs, reason: ev.code === 1006 ? 'connection lost' : `closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})` });
      this.timer = setTimeout(() => this.connect(), retryInMs);
    };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.ws?.close();
  }
}

/**
 * Live stream fan-out: `/api/stream?q=` clients get the new entries that
 * match their filter, in batches.
 *
 * Contract:
 *   - Clients with the same filter text share one compiled predicate, so an
 *     entry is tested once per distinct filter, not once per client.
 *   - Every `FLUSH_MS` each client gets one message `{type:"entries",
 *     entries:[…], skipped:N}`. A client keeps at most `MAX_QUEUED` entries;
 *     what does not fit is not queued but counted in `skipped`, so a slow
 *     client learns how much it missed instead of falling behind without
 *     bound.
 *   - A client whose socket holds more than `MAX_SOCKET_BUFFER` unsent bytes
 *     gets nothing more (entries count as skipped); after `STALL_MS` in that
 *     state it is cut off (close code 1008): it is not reading.
 */
import type { Entry } from '../entries/types.js';

export const FLUSH_MS = 100;
export const MAX_QUEUED = 2000;
export const MAX_SOCKET_BUFFER = 4 * 1024 * 1024;
export const STALL_MS = 10_000;
/** Concurrent stream clients; more are refused with 503. */
export const MAX_STREAM_CLIENTS = 5000;

/** The part of a WebSocket the fan-out uses (ws's WebSocket fits). */
export interface StreamSocket {
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code: number, reason: string): void;
}

interface Client {
  socket: StreamSocket;
  group: Group;
  queue: Entry[];
  skipped: number;
  sent: number;
  stalledSince: number | null;
}

interface Group {
  key: string;
  match: (e: Entry) => boolean;
  clients: Set<Client>;
}

export interface LiveCounters {
  clients: number;
  sent: number;
  skipped: number;
  cutOff: number;
}

export class LiveFanout {
  private readonly groups = new Map<string, Group>();
  private readonly clients = new Set<Client>();
  private readonly timer: NodeJS.Timeout;
  readonly counters: LiveCounters = { clients: 0, sent: 0, skipped: 0, cutOff: 0 };

  constructor(private readonly now: () => number = Date.now, private readonly stallMs = STALL_MS) {
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  get size(): number { return this.clients.size; }

  /** Add a client; `key` is the filter text, `match` its predicate. Returns the function that removes it. */
  add(socket: StreamSocket, key: string, match: (e: Entry) => boolean): () => void {
    let group = this.groups.get(key);
    if (group === undefined) { group = { key, match, clients: new Set() }; this.groups.set(key, group); }
    const client: Client = { socket, group, queue: [], skipped: 0, sent: 0, stalledSince: null };
    group.clients.add(client);
    this.clients.add(client);
    this.counters.clients = this.clients.size;
    return () => this.remove(client);
  }

  private remove(c: Client): void {
    if (!this.clients.delete(c)) return;
    c.group.clients.delete(c);
    if (c.group.clients.size === 0) this.groups.delete(c.group.key);
    this.counters.clients = this.clients.size;
  }

  /** New stored entries, in order. */
  publish(entries: readonly Entry[]): void {
    if (this.clients.size === 0) return;
    for (const g of this.groups.values()) {
      let matched: Entry[] | null = null;
      for (const e of entries) {
        let ok = false;
        try { ok = g.match(e); } catch { ok = false; } // a predicate never throws by contract; belt and braces
        if (ok) (matched ??= []).push(e);
      }
      if (matched === null) continue;
      for (const c of g.clients) {
        const room = MAX_QUEUED - c.queue.length;
        if (room >= matched.length) { for (const e of matched) c.queue.push(e); continue; }
        for (let i = 0; i < room; i++) c.queue.push(matched[i]!);
        c.skipped += matched.length - room;
      }
    }
  }

  /** Send each client its queue (or count it skipped when the client is not reading). */
  flush(): void {
    const now = this.now();
    for (const c of [...this.clients]) {
      if (c.socket.bufferedAmount > MAX_SOCKET_BUFFER) {
        c.stalledSince ??= now;
        c.skipped += c.queue.length;
        c.queue = [];
        if (now - c.stalledSince >= this.stallMs) {
          this.counters.cutOff++;
          this.counters.skipped += c.skipped;
          try { c.socket.close(1008, 'not reading the stream'); } catch { /* already gone */ }
          this.remove(c);
        }
        continue;
      }
      c.stalledSince = null;
      if (c.queue.length === 0 && c.skipped === 0) continue;
      const msg = JSON.stringify({ type: 'entries', entries: c.queue, skipped: c.skipped });
      this.counters.sent += c.queue.length;
      this.counters.skipped += c.skipped;
      c.sent += c.queue.length;
      c.queue = [];
      c.skipped = 0;
      try { c.socket.send(msg); } catch { this.remove(c); }
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const c of [...this.clients]) { try { c.socket.close(1001, 'hub stopping'); } catch { /* gone */ } this.remove(c); }
  }
}

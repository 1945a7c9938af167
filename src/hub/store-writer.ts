/**
 * The hub's side of the writer thread (store-writer-thread.ts). Writes are
 * answered in the order they were sent; the hub acknowledges a batch to its
 * worker only when the answer says it is stored. Reads use the hub's own
 * connection (WAL lets readers and the writer work at the same time).
 */
import { Worker } from 'node:worker_threads';
import type { Row, StoreCounters, StoreOptions } from './store.js';

interface Waiting { resolve: (fresh: boolean[]) => void; reject: (err: Error) => void }

export class StoreWriter {
  private readonly thread: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closed: Promise<void> | null = null;

  constructor(options: StoreOptions, private readonly onCounters: (c: StoreCounters) => void) {
    const { now: _now, ...plain } = options; // a function cannot cross to a thread
    this.thread = new Worker(new URL('./store-writer-thread.js', import.meta.url), { workerData: plain });
    this.thread.on('message', (m: { id?: number; fresh?: boolean[]; error?: string; counters?: StoreCounters; closed?: boolean }) => {
      if (m.counters !== undefined) this.onCounters(m.counters);
      if (m.id === undefined) return;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (w === undefined) return;
      if (m.error !== undefined) w.reject(new Error(m.error)); else w.resolve(m.fresh ?? []);
    });
    this.thread.on('error', (err) => this.failAll(err));
    this.thread.on('exit', () => this.failAll(new Error('the store writer thread stopped')));
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  /** Store rows in one transaction; resolves with, for each row, whether it was new. */
  write(rows: Row[]): Promise<boolean[]> {
    if (this.closed !== null) return Promise.reject(new Error('the store is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.thread.postMessage({ id, rows });
    });
  }

  /** Finish the writes already sent, close the database and end the thread. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      this.thread.once('exit', () => resolve());
      this.thread.on('message', (m: { closed?: boolean }) => { if (m.closed) void this.thread.terminate(); });
      this.thread.postMessage({ close: true });
    });
    return this.closed;
  }
}

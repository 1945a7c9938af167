/**
 * WATCH: one chunked HTTP response of JSON lines
 * `{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{…}}`.
 *
 * 1. `start()` sends the 200 head, then what the resourceVersion asks for:
 *    unset or "0" (or sendInitialEvents=true): an ADDED per current object;
 *    "N": every kept event after N; N compacted: one ERROR event carrying a
 *    410 Expired Status, then the end of the stream (as the watch cache does).
 * 2. It subscribes to the store in the same turn, so nothing falls between
 *    replay and live events.
 * 3. Each event passes the watch's selectors the way the watch cache filters:
 *    an object that stops matching is sent as DELETED, one that starts
 *    matching as ADDED.
 * 4. BOOKMARKs (allowWatchBookmarks=true) carry only kind, apiVersion and
 *    metadata.resourceVersion; the server sends them on its timer.
 * 5. The stream ends at timeoutSeconds, on `end()` (a clean close, as at an
 *    API server restart) or `destroy()` (a reset connection). A client that
 *    lets more than `maxBufferedBytes` pile up is cut off and counted.
 */
import type { ServerResponse } from 'node:http';
import type { ResourceDef } from './resources.js';
import { matches, type ObjectFilter } from './selectors.js';
import { failure } from './status.js';
import type { ObjectStore, StoredObject, StoreEvent } from './store.js';

export interface WatchParams {
  resource: ResourceDef;
  namespace: string | undefined;
  filter: ObjectFilter;
  /** undefined for unset. */
  resourceVersion: number | undefined;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutMs: number;
}

export type WatchEndReason = 'timeout' | 'client' | 'server' | 'expired' | 'slow-client';

export class WatchStream {
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  eventsSent = 0;
  bookmarksSent = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly store: ObjectStore,
    readonly params: WatchParams,
    private readonly maxBufferedBytes: number,
    private readonly onEnd: (w: WatchStream, reason: WatchEndReason) => void,
  ) {}

  start(): void {
    const { res, params: p, store } = this;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.on('close', () => this.finish('client'));
    if (p.resourceVersion === undefined || p.resourceVersion === 0 || p.sendInitialEvents) {
      const current = store.snapshot(p.resource, p.namespace, store.resourceVersion) ?? [];
      for (const o of current) if (this.inScope(o) && matches(p.filter, o.obj)) this.write('ADDED', o.json);
      if (p.sendInitialEvents && p.allowBookmarks) this.bookmark(true);
    } else {
      const events = store.eventsSince(p.resource, p.resourceVersion);
      if (!events) {
        const status = failure(410, 'Expired', `too old resource version: ${p.resourceVersion} (${store.compactedRevision})`);
        this.write('ERROR', JSON.stringify(status));
        this.finish('expired');
        return;
      }
      for (const e of events) this.deliver(e);
    }
    if (this.closed) return;
    this.unsubscribe = store.subscribe((e) => { if (e.resource === p.resource) this.deliver(e); });
    this.timer = setTimeout(() => this.finish('timeout'), p.timeoutMs);
  }

  private inScope(o: StoredObject): boolean {
    return this.params.namespace === undefined || o.obj.metadata.namespace === this.params.namespace;
  }

  private deliver(e: StoreEvent): void {
    if (this.closed || !this.inScope(e.current)) return;
    const f = this.params.filter;
    const now = e.type !== 'DELETED' && matches(f, e.current.obj);
    const before = e.previous !== null && matches(f, e.previous.obj);
    if (e.type === 'DELETED') { if (before) this.write('DELETED', e.current.json); return; }
    if (now && before) this.write('MODIFIED', e.current.json);
    else if (now) this.write('ADDED', e.current.json);
    else if (before) this.write('DELETED', e.current.json);
  }

  /** A BOOKMARK at the store's current resourceVersion (only when the client allowed them). */
  bookmark(initialEventsEnd = false): void {
    if (this.closed || !this.params.allowBookmarks) return;
    const r = this.params.resource;
    const meta: Record<string, unknown> = { resourceVersion: String(this.store.resourceVersion) };
    if (initialEventsEnd) meta.annotations = { 'k8s.io/initial-events-end': 'true' };
    this.bookmarksSent++;
    this.write('BOOKMARK', JSON.stringify({ kind: r.kind, apiVersion: r.apiVersion, metadata: meta }));
  }

  private write(type: string, objectJson: string): void {
    if (this.closed) return;
    this.eventsSent++;
    this.res.write(`{"type":"${type}","object":${objectJson}}\n`);
    if (this.res.writableLength > this.maxBufferedBytes) this.destroy('slow-client');
  }

  /** Ends the stream cleanly (the client sees the response end). */
  end(reason: WatchEndReason = 'server'): void { this.finish(reason); }

  /** Resets the connection (the client sees a socket error). */
  destroy(reason: WatchEndReason = 'server'): void {
    if (this.closed) return;
    this.cleanup(reason);
    this.res.socket?.destroy();
    this.res.destroy();
  }

  private finish(reason: WatchEndReason): void {
    if (this.closed) return;
    this.cleanup(reason);
    if (!this.res.writableEnded) this.res.end();
  }

  private cleanup(reason: WatchEndReason): void {
    this.closed = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.onEnd(this, reason);
  }

  get isClosed(): boolean { return this.closed; }
}

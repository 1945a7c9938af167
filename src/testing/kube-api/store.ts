/**
 * The object store: what etcd and the watch cache are to a real API server.
 *
 * 1. One global resourceVersion counter; every write (any resource) takes
 *    the next number, like an etcd revision.
 * 2. Each write is kept as a `StoreEvent` in one history, oldest first, so a
 *    watch can resume from any resourceVersion still in it and a paginated
 *    list can read the state as it was at its first page. The history holds
 *    at most `maxEvents` (named limit, counted in `stats.historyLimitHits`);
 *    dropping an event, or `compactBefore()`, raises `compactedRevision`:
 *    state and events at or below it are gone (410 for whoever asks).
 * 3. Listeners are called synchronously, in resourceVersion order, after
 *    each write is committed; a listener that subscribes and replays
 *    `eventsSince()` in the same turn misses nothing.
 *
 * Stored objects are values: never changed after `put()`, each with its JSON
 * text made once (lists and watch events are built from that text).
 */
import type { ResourceDef } from './resources.js';
import type { KubeObject } from './types.js';

export interface StoredObject {
  readonly resource: ResourceDef;
  /** `namespace/name` for namespaced resources, `name` otherwise: the etcd key order. */
  readonly key: string;
  readonly obj: KubeObject;
  readonly json: string;
  readonly rv: number;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: EventType;
  readonly rv: number;
  readonly resource: ResourceDef;
  readonly key: string;
  /** The object after the change; for DELETED its last state, carrying the deletion's resourceVersion. */
  readonly current: StoredObject;
  /** The object before the change; null for ADDED. */
  readonly previous: StoredObject | null;
}

export type StoreListener = (e: StoreEvent) => void;

export interface StoreOptions {
  /** Events kept for watch resumption and consistent pagination. */
  maxEvents: number;
  /** The resourceVersion before the first write. */
  initialResourceVersion: number;
}

export const DEFAULT_MAX_EVENTS = 100_000;

interface Table {
  objects: Map<string, StoredObject>;
  /** Objects sorted by key; rebuilt on demand after a change. */
  sorted: StoredObject[] | null;
  /** resourceVersion of the last write to this resource. */
  lastRv: number;
}

export function objectKey(r: ResourceDef, namespace: string | undefined, name: string): string {
  return r.namespaced ? `${namespace ?? ''}/${name}` : name;
}

/** First index in `arr` (sorted by key) whose key is > `key` (or >= when `inclusive`). */
export function searchKey(arr: readonly StoredObject[], key: string, inclusive = false): number {
  let lo = 0, hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = arr[mid].key;
    if (k < key || (!inclusive && k === key)) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function stored(resource: ResourceDef, key: string, obj: KubeObject, rv: number): StoredObject {
  obj.metadata.resourceVersion = String(rv);
  // the API server's field order: kind, apiVersion, metadata, then the rest (list.ts relies on it)
  const { kind, apiVersion, metadata, ...rest } = obj;
  const ordered: KubeObject = { kind, apiVersion, metadata, ...rest };
  return { resource, key, obj: ordered, json: JSON.stringify(ordered), rv };
}

/**
 * The object's JSON without kind and apiVersion: how the API server writes
 * the items of a list.
 */
export function listItemJson(o: StoredObject): string {
  const prefix = `{"kind":${JSON.stringify(o.obj.kind)},"apiVersion":${JSON.stringify(o.obj.apiVersion)},`;
  return o.json.startsWith(prefix) ? `{${o.json.slice(prefix.length)}` : o.json;
}

export class ObjectStore {
  private rv: number;
  private compacted = 0;
  private readonly tables = new Map<ResourceDef, Table>();
  private events: StoreEvent[] = [];
  private head = 0;
  private readonly listeners = new Set<StoreListener>();
  readonly stats = { writes: 0, compactedEvents: 0, historyLimitHits: 0 };

  constructor(private readonly opts: StoreOptions) {
    this.rv = opts.initialResourceVersion;
  }

  /** The resourceVersion of the last write. */
  get resourceVersion(): number { return this.rv; }
  /** State and events at or below this resourceVersion are gone. */
  get compactedRevision(): number { return this.compacted; }
  /** Events still kept. */
  get historySize(): number { return this.events.length - this.head; }

  private table(r: ResourceDef): Table {
    let t = this.tables.get(r);
    if (!t) { t = { objects: new Map(), sorted: null, lastRv: 0 }; this.tables.set(r, t); }
    return t;
  }

  get(r: ResourceDef, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.table(r).objects.get(objectKey(r, namespace, name));
  }

  count(r: ResourceDef): number { return this.table(r).objects.size; }

  /** Stores `obj` (taken over: the caller must not change it afterwards) with the next resourceVersion. */
  put(r: ResourceDef, obj: KubeObject): StoreEvent {
    const key = objectKey(r, obj.metadata.namespace, obj.metadata.name ?? '');
    const t = this.table(r);
    const previous = t.objects.get(key) ?? null;
    const current = stored(r, key, obj, ++this.rv);
    t.objects.set(key, current);
    if (!previous) t.sorted = null;
    else if (t.sorted) t.sorted[searchKey(t.sorted, key, true)] = current;
    return this.commit(t, { type: previous ? 'MODIFIED' : 'ADDED', rv: current.rv, resource: r, key, current, previous });
  }

  delete(r: ResourceDef, namespace: string | undefined, name: string): StoreEvent | undefined {
    const key = objectKey(r, namespace, name);
    const t = this.table(r);
    const previous = t.objects.get(key);
    if (!previous) return undefined;
    t.objects.delete(key);
    t.sorted = null;
    const last = JSON.parse(previous.json) as KubeObject;
    const current = stored(r, key, last, ++this.rv);
    return this.commit(t, { type: 'DELETED', rv: current.rv, resource: r, key, current, previous });
  }

  private commit(t: Table, e: StoreEvent): StoreEvent {
    t.lastRv = e.rv;
    this.stats.writes++;
    this.events.push(e);
    if (this.historySize > this.opts.maxEvents) {
      this.stats.historyLimitHits++;
      this.dropOldest(this.historySize - this.opts.maxEvents);
    }
    for (const l of this.listeners) l(e);
    return e;
  }

  private dropOldest(n: number): void {
    for (let i = 0; i < n; i++) this.compacted = Math.max(this.compacted, this.events[this.head++].rv);
    this.stats.compactedEvents += n;
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Forgets every event older than `rv` (as etcd compaction does): a watch or
   * a paginated list from a resourceVersion below `rv - 1` then gets 410.
   * `rv` is clamped to the current resourceVersion + 1 (everything forgotten).
   */
  compactBefore(rv: number): void {
    const limit = Math.min(rv, this.rv + 1);
    let n = 0;
    while (this.head + n < this.events.length && this.events[this.head + n].rv < limit) n++;
    this.dropOldest(n);
    this.compacted = Math.max(this.compacted, limit - 1);
  }

  /** Events of `r` after `rv`, oldest first; undefined when some of them were compacted. */
  eventsSince(r: ResourceDef, rv: number): StoreEvent[] | undefined {
    if (rv < this.compacted) return undefined;
    const out: StoreEvent[] = [];
    if (this.table(r).lastRv <= rv) return out;
    for (let i = this.firstEventAfter(rv); i < this.events.length; i++) {
      if (this.events[i].resource === r) out.push(this.events[i]);
    }
    return out;
  }

  private firstEventAfter(rv: number): number {
    let lo = this.head, hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].rv <= rv) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /**
   * The objects of `r` (in `namespace`, or all) as they were at `rv`, sorted
   * by key; undefined when that state was compacted. The array is the
   * caller's; the objects in it are shared values.
   */
  snapshot(r: ResourceDef, namespace: string | undefined, rv: number): StoredObject[] | undefined {
    const t = this.table(r);
    let all: StoredObject[];
    if (t.lastRv <= rv) {
      if (!t.sorted) t.sorted = [...t.objects.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      all = t.sorted;
    } else {
      const events = this.eventsSince(r, rv);
      if (!events) return undefined;
      const then = new Map<string, StoredObject | null>();
      for (const e of events) if (!then.has(e.key)) then.set(e.key, e.previous);
      all = [...t.objects.values()].filter((o) => !then.has(o.key));
      for (const o of then.values()) if (o) all.push(o);
      all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    if (!r.namespaced || namespace === undefined) return all === t.sorted ? [...all] : all;
    const prefix = `${namespace}/`;
    const start = searchKey(all, prefix, true);
    let end = start;
    while (end < all.length && all[end].key.startsWith(prefix)) end++;
    return all.slice(start, end);
  }

  /** All stored objects of `r`, unordered. */
  values(r: ResourceDef): IterableIterator<StoredObject> { return this.table(r).objects.values(); }

  subscribe(l: StoreListener): () => void {
    this.listeners.add(l);
    return () => { this.listeners.delete(l); };
  }
}

/**
 * List+watch of one resource type: an informer of our own on client-node's
 * Watch, because client-node's ListWatch neither asks for bookmarks nor
 * restarts after an error.
 *
 *   1. LIST in pages (`limit`/`continue`). A continue token that expired
 *      mid-list (410) restarts the list. Each object is converted at once
 *      into the small model value; raw objects are not kept.
 *   2. WATCH from the list's resourceVersion with bookmarks. ADDED and
 *      MODIFIED replace, DELETED removes, BOOKMARK moves the version on.
 *   3. The watch ends:
 *      - a normal close watches again from the last version;
 *      - a 410 Gone (an ERROR event or the status) lists again, and what
 *        vanished meanwhile is removed;
 *      - a network or server error retries with back-off (0.5 s doubling to
 *        30 s), keeping every object as last known and saying so once.
 * One LIST and one WATCH per resource type while nothing goes wrong.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeGetJson } from './http.js';
import { KubeError } from './config.js';

export const LIST_PAGE_SIZE = 500;
export const BACKOFF_MIN_MS = 500;
export const BACKOFF_MAX_MS = 30_000;

export interface ResourceCounters {
  lists: number;
  pages: number;
  watches: number;
  events: number;
  bookmarks: number;
  gone: number;
  errors: number;
  /** Objects the converter refused (malformed), skipped. */
  invalid: number;
}

type Raw = { metadata?: { name?: string; namespace?: string; resourceVersion?: string } } & Record<string, unknown>;

export class ResourceWatcher<T> {
  readonly items = new Map<string, T>();
  readonly counters: ResourceCounters = { lists: 0, pages: 0, watches: 0, events: 0, bookmarks: 0, gone: 0, errors: 0, invalid: 0 };
  private version = '';
  private stopped = false;
  private abort: AbortController | null = null;
  private backoff = BACKOFF_MIN_MS;
  private away = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly kc: KubeConfig,
    readonly resource: string,
    private readonly path: string,
    private readonly convert: (o: Raw) => T,
    private readonly onChange: () => void,
    private readonly log: (line: string) => void,
  ) {}

  /** The first list; rejects with KubeError when the API cannot be listed at all. */
  async start(): Promise<void> {
    await this.list();
    void this.watch();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.abort?.abort();
  }

  private key(o: Raw): string {
    return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  }

  private put(o: Raw): void {
    try {
      this.items.set(this.key(o), this.convert(o));
    } catch {
      this.counters.invalid++;
    }
  }

  private async list(): Promise<void> {
    this.counters.lists++;
    const fresh = new Map<string, T>();
    let cont = '';
    let version = '';
    for (;;) {
      const q = `?limit=${LIST_PAGE_SIZE}${cont === '' ? '' : `&continue=${encodeURIComponent(cont)}`}`;
      let page: { items?: Raw[]; metadata?: { resourceVersion?: string; continue?: string } };
      try {
        page = (await kubeGetJson(this.kc, this.path + q)) as typeof page;
      } catch (err) {
        if (err instanceof KubeError && err.status === 410 && cont !== '') { cont = ''; fresh.clear(); continue; } // continue token expired: list again
        throw err;
      }
      this.counters.pages++;
      for (const o of page.items ?? []) {
        try { fresh.set(this.key(o), this.convert(o)); } catch { this.counters.invalid++; }
      }
      version = page.metadata?.resourceVersion ?? version;
      cont = page.metadata?.continue ?? '';
      if (cont === '') break;
    }
    this.items.clear();
    for (const [k, v] of fresh) this.items.set(k, v);
    this.version = version;
    this.onChange();
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    this.counters.watches++;
    let gone = false;
    const { Watch } = await import('@kubernetes/client-node'); // loaded on first use (see config.ts)
    const w = new Watch(this.kc);
    try {
      this.abort = await w.watch(this.path, { resourceVersion: this.version, allowWatchBookmarks: true }, (type: string, o: Raw & { code?: number }) => {
        this.counters.events++;
        this.recovered();
        if (type === 'ERROR') {
          if (o.code === 410) gone = true;
          return;
        }
        if (type === 'BOOKMARK') this.counters.bookmarks++;
        else if (type === 'DELETED') this.items.delete(this.key(o));
        else if (type === 'ADDED' || type === 'MODIFIED') this.put(o);
        if (o.metadata?.resourceVersion !== undefined) this.version = o.metadata.resourceVersion;
        if (type !== 'BOOKMARK') this.onChange();
      }, (err: unknown) => void this.ended(err, gone));
    } catch (err) {
      void this.ended(err, false);
    }
  }

  private async ended(err: unknown, gone: boolean): Promise<void> {
    this.abort = null;
    if (this.stopped) return;
    const status = (err as { statusCode?: number; code?: number } | null)?.statusCode;
    if (gone || status === 410) {
      this.counters.gone++;
      this.relistSoon(0);
      return;
    }
    if (err !== null && err !== undefined && !(err instanceof Error && err.name === 'AbortError')) {
      this.counters.errors++;
      this.wentAway(err);
      this.timer = setTimeout(() => void this.watch(), this.nextBackoff());
      return;
    }
    void this.watch(); // a normal close: carry on from the last version
  }

  private relistSoon(ms: number): void {
    this.timer = setTimeout(() => {
      this.list().then(() => this.watch(), (err) => {
        this.counters.errors++;
        this.wentAway(err);
        this.relistSoon(this.nextBackoff());
      });
    }, ms);
  }

  private nextBackoff(): number {
    const b = this.backoff;
    this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff * 2);
    return b;
  }

  private wentAway(err: unknown): void {
    if (this.away) return;
    this.away = true;
    const msg = err instanceof Error ? err.message : String(err);
    this.log(`podtap: Kubernetes API: watching ${this.resource} failed (${msg.slice(0, 200)}); keeping the last known ${this.resource} and retrying`);
  }

  private recovered(): void {
    this.backoff = BACKOFF_MIN_MS;
    if (!this.away) return;
    this.away = false;
    this.log(`podtap: Kubernetes API: watching ${this.resource} again`);
  }
}

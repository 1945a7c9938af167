/**
 * The traffic list's memory: entries in arrival order, at most `cap` of
 * them. Past the cap the oldest leave first and are counted, so the page
 * stays bounded however long it runs, and the list can say what it dropped.
 * Ids already held are skipped (the first page and the live stream overlap).
 */
import type { Entry } from '../../../src/entries/types.js';

/** Rows kept by default: enough for 100,000 to scroll, bounded in memory. */
export const DEFAULT_ROW_CAP = 100_000;

export class EntryBuffer {
  private items: Entry[] = [];
  private readonly ids = new Set<string>();
  /** Entries dropped because the cap was reached. */
  evicted = 0;
  /** Entries received (including evicted ones, excluding repeats). */
  received = 0;
  /** Changes on every mutation, so React can tell the buffer moved. */
  version = 0;

  constructor(public cap: number = DEFAULT_ROW_CAP) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`row cap must be a positive integer, got ${cap}`);
  }

  get length(): number { return this.items.length; }
  at(i: number): Entry | undefined { return this.items[i]; }
  all(): readonly Entry[] { return this.items; }

  /** Append newer entries; returns how many of the oldest were evicted by this call. */
  append(batch: readonly Entry[]): number {
    let added = 0;
    for (const e of batch) {
      if (this.ids.has(e.id)) continue;
      this.ids.add(e.id);
      this.items.push(e);
      added++;
    }
    this.received += added;
    const over = this.items.length - this.cap;
    if (over > 0) {
      for (const e of this.items.splice(0, over)) this.ids.delete(e.id);
      this.evicted += over;
    }
    if (added > 0) this.version++;
    return Math.max(0, over);
  }

  /** Put older entries (a page from the store, newest first) before the held ones, within the cap. */
  prependOlder(newestFirst: readonly Entry[]): number {
    const room = this.cap - this.items.length;
    const older: Entry[] = [];
    for (const e of newestFirst) {
      if (older.length >= room) break;
      if (this.ids.has(e.id)) continue;
      this.ids.add(e.id);
      older.push(e);
    }
    older.reverse();
    this.items = older.concat(this.items);
    this.received += older.length;
    if (older.length > 0) this.version++;
    return older.length;
  }

  clear(): void {
    this.items = [];
    this.ids.clear();
    this.evicted = 0;
    this.received = 0;
    this.version++;
  }
}

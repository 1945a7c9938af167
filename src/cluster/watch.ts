/**
 * Follows an inventory file as it is rewritten, by `kubectl … > FILE`, an
 * editor, or a ConfigMap volume update, in src/util/watch-file.ts's steps:
 * `onSnapshot` gets each new parsed inventory; content that does not parse is
 * read once more after `WATCH_CONFIRM_MS`, then goes to `onError` once, and
 * the last good snapshot stays in force. A file over the inventory size limit
 * is refused before it is read.
 *
 * Callbacks are never called after `close()`, and their exceptions are not
 * caught: they are the caller's. The watcher does not keep the process alive.
 */
import { readFile, stat } from 'node:fs/promises';
import { watchFile } from '../util/watch-file.js';
import { type ClusterSnapshot, InventoryError } from './model.js';
import { checkInventorySize, parseInventory } from './inventory.js';

export const WATCH_DEBOUNCE_MS = 100;
export const WATCH_CONFIRM_MS = 300;
/** Stat poll backing up fs.watch (network file systems, some containers). */
export const WATCH_POLL_MS = 5000;

export interface InventoryWatcher {
  /** Resolves after the first load: its snapshot, or undefined when it failed (reported to onError). */
  readonly ready: Promise<ClusterSnapshot | undefined>;
  /** The last good snapshot. */
  readonly current: ClusterSnapshot | undefined;
  /** Counters: `reads`, `unchanged` (same hash), `invalid`, `snapshots`. */
  readonly stats: { reads: number; unchanged: number; invalid: number; snapshots: number };
  close(): void;
}

export function watchInventory(
  path: string,
  onSnapshot: (snapshot: ClusterSnapshot) => void,
  onError: (error: InventoryError) => void,
): InventoryWatcher {
  const stats = { reads: 0, unchanged: 0, invalid: 0, snapshots: 0 };
  const w = watchFile(path, {
    read: readInventoryBytes,
    parse: (bytes) => parseInventory(bytes, path),
    toError: (err) => (err instanceof InventoryError ? err : new InventoryError(`${path}: ${String(err)}`)),
    onValue: (snapshot) => { stats.snapshots++; onSnapshot(snapshot); },
    onError,
    debounceMs: WATCH_DEBOUNCE_MS,
    confirmMs: WATCH_CONFIRM_MS,
    pollMs: WATCH_POLL_MS,
    counters: stats,
  });
  return {
    ready: w.ready.then(() => w.current),
    get current() { return w.current; },
    stats,
    close: () => w.close(),
  };
}

/** The file's bytes; throws InventoryError, checking the size before reading (a huge file is never read). */
async function readInventoryBytes(file: string): Promise<Buffer> {
  try {
    checkInventorySize(file, (await stat(file)).size);
    return await readFile(file);
  } catch (err) {
    if (err instanceof InventoryError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new InventoryError(`${file}: cannot be read (${code}); check the path and permissions (the last good inventory, if any, stays in force)`);
  }
}

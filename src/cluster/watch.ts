/**
 * Follows an inventory file as it is rewritten, by `kubectl … > FILE`, an
 * editor, or a ConfigMap volume update.
 *
 * 1. The file is loaded; `onSnapshot` gets it (or `onError`, and watching
 *    goes on so that a fixed file is picked up).
 * 2. The *directory* is watched, so an editor's write-to-temp-and-rename and
 *    a ConfigMap's `..data` symlink swap are seen; a slow stat poll backs up
 *    file systems where fs.watch misses events.
 * 3. Events are debounced (`WATCH_DEBOUNCE_MS`); then the file is read and
 *    hashed, and content already seen is skipped.
 * 4. Content that does not parse is read once more after
 *    `WATCH_CONFIRM_MS` (a writer may still be writing); if unchanged, the
 *    error goes to `onError` once and the last good snapshot stays in force.
 *
 * Callbacks are never called after `close()`, and their exceptions are not
 * caught: they are the caller's. The watcher does not keep the process alive.
 */
import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
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
  const name = basename(path);
  let closed = false;
  let current: ClusterSnapshot | undefined;
  let lastHash = '';
  let lastStat = '';
  let running = false;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;
  let confirm: NodeJS.Timeout | undefined;
  const stats = { reads: 0, unchanged: 0, invalid: 0, snapshots: 0 };

  /** Reads, hashes and parses the file; `confirming`: the second read of content that failed to parse. */
  const check = async (confirming: boolean): Promise<void> => {
    if (closed) return;
    if (running) { again = true; return; }
    running = true;
    try {
      stats.reads++;
      const { bytes, error: readError } = await readInventoryBytes(path);
      if (closed) return;
      let error = readError;
      const hash = error ? `error:${error.message}` : createHash('sha256').update(bytes).digest('hex');
      if (hash === lastHash) { stats.unchanged++; return; }
      let snapshot: ClusterSnapshot | undefined;
      if (!error) {
        try { snapshot = parseInventory(bytes, path); } catch (err) {
          error = err instanceof InventoryError ? err : new InventoryError(`${path}: ${String(err)}`);
        }
      }
      if (!snapshot && !confirming && current !== undefined) {
        // Maybe a writer is still writing: look again before reporting.
        clearTimeout(confirm);
        confirm = setTimeout(() => void check(true), WATCH_CONFIRM_MS);
        return;
      }
      clearTimeout(confirm);
      lastHash = hash;
      if (snapshot) {
        current = snapshot;
        stats.snapshots++;
        onSnapshot(snapshot);
      } else {
        stats.invalid++;
        onError(error!);
      }
    } finally {
      running = false;
      if (again && !closed) { again = false; schedule(); }
    }
  };

  /** The file's bytes, or why they cannot be had; the size is checked before reading. */
  const readInventoryBytes = async (file: string): Promise<{ bytes: Buffer; error?: InventoryError }> => {
    try {
      const st = await stat(file);
      lastStat = statKey(st);
      checkInventorySize(file, st.size); // before reading: a huge file is never read
      return { bytes: await readFile(file) };
    } catch (err) {
      if (err instanceof InventoryError) return { bytes: Buffer.alloc(0), error: err };
      lastStat = 'missing';
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      return { bytes: Buffer.alloc(0), error: new InventoryError(`${file}: cannot be read (${code}); check the path and permissions (the last good inventory, if any, stays in force)`) };
    }
  };

  const schedule = () => {
    if (closed) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => void check(false), WATCH_DEBOUNCE_MS);
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      // null on some platforms; `..data` is a ConfigMap volume's symlink swap.
      if (file === null || file === name || String(file).startsWith('..')) schedule();
    });
    watcher.on('error', () => { /* the directory went away: the stat poll reports the file as unreadable */ });
  } catch { /* no fs.watch here: the stat poll alone follows the file */ }
  const poll = setInterval(() => {
    stat(path).then((st) => statKey(st), () => 'missing').then((key) => { if (key !== lastStat) schedule(); });
  }, WATCH_POLL_MS);
  poll.unref();

  const ready = check(false).then(() => current);

  return {
    ready,
    get current() { return current; },
    stats,
    close() {
      closed = true;
      clearTimeout(debounce);
      clearTimeout(confirm);
      clearInterval(poll);
      watcher?.close();
    },
  };
}

function statKey(st: { ino: number; size: number; mtimeMs: number }): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

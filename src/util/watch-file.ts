/**
 * Follows one small config file as it is rewritten, by `cmd > FILE`, an
 * editor, or a ConfigMap volume update. The inventory (src/cluster/watch.ts)
 * and the `--rules` file (src/worker/rules-file.ts) are both followed this way.
 *
 * 1. The file is read and parsed; `onValue` gets the value, or `onError` the
 *    error (and watching goes on, so that a fixed file is picked up).
 * 2. The *directory* is watched, so an editor's write-to-temp-and-rename and
 *    a ConfigMap's `..data` symlink swap are seen; a slow stat poll
 *    (`pollMs`) backs up file systems where fs.watch misses events.
 * 3. Events are debounced (`debounceMs`); then the file is read and hashed,
 *    and content already seen is skipped (a read error is "seen" by its
 *    message).
 * 4. Once a good value exists, content that does not parse is read once more
 *    after `confirmMs` (a writer may still be writing); if unchanged, the
 *    error goes to `onError` once and the last good value stays in force.
 *
 * Callbacks are never called after `close()`, and their exceptions are not
 * caught: they are the caller's. The watcher does not keep the process alive.
 */
import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/** Counters the watcher adds to: `reads`, `unchanged` (same hash), `invalid` (errors reported). */
export interface WatchFileCounters {
  reads: number;
  unchanged: number;
  invalid: number;
}

export interface WatchFileOptions<T, E extends Error> {
  /** The file's bytes; throws when they cannot be had (missing, too big). */
  read(path: string): Promise<Buffer>;
  /** The bytes as a value; throws when they are not valid. */
  parse(bytes: Buffer): T;
  /** Whatever read or parse threw, as the error `onError` gets. */
  toError(err: unknown): E;
  onValue(value: T): void;
  onError(error: E): void;
  debounceMs: number;
  confirmMs: number;
  pollMs: number;
  /** Counted into; the caller owns it (and may keep its own counters beside these). */
  counters?: WatchFileCounters;
}

export interface FileWatcher<T, E extends Error> {
  /** The first load: its value or error (also given to the callback); undefined if closed before it finished. */
  readonly ready: Promise<T | E | undefined>;
  /** The last good value. */
  readonly current: T | undefined;
  close(): void;
}

export function watchFile<T, E extends Error>(path: string, o: WatchFileOptions<T, E>): FileWatcher<T, E> {
  const name = basename(path);
  const counters = o.counters ?? { reads: 0, unchanged: 0, invalid: 0 };
  let closed = false;
  let current: T | undefined;
  let hasGood = false;
  let lastHash = '';
  let lastStat = '';
  let running = false;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;
  let confirm: NodeJS.Timeout | undefined;

  /** Reads, hashes and parses the file; `confirming`: the second read of content that failed to parse. */
  const check = async (confirming: boolean): Promise<T | E | undefined> => {
    if (closed) return undefined;
    if (running) { again = true; return undefined; }
    running = true;
    try {
      counters.reads++;
      // Before reading: a change after this stat is seen by the next poll.
      lastStat = await statKey(path);
      let bytes: Buffer | undefined;
      let result: { ok: true; value: T } | { ok: false; error: E };
      try {
        bytes = await o.read(path);
        result = { ok: true, value: o.parse(bytes) };
      } catch (err) {
        result = { ok: false, error: o.toError(err) };
      }
      if (closed) return undefined;
      const hash = bytes === undefined ? `error:${(result as { error: E }).error.message}` : createHash('sha256').update(bytes).digest('hex');
      if (hash === lastHash) { counters.unchanged++; return undefined; }
      if (!result.ok && !confirming && hasGood) {
        // Maybe a writer is still writing: look again before reporting.
        clearTimeout(confirm);
        confirm = setTimeout(() => void check(true), o.confirmMs);
        return undefined;
      }
      clearTimeout(confirm);
      lastHash = hash;
      if (!result.ok) {
        counters.invalid++;
        o.onError(result.error);
        return result.error;
      }
      current = result.value;
      hasGood = true;
      o.onValue(result.value);
      return result.value;
    } finally {
      running = false;
      if (again && !closed) { again = false; schedule(); }
    }
  };

  const schedule = () => {
    if (closed) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => void check(false), o.debounceMs);
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
    void statKey(path).then((key) => { if (key !== lastStat) schedule(); });
  }, o.pollMs);
  poll.unref();

  const ready = check(false);

  return {
    ready,
    get current() { return current; },
    close() {
      closed = true;
      clearTimeout(debounce);
      clearTimeout(confirm);
      clearInterval(poll);
      watcher?.close();
    },
  };
}

/** What the poll compares: inode, size and mtime, or 'missing'. */
function statKey(path: string): Promise<string> {
  return stat(path).then((st) => `${st.ino}:${st.size}:${st.mtimeMs}`, () => 'missing');
}

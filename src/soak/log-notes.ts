/**
 * What the hub and worker logs say that the counters do not: lines of
 * known kinds are counted per process, with the first one as an example,
 * so a soak report shows e.g. the memory guard shedding or a batch the hub
 * could not store while stopping — each of which the ledger then shows to
 * be harmless or not.
 */
export interface LogNote {
  proc: string;
  what: string;
  count: number;
  example: string;
  /** Seconds since the load started of the first MAX_NOTE_TIMES lines. */
  at: number[];
}

export const MAX_NOTE_TIMES = 200;

/** [what, pattern, how much a line counts (default 1)]. */
const KINDS: Array<[string, RegExp, ((m: RegExpExecArray) => number)?]> = [
  ['memory guard: shed episodes (RSS over 90% of --memory-cap)', /over 90% of the .* cap: shedding/],
  ['memory guard: connections closed early', /back under .* (\d+) connection\(s\) closed/, (m) => Number(m[1])],
  ['a capture could not be reopened with a new filter (interface gone)', /: no such interface /],
  ['capture failed (interface vanished under it)', /; still capturing the other pods$/],
  ['hub: batches not stored (no acknowledgement: the worker resends)', /storing \d+ batches failed/],
  ['uplink buffer full (entries dropped)', /uplink buffer full/],
  ['reconcile failed', /reconcile failed/],
  ['warning', /WARNING/],
];

/** `t0`: when the load started (ms since the epoch). */
export function logNotes(proc: string, lines: ReadonlyArray<{ at: number; line: string }>, t0: number): LogNote[] {
  const out: LogNote[] = [];
  for (const [what, re, weight] of KINDS) {
    let count = 0, example = '';
    const at: number[] = [];
    for (const { at: when, line } of lines) {
      const m = re.exec(line);
      if (m === null) continue;
      const n = weight === undefined ? 1 : weight(m);
      if (n === 0) continue;
      if (example === '') example = line;
      if (at.length < MAX_NOTE_TIMES) at.push(Math.round((when - t0) / 100) / 10);
      count += n;
    }
    if (count > 0) out.push({ proc, what, count, example: example.slice(0, 300), at });
  }
  return out;
}

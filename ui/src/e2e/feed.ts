/**
 * Entries for the UI tests and the UI benchmark: the bundled demo capture's
 * real entries (HTTP and DNS), repeated with fresh ids and timestamps, fed
 * into an in-process hub at a set rate.
 */
import type { Entry } from '../../../src/entries/types.js';
import type { Hub } from '../../../src/hub/server.js';
import { processCaptureFile } from '../../../src/pipeline/read-file.js';
import { demoCapture } from '../../../src/cli/read.js';

export async function demoEntries(): Promise<Entry[]> {
  return (await processCaptureFile(demoCapture(), { idPrefix: 'demo.' })).entries;
}

/** Copy `n` entries from the templates with ids `<prefix><k>` and timestamps of now. */
export function copies(templates: readonly Entry[], prefix: string, from: number, n: number): Entry[] {
  const now = Date.now();
  const out: Entry[] = [];
  for (let k = from; k < from + n; k++) {
    const t = templates[k % templates.length]!;
    out.push({ ...t, id: `${prefix}${k}`, connectionId: `${prefix}c${Math.floor(k / 8)}`, timestamp: now - (from + n - k) * 0.1 } as Entry);
  }
  return out;
}

/** Feed `perSecond` entries a second in ticks of 100 ms until `total` or stopped; resolves with how many were fed. */
export function feed(hub: Hub, templates: readonly Entry[], opts: { perSecond: number; total: number; prefix: string; from?: number }): { done: Promise<number>; stop: () => void } {
  const perTick = Math.max(1, Math.round(opts.perSecond / 10));
  let sent = 0;
  let stopped = false;
  const done = new Promise<number>((resolve) => {
    const started = Date.now();
    const tick = async (): Promise<void> => {
      if (stopped || sent >= opts.total) { resolve(sent); return; }
      const n = Math.min(perTick, opts.total - sent);
      await hub.accept(copies(templates, opts.prefix, (opts.from ?? 0) + sent, n), 'bench-node');
      sent += n;
      const due = started + (sent / perTick) * 100;
      setTimeout(() => void tick(), Math.max(0, due - Date.now()));
    };
    void tick();
  });
  return { done, stop: () => { stopped = true; } };
}

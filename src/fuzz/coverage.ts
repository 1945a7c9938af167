/**
 * Coverage feedback from V8's own block coverage, through `node:inspector`
 * (no instrumentation, no native engine to install). In "binary" block mode
 * (`callCount: false, detailed: true`) each `take()` reports which blocks ran
 * since the previous take, then resets.
 *
 * V8 reports a function as nested ranges, each with a count, and leaves out
 * a block whose count equals its parent's. So a block is remembered once it
 * has been reported (as covered or not), and in every later take it counts as
 * covered when the innermost reported range around it has a non-zero count.
 * Only podtap's compiled code counts (dist/, minus the harness itself).
 */
import { Session } from 'node:inspector';

interface Range { startOffset: number; endOffset: number; count: number }
interface FunctionCoverage { ranges: Range[] }
interface ScriptCoverage { scriptId: string; url: string; functions: FunctionCoverage[] }

/** Scripts whose blocks count: compiled podtap code, not the fuzz harness or the frame builders it drives. */
const counts = (url: string): boolean => url.includes('/dist/') && !url.includes('/dist/fuzz/') && !url.includes('/dist/testing/') && !url.includes('node_modules');

let session: Session | undefined;

/** Start block coverage in this thread; call before the code under test is loaded, so all of it is instrumented. */
export function startCoverage(): void {
  if (session !== undefined) return;
  session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.startPreciseCoverage', { callCount: false, detailed: true });
}

/** Stop block coverage: the code runs at full speed again. It cannot be restarted reliably in the same thread. */
export function stopCoverage(): void {
  session?.post('Profiler.stopPreciseCoverage');
  session?.disconnect();
  session = undefined;
}

function take(): ScriptCoverage[] {
  let out: ScriptCoverage[] = [];
  // A session on the same thread answers synchronously.
  session?.post('Profiler.takePreciseCoverage', (err, r) => { if (err === null) out = (r as { result: ScriptCoverage[] }).result; });
  return out;
}

/** The blocks one target has reached; one per target (the session is shared). */
export class CoverageMap {
  private readonly known = new Map<string, { seen: Set<number>; blocks: Array<[number, number]> }>();
  private readonly covered = new Set<string>();

  get blocks(): number { return this.covered.size; }

  /** Forget what ran since the last take (the harness's own work, replays). */
  reset(): void { take(); }

  /** Blocks covered since the last take that this map has never seen covered (they are not added). */
  fresh(): string[] {
    const out: string[] = [];
    for (const script of take()) {
      if (!counts(script.url)) continue;
      for (const fn of script.functions) this.freshIn(`${script.scriptId}:${fn.ranges[0].startOffset}`, fn.ranges, out);
    }
    return out;
  }

  add(keys: readonly string[]): void { for (const k of keys) this.covered.add(k); }

  private freshIn(fnKey: string, ranges: Range[], out: string[]): void {
    let k = this.known.get(fnKey);
    const before = k === undefined ? 0 : k.blocks.length;
    if (k === undefined) this.known.set(fnKey, (k = { seen: new Set(), blocks: [] }));
    for (const r of ranges) {
      const id = r.startOffset * 1e7 + r.endOffset;
      if (k.seen.has(id)) continue;
      k.seen.add(id);
      // A block reported for the first time in a function seen before: in earlier takes it ran exactly
      // when its innermost known container did (V8 leaves out ranges whose count equals the parent's).
      if (before > 0 && this.covered.has(`${fnKey}:${innermost(k.blocks, before, r)}`)) this.covered.add(`${fnKey}:${r.startOffset}:${r.endOffset}`);
      k.blocks.push([r.startOffset, r.endOffset]);
    }
    for (const [s, e] of k.blocks) {
      let count = 0;
      for (const r of ranges) if (r.startOffset <= s && e <= r.endOffset) count = r.count; // ranges come outermost first
      const key = `${fnKey}:${s}:${e}`;
      if (count > 0 && !this.covered.has(key)) out.push(key);
    }
  }
}

/** "start:end" of the smallest of the first `n` blocks that contains `r` ("" when none does). */
function innermost(blocks: ReadonlyArray<[number, number]>, n: number, r: Range): string {
  let best: [number, number] | undefined;
  for (let i = 0; i < n; i++) {
    const [s, e] = blocks[i];
    if (s <= r.startOffset && r.endOffset <= e && (best === undefined || e - s < best[1] - best[0])) best = blocks[i];
  }
  return best === undefined ? '' : `${best[0]}:${best[1]}`;
}

/**
 * Test scaffolding for the HTTP/1.x dissector: a fake ConnectionContext that
 * collects entries and weirds, and a runner that replays a conversation with
 * each segment cut into chosen pieces.
 */
import type { ConnectionContext, DissectorOptions } from '../types.js';
import { DEFAULT_DISSECTOR_OPTIONS } from '../types.js';
import type { Entry, HttpEntry } from '../../entries/types.js';
import { Http1Dissector, http1Spec } from './index.js';
import { seededRandom } from '../../testing/random.js';

export interface FakeContext extends ConnectionContext {
  entries: HttpEntry[];
  weirds: Record<string, number>;
}

export function fakeContext(options: Partial<DissectorOptions> = {}): FakeContext {
  let seq = 0;
  const entries: HttpEntry[] = [];
  const weirds: Record<string, number> = {};
  return {
    id: 'c1',
    transport: 'tcp',
    client: { ip: '10.0.0.1', port: 40000 },
    server: { ip: '10.0.0.2', port: 80 },
    options: { ...DEFAULT_DISSECTOR_OPTIONS, ...options },
    entries,
    weirds,
    emit(e: Entry) {
      if (e.protocol !== 'http') throw new Error('not an http entry');
      entries.push(e);
    },
    nextEntryId: () => `c1-${++seq}`,
    weird(name: string) {
      weirds[name] = (weirds[name] ?? 0) + 1;
    },
  };
}

/** One step of a conversation: bytes from a side, a gap, or a FIN. */
export type Step =
  | { c: string | Uint8Array; ts?: number }
  | { s: string | Uint8Array; ts?: number }
  | { gap: number; client: boolean; ts?: number }
  | { end: boolean; ts?: number };

/** How to cut a segment of `len` bytes into pieces (their lengths). */
export type Splitter = (len: number) => number[];

export const whole: Splitter = (len) => [len];
export const bytewise: Splitter = (len) => Array.from({ length: len }, () => 1);

/** Deterministic PRNG so failures replay from the seed. */
export const rng = seededRandom;

export function randomSplits(seed: number, maxPiece = 17): Splitter {
  const r = rng(seed);
  return (len) => {
    const out: number[] = [];
    let left = len;
    while (left > 0) {
      const n = Math.min(left, 1 + Math.floor(r() * maxPiece));
      out.push(n);
      left -= n;
    }
    return out;
  };
}

export const bytes = (x: string | Uint8Array): Buffer => (typeof x === 'string' ? Buffer.from(x, 'latin1') : Buffer.from(x));

/**
 * Replay `steps` through a fresh dissector and close it. Every piece is
 * delivered as a view into a scratch buffer that is overwritten afterwards,
 * so a dissector that keeps views instead of copies fails the tests.
 */
export function run(steps: Step[], split: Splitter = whole, options: Partial<DissectorOptions> = {}, close = true): { ctx: FakeContext; d: Http1Dissector } {
  const ctx = fakeContext(options);
  const d = http1Spec.create(ctx) as Http1Dissector;
  let ts = 1000;
  for (const st of steps) {
    const t = st.ts ?? ts;
    if ('gap' in st) d.gap(st.gap, st.client, t);
    else if ('end' in st) d.end(st.end, t);
    else {
      const isClient = 'c' in st;
      const data = bytes('c' in st ? st.c : st.s);
      let off = 0;
      for (const n of split(data.length)) {
        const scratch = Buffer.alloc(n + 8);
        data.copy(scratch, 4, off, off + n);
        d.deliver(scratch.subarray(4, 4 + n), isClient, t);
        scratch.fill(0xee);
        off += n;
      }
    }
    ts = t + 1;
  }
  if (close) d.close(ts);
  return { ctx, d };
}

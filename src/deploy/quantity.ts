/**
 * Kubernetes resource quantities ("500m", "256Mi", "1G", "1e3", 2) as
 * numbers, to check them and compare requests with limits. Only the syntax
 * the API server accepts parses; anything else is null.
 */
const SUFFIX: Readonly<Record<string, number>> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** The quantity's value (cores for CPU, bytes for memory), or null when it is not a quantity. */
export function parseQuantity(q: string | number): number | null {
  if (typeof q === 'number') return Number.isFinite(q) ? q : null;
  const m = QUANTITY.exec(q);
  if (m === null) return null;
  const base = Number(m[1]);
  return m[2] !== undefined ? Number(`${m[1]}${m[2]}`) : base * SUFFIX[m[3] ?? '']!;
}

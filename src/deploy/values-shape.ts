/**
 * Merging a caller's values over the defaults, the way Helm merges a user's
 * values over values.yaml, with a type check at every key:
 *
 *   - mappings of known keys merge key by key; an unknown key is an error
 *     (with the nearest known key, since it is most often a typo);
 *   - free-form mappings (node selectors, resource lists) merge key by key,
 *     and a null removes the key, as `--set a.b=null` does in Helm;
 *   - lists replace the default whole;
 *   - an empty string in an optional value means "not set", as it does in
 *     the chart's `if`, so both render the same objects.
 */
import { DeployValuesError } from './errors.js';

export type Kind = 'string' | 'string?' | 'boolean' | 'integer?' | 'stringList' | 'stringMap' | 'quantityMap' | 'tolerations';
export interface Shape { readonly [key: string]: Kind | Shape }

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonMap = { [k: string]: Json };

const isMap = (x: unknown): x is JsonMap => typeof x === 'object' && x !== null && !Array.isArray(x);
const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);
const show = (x: unknown): string => (x === undefined ? 'undefined' : JSON.stringify(x));

/** A fresh tree: defaults with `input` merged over them, checked against `shape`. */
export function mergeShape(shape: Shape, defaults: unknown, input: unknown, path: string): JsonMap {
  if (input !== undefined && !isMap(input)) throw new DeployValuesError(path || '(values)', `is ${show(input)}`, 'give a mapping of values');
  const given = (input ?? {}) as JsonMap;
  for (const key of Object.keys(given)) {
    if (!(key in shape)) {
      const near = nearest(key, Object.keys(shape));
      throw new DeployValuesError(join(path, key), 'is not a podtap value', near === null ? `known here: ${Object.keys(shape).join(', ')}` : `did you mean ${join(path, near)}?`);
    }
  }
  const out: JsonMap = {};
  const def = defaults as JsonMap;
  for (const [key, kind] of Object.entries(shape)) {
    const p = join(path, key);
    out[key] = typeof kind === 'string' ? mergeLeaf(kind, def[key], given[key], p) : mergeShape(kind, def[key], given[key], p);
  }
  return out;
}

function mergeLeaf(kind: Kind, def: Json | undefined, v: unknown, path: string): Json {
  if (v === undefined) return structuredClone(def ?? null);
  switch (kind) {
    case 'string':
      if (typeof v !== 'string') throw new DeployValuesError(path, `is ${show(v)}`, 'give a string');
      return v;
    case 'string?':
      if (v !== null && typeof v !== 'string') throw new DeployValuesError(path, `is ${show(v)}`, 'give a string, or null for none');
      return v === '' ? null : v;
    case 'boolean':
      if (typeof v !== 'boolean') throw new DeployValuesError(path, `is ${show(v)}`, 'give true or false');
      return v;
    case 'integer?':
      if (v !== null && !Number.isInteger(v)) throw new DeployValuesError(path, `is ${show(v)}`, 'give a whole number, or null for none');
      return v as number | null;
    case 'stringList':
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new DeployValuesError(path, `is ${show(v)}`, 'give a list of strings');
      return [...v] as string[];
    case 'stringMap':
    case 'quantityMap':
      return mergeMap(kind, def, v, path);
    case 'tolerations':
      return tolerations(v, path);
  }
}

function mergeMap(kind: 'stringMap' | 'quantityMap', def: Json | undefined, v: unknown, path: string): JsonMap {
  if (!isMap(v)) throw new DeployValuesError(path, `is ${show(v)}`, 'give a mapping');
  const out: JsonMap = { ...(isMap(def) ? def : {}) };
  for (const [k, x] of Object.entries(v)) {
    if (x === null) { delete out[k]; continue; }
    const ok = typeof x === 'string' || (kind === 'quantityMap' && typeof x === 'number');
    if (!ok) throw new DeployValuesError(join(path, k), `is ${show(x)}`, kind === 'stringMap' ? 'give a string (quote "true" and numbers)' : 'give a quantity such as "500m" or "256Mi"');
    out[k] = x;
  }
  return out;
}

const TOLERATION_KEYS: Readonly<Record<string, 'string' | 'number'>> = { key: 'string', operator: 'string', value: 'string', effect: 'string', tolerationSeconds: 'number' };

function tolerations(v: unknown, path: string): JsonMap[] {
  if (!Array.isArray(v)) throw new DeployValuesError(path, `is ${show(v)}`, 'give a list of tolerations, e.g. [{operator: Exists}]');
  return v.map((t, i) => {
    const p = `${path}[${i}]`;
    if (!isMap(t)) throw new DeployValuesError(p, `is ${show(t)}`, 'give a mapping with key, operator, value, effect');
    for (const [k, x] of Object.entries(t)) {
      const want = TOLERATION_KEYS[k];
      if (want === undefined) throw new DeployValuesError(`${p}.${k}`, 'is not a toleration field', `use ${Object.keys(TOLERATION_KEYS).join(', ')}`);
      if (typeof x !== want) throw new DeployValuesError(`${p}.${k}`, `is ${show(x)}`, `give a ${want}`);
    }
    return { ...t };
  });
}

/** The known key closest to a misspelt one (edit distance ≤ 3), or null. */
function nearest(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = 4;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) { best = k; bestD = d; }
  }
  return best;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Every leaf path of a shape (`hub.storage.size`, …), in order. */
export function leafPaths(shape: Shape, path = ''): string[] {
  return Object.entries(shape).flatMap(([k, kind]) => (typeof kind === 'string' ? [join(path, k)] : leafPaths(kind, join(path, k))));
}

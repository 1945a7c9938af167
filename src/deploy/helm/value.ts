/**
 * Template values as Helm holds them after reading YAML: nil, booleans,
 * float64 numbers, strings, lists and string-keyed mappings; printed the way
 * Go's fmt prints them.
 */
import { TemplateError } from './errors.js';

export type Value = null | boolean | number | string | Value[] | { [k: string]: Value };

export const isMap = (v: unknown): v is { [k: string]: Value } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go template truth: false, 0, nil, "" and empty lists and mappings are false. */
export function truth(v: Value): boolean {
  if (v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/**
 * A float64 as Go's %v prints it: the shortest representation, in %e form
 * when the exponent is below -4 or at least 6 (so 1000000 prints as
 * "1e+06", the classic Helm surprise; ports print as themselves).
 */
export function goNumber(n: number): string {
  if (n === 0) return '0';
  const [mantissa, expText] = n.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/** A scalar as `{{ . }}` prints it; nil prints as "" (Helm removes "<no value>"). Lists and mappings are refused: use toYaml. */
export function goPrint(v: Value, file: string, line: number): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  throw new TemplateError(file, line, `printing a ${Array.isArray(v) ? 'list' : 'mapping'} directly gives Go's map[…] text: use toYaml`);
}

/** sprig's strval: strings as they are, other scalars as %v. */
export function strval(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (v === null) return '';
  if (typeof v === 'boolean') return String(v);
  throw new Error('expected a scalar, got a list or mapping');
}

/**
 * Typed reads of one Kubernetes object from parsed JSON/YAML. Every wrong
 * type or bad value throws an `InventoryError` whose one-line message names
 * the file, the item, the field and the fix.
 */
import { InventoryError } from './model.js';
import { canonicalCidr, canonicalIp } from './ip-text.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Longest quoted value shown in an error message. */
const MAX_SHOWN_CHARS = 60;

/** A value quoted for a one-line message (JSON text, cut to MAX_SHOWN_CHARS). */
export function show(v: unknown): string {
  let s: string;
  try { s = JSON.stringify(v) ?? String(v); } catch { s = String(v); }
  s = s.replace(/[\r\n]+/g, ' ');
  return s.length > MAX_SHOWN_CHARS ? `${s.slice(0, MAX_SHOWN_CHARS)}…` : s;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${show(v)}`;
}

export class ObjectReader {
  /** `source`: the file; `where`: the item, e.g. `items[3] Pod default/web`. */
  constructor(readonly source: string, public where: string) {}

  fail(problem: string, fix: string): never {
    throw new InventoryError(`${this.source}: ${this.where}: ${problem}; ${fix}`);
  }

  /** The value at a dotted path below `obj`, undefined when any step is missing or null. */
  get(obj: JsonObject, path: string): Json | undefined {
    let cur: Json | undefined = obj;
    for (const step of path.split('.')) {
      if (!isObject(cur)) return undefined;
      cur = Object.hasOwn(cur, step) ? cur[step] : undefined;
    }
    return cur === null ? undefined : cur;
  }

  private wrongType(path: string, v: unknown, expected: string, fix?: string): never {
    return this.fail(`${path} is ${typeName(v)}, expected ${expected}`, fix ?? `fix ${path} or remove it`);
  }

  string(obj: JsonObject, path: string, fallback: string): string {
    const v = this.get(obj, path);
    if (v === undefined) return fallback;
    if (typeof v !== 'string') this.wrongType(path, v, 'a string', `quote ${path} if it is YAML, or fix it`);
    return v;
  }

  requiredString(obj: JsonObject, path: string, fix: string): string {
    const v = this.string(obj, path, '');
    if (v === '') this.fail(`${path} is missing or empty`, fix);
    return v;
  }

  boolean(obj: JsonObject, path: string): boolean {
    const v = this.get(obj, path);
    if (v === undefined) return false;
    if (typeof v !== 'boolean') this.wrongType(path, v, 'true or false');
    return v;
  }

  object(obj: JsonObject, path: string): JsonObject | undefined {
    const v = this.get(obj, path);
    if (v === undefined) return undefined;
    if (!isObject(v)) this.wrongType(path, v, 'a mapping');
    return v;
  }

  list(obj: JsonObject, path: string): Json[] {
    const v = this.get(obj, path);
    if (v === undefined) return [];
    if (!Array.isArray(v)) this.wrongType(path, v, 'a list');
    return v;
  }

  /** A string → string map (labels, selectors). YAML numbers and booleans are refused: Kubernetes refuses them too. */
  stringMap(obj: JsonObject, path: string): Record<string, string> {
    const m = this.object(obj, path);
    const out: Record<string, string> = {};
    if (m === undefined) return out;
    for (const [k, v] of Object.entries(m)) {
      if (typeof v !== 'string') {
        this.fail(`${path}.${k} is ${typeName(v)}, expected a string`, `quote the value (${k}: "${show(v).replace(/"/g, '')}")`);
      }
      out[k] = v;
    }
    return out;
  }

  /** An IP address in canonical text; `path` names it in errors. */
  ip(text: Json | undefined, path: string): string {
    if (typeof text !== 'string') this.wrongType(path, text, 'an IP address string');
    const ip = canonicalIp(text);
    if (ip === null) this.fail(`${path} ${show(text)} is not an IP address`, 'fix the address or remove the field');
    return ip;
  }

  cidr(text: Json | undefined, path: string): string {
    if (typeof text !== 'string') this.wrongType(path, text, 'a CIDR string');
    const cidr = canonicalCidr(text);
    if (cidr === null) this.fail(`${path} ${show(text)} is not a CIDR (address/bits)`, 'fix the CIDR or remove the field');
    return cidr;
  }

  /** metadata.creationTimestamp (RFC 3339) in ms, 0 when absent. */
  timestamp(obj: JsonObject, path: string): number {
    const v = this.get(obj, path);
    if (v === undefined) return 0;
    // YAML 1.1 timestamps are not parsed by the core schema, so this is a string in JSON and YAML alike.
    const ms = typeof v === 'string' ? Date.parse(v) : NaN;
    if (!Number.isFinite(ms)) this.fail(`${path} ${show(v)} is not an RFC 3339 time`, 'write it as 2024-05-01T12:00:00Z or remove it');
    return ms;
  }
}

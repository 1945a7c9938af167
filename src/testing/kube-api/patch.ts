/**
 * The three patch formats of PATCH requests, as pure functions over JSON:
 *
 * - JSON merge patch (RFC 7386): objects merge, `null` deletes, anything else replaces.
 * - Strategic merge patch: merge patch, plus lists that Kubernetes merges by
 *   a key (containers by name, ports by port, ownerReferences by uid, …,
 *   MERGE_KEYS), `finalizers` merged as a set, and the `$patch: delete` /
 *   `$patch: replace` directives. Other `$` directives are dropped.
 * - JSON patch (RFC 6902): add, remove, replace, move, copy, test.
 *
 * Server-side apply uses the strategic merge (handlers.ts): without field
 * ownership, fields left out of a later apply are kept, not removed.
 * The inputs are never changed; each function returns a new value. A patch
 * that cannot be applied throws `PatchError`.
 */
import { cloneJson, isPlainObject } from './types.js';

export class PatchError extends Error {
  constructor(message: string) { super(message); this.name = 'PatchError'; }
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** List fields merged element by element, and the key that identifies an element. */
export const MERGE_KEYS: Readonly<Record<string, readonly string[]>> = {
  containers: ['name'], initContainers: ['name'], ephemeralContainers: ['name'],
  env: ['name'], volumes: ['name'], imagePullSecrets: ['name'], volumeMounts: ['mountPath'],
  // container ports are keyed by containerPort, service ports by port
  ports: ['containerPort', 'port'],
  ownerReferences: ['uid'], conditions: ['type'], hostAliases: ['ip'],
};
const SET_LISTS = new Set(['finalizers']);

export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const directive = patch.$patch;
  const out: Record<string, unknown> = directive === 'replace' || !isPlainObject(target) ? {} : { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) { delete out[k]; continue; }
    if (isPlainObject(v) && v.$patch === 'delete') { delete out[k]; continue; }
    const cur = out[k];
    if (Array.isArray(v) && Array.isArray(cur) && SET_LISTS.has(k)) {
      out[k] = [...cur, ...v.filter((x) => !cur.includes(x))];
    } else if (Array.isArray(v) && Array.isArray(cur) && MERGE_KEYS[k]) {
      out[k] = mergeList(cur, v, MERGE_KEYS[k]);
    } else {
      out[k] = strategicMergePatch(cur, v);
    }
  }
  return out;
}

function mergeList(cur: unknown[], patch: unknown[], keys: readonly string[]): unknown[] {
  const key = keys.find((k) => patch.every((p) => isPlainObject(p) && p[k] !== undefined));
  if (key === undefined) return cloneJson(patch.filter((p) => !(isPlainObject(p) && p.$patch)));
  if (patch.some((p) => isPlainObject(p) && p.$patch === 'replace')) {
    return cloneJson(patch.filter((p) => !(isPlainObject(p) && p.$patch)));
  }
  const out = [...cur];
  for (const p of patch as Record<string, unknown>[]) {
    const i = out.findIndex((c) => isPlainObject(c) && c[key] === p[key]);
    if (p.$patch === 'delete') { if (i >= 0) out.splice(i, 1); continue; }
    if (i >= 0) out[i] = strategicMergePatch(out[i], p);
    else out.push(strategicMergePatch(undefined, p));
  }
  return out;
}

interface JsonPatchOp { op: string; path: string; value?: unknown; from?: string }

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}"`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, steps: string[], path: string): { parent: unknown; last: string } {
  let cur = doc;
  for (const s of steps.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isPlainObject(cur)) cur = cur[s];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(`doc is missing path: "${path}"`);
  }
  return { parent: cur, last: steps[steps.length - 1] };
}

function index(arr: unknown[], s: string, path: string, adding: boolean): number {
  if (adding && s === '-') return arr.length;
  const i = /^(0|[1-9]\d*)$/.test(s) ? Number(s) : -1;
  if (i < 0 || i > arr.length || (!adding && i === arr.length)) throw new PatchError(`index out of range in path "${path}"`);
  return i;
}

function get(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const s of pointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(s)] : isPlainObject(cur) ? cur[s] : undefined;
    if (cur === undefined) throw new PatchError(`doc is missing path: "${path}"`);
  }
  return cur;
}

function remove(doc: unknown, path: string): unknown {
  const steps = pointer(path);
  if (steps.length === 0) throw new PatchError('cannot remove the whole document');
  const { parent, last } = parentOf(doc, steps, path);
  if (Array.isArray(parent)) return parent.splice(index(parent, last, path, false), 1)[0];
  if (!isPlainObject(parent) || !(last in parent)) throw new PatchError(`doc is missing path: "${path}"`);
  const v = parent[last];
  delete parent[last];
  return v;
}

function add(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const steps = pointer(path);
  if (steps.length === 0) return value;
  const { parent, last } = parentOf(doc, steps, path);
  if (Array.isArray(parent)) {
    const i = index(parent, last, path, !replace);
    parent.splice(i, replace ? 1 : 0, value);
  } else if (isPlainObject(parent)) {
    if (replace && !(last in parent)) throw new PatchError(`doc is missing key: "${path}"`);
    parent[last] = value;
  } else {
    throw new PatchError(`doc is missing path: "${path}"`);
  }
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be a list of operations');
  let doc = cloneJson(target);
  for (const raw of ops) {
    if (!isPlainObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new PatchError(`invalid JSON patch operation: ${JSON.stringify(raw)}`);
    }
    const op = raw as unknown as JsonPatchOp;
    switch (op.op) {
      case 'add': doc = add(doc, op.path, cloneJson(op.value), false); break;
      case 'replace': doc = add(doc, op.path, cloneJson(op.value), true); break;
      case 'remove': remove(doc, op.path); break;
      case 'move': { const v = remove(doc, op.from ?? ''); doc = add(doc, op.path, v, false); break; }
      case 'copy': doc = add(doc, op.path, cloneJson(get(doc, op.from ?? '')), false); break;
      case 'test':
        if (JSON.stringify(get(doc, op.path)) !== JSON.stringify(op.value)) throw new PatchError(`testing value ${op.path} failed`);
        break;
      default: throw new PatchError(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

/**
 * The write verbs and GET of one object: create (POST), replace (PUT),
 * patch (PATCH: JSON patch, merge patch, strategic merge patch, server-side
 * apply), delete (DELETE on an object) and deletecollection. Each returns
 * the HTTP code and the JSON body; failures throw `ApiError`. The TS
 * controls of the server (server.ts) write through `ObjectStore` directly,
 * with `fromApi` false: no status rule, no namespace check.
 */
import { randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { admitCreate, admitUpdate, validateName, type AdmitContext } from './defaults.js';
import { listItemJson, type ObjectStore, type StoredObject } from './store.js';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from './patch.js';
import { RESOURCES, resourceByPath, type ResourceDef } from './resources.js';
import { matches, type ObjectFilter } from './selectors.js';
import { errors, failure, ApiError, success } from './status.js';
import { cloneJson, isPlainObject, type KubeObject } from './types.js';

export interface Reply {
  code: number;
  json: string;
  /** Content type when not application/json. */
  type?: string;
}

export interface WriteOptions {
  dryRun: boolean;
  fieldManager: string | undefined;
}

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

const NAMESPACES = resourceByPath('v1', 'namespaces')!;

/** Parses a request body as JSON, or YAML when the content type says so. */
export function parseBody(raw: Buffer, contentType: string): unknown {
  const text = raw.toString('utf8');
  try {
    return /yaml/.test(contentType) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`the object provided is unrecognized: couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

function asObject(r: ResourceDef, body: unknown): KubeObject {
  if (!isPlainObject(body)) throw errors.badRequest(`the object provided is unrecognized (must be of type ${r.kind})`);
  const o = cloneJson(body) as KubeObject;
  if (o.apiVersion !== undefined && o.apiVersion !== r.apiVersion) {
    throw errors.badRequest(`the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${r.apiVersion})`);
  }
  if (o.kind !== undefined && o.kind !== r.kind) {
    throw errors.badRequest(`${String(o.kind)} in version "${r.version}" cannot be handled as a ${r.kind}: no kind "${String(o.kind)}" is registered for this resource`);
  }
  o.apiVersion = r.apiVersion;
  o.kind = r.kind;
  if (!isPlainObject(o.metadata)) o.metadata = {};
  return o;
}

function placeIn(r: ResourceDef, o: KubeObject, namespace: string | undefined): void {
  if (!r.namespaced) { delete o.metadata.namespace; return; }
  if (o.metadata.namespace && o.metadata.namespace !== namespace) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  o.metadata.namespace = namespace;
}

const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
function generatedName(prefix: string): string {
  const b = randomBytes(5);
  let s = prefix;
  for (const x of b) s += GENERATE_CHARS[x % GENERATE_CHARS.length];
  return s;
}

export class Handlers {
  constructor(private readonly store: ObjectStore, private readonly ctx: AdmitContext, private readonly requireNamespace: boolean) {}

  private existing(r: ResourceDef, namespace: string | undefined, name: string): StoredObject {
    const o = this.store.get(r, namespace, name);
    if (!o) throw errors.notFound(r, name);
    return o;
  }

  private commit(r: ResourceDef, o: KubeObject, opts: WriteOptions): string {
    if (opts.dryRun) return JSON.stringify(o);
    return this.store.put(r, o).current.json;
  }

  get(r: ResourceDef, namespace: string | undefined, name: string): Reply {
    return { code: 200, json: this.existing(r, namespace, name).json };
  }

  create(r: ResourceDef, namespace: string | undefined, body: unknown, opts: WriteOptions): Reply {
    const o = asObject(r, body);
    placeIn(r, o, namespace);
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = generatedName(o.metadata.generateName);
    validateName(r, o);
    if (o.metadata.resourceVersion) throw errors.internal('resourceVersion should not be set on objects to be created');
    if (r.namespaced && this.requireNamespace && !this.store.get(NAMESPACES, undefined, namespace ?? '')) {
      throw errors.namespaceNotFound(namespace ?? '');
    }
    if (this.store.get(r, namespace, o.metadata.name!)) throw errors.alreadyExists(r, o.metadata.name!);
    admitCreate(r, o, this.ctx, true);
    return { code: 201, json: this.commit(r, o, opts) };
  }

  update(r: ResourceDef, namespace: string | undefined, name: string, sub: string | undefined, body: unknown, opts: WriteOptions): Reply {
    const o = asObject(r, body);
    placeIn(r, o, namespace);
    if (!o.metadata.name) o.metadata.name = name;
    if (o.metadata.name !== name) throw errors.badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`);
    const old = this.existing(r, namespace, name);
    if (o.metadata.resourceVersion && o.metadata.resourceVersion !== String(old.rv)) throw errors.conflict(r, name);
    const next = admitUpdate(r, old.obj, o, this.ctx, true, sub === 'status');
    return { code: 200, json: this.commit(r, next, opts) };
  }

  patch(r: ResourceDef, namespace: string | undefined, name: string, sub: string | undefined, raw: Buffer, contentType: string, opts: WriteOptions & { force: boolean }): Reply {
    const type = contentType.split(';')[0].trim().toLowerCase();
    if (type === PATCH_TYPES.apply) return this.apply(r, namespace, name, sub, raw, opts);
    if (type !== PATCH_TYPES.json && type !== PATCH_TYPES.merge && type !== PATCH_TYPES.strategic) throw errors.unsupportedMediaType(type);
    const body = parseBody(raw, type);
    const old = this.existing(r, namespace, name);
    let patched: unknown;
    try {
      patched = type === PATCH_TYPES.json ? jsonPatch(old.obj, body)
        : type === PATCH_TYPES.merge ? mergePatch(old.obj, body) : strategicMergePatch(old.obj, body);
    } catch (e) {
      if (e instanceof PatchError) throw new ApiError(failure(422, 'Invalid', e.message));
      throw e;
    }
    const o = asObject(r, patched);
    if (o.metadata.resourceVersion && o.metadata.resourceVersion !== String(old.rv)) throw errors.conflict(r, name);
    o.metadata.name = name;
    if (r.namespaced) o.metadata.namespace = namespace;
    const next = admitUpdate(r, old.obj, o, this.ctx, true, sub === 'status');
    return { code: 200, json: this.commit(r, next, opts) };
  }

  /** Server-side apply: create when absent (201), else merge the applied configuration (200). */
  private apply(r: ResourceDef, namespace: string | undefined, name: string, sub: string | undefined, raw: Buffer, opts: WriteOptions): Reply {
    if (!opts.fieldManager) {
      throw new ApiError(failure(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'));
    }
    const body = parseBody(raw, PATCH_TYPES.apply);
    if (!isPlainObject(body) || !body.apiVersion || !body.kind) throw errors.badRequest('error decoding YAML: Object \'Kind\' is missing in the applied configuration');
    const applied = asObject(r, body);
    if (applied.metadata.name && applied.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    }
    applied.metadata.name = name;
    placeIn(r, applied, namespace);
    const old = this.store.get(r, namespace, name);
    if (!old) {
      if (sub) throw errors.notFound(r, name);
      if (r.namespaced && this.requireNamespace && !this.store.get(NAMESPACES, undefined, namespace ?? '')) throw errors.namespaceNotFound(namespace ?? '');
      validateName(r, applied);
      delete applied.metadata.resourceVersion;
      admitCreate(r, applied, this.ctx, true);
      return { code: 201, json: this.commit(r, applied, opts) };
    }
    if (applied.metadata.resourceVersion && applied.metadata.resourceVersion !== String(old.rv)) throw errors.conflict(r, name);
    const merged = cloneJson(strategicMergePatch(old.obj, applied)) as KubeObject;
    const next = admitUpdate(r, old.obj, merged, this.ctx, true, sub === 'status');
    return { code: 200, json: this.commit(r, next, opts) };
  }

  delete(r: ResourceDef, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions): Reply {
    const old = this.existing(r, namespace, name);
    const pre = isPlainObject(body) && isPlainObject(body.preconditions) ? body.preconditions : undefined;
    if (pre?.uid !== undefined && pre.uid !== old.obj.metadata.uid) {
      throw new ApiError(failure(409, 'Conflict', `Precondition failed: UID in precondition: ${String(pre.uid)}, UID in object meta: ${old.obj.metadata.uid}`));
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== String(old.rv)) {
      throw new ApiError(failure(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${String(pre.resourceVersion)}, ResourceVersion in object meta: ${old.rv}`));
    }
    let json = old.json;
    if (!opts.dryRun) {
      if (r === NAMESPACES) this.emptyNamespace(name);
      json = this.store.delete(r, namespace, name)!.current.json;
    }
    const uid = old.obj.metadata.uid ?? '';
    return { code: 200, json: r.returnDeletedObject ? json : JSON.stringify(success(r, name, uid)) };
  }

  /** What the namespace controller does after a namespace is deleted, done at once. */
  private emptyNamespace(ns: string): void {
    for (const r of RESOURCES) {
      if (!r.namespaced) continue;
      for (const o of this.store.snapshot(r, ns, this.store.resourceVersion) ?? []) this.store.delete(r, ns, o.obj.metadata.name ?? '');
    }
  }

  deleteCollection(r: ResourceDef, namespace: string | undefined, filter: ObjectFilter, opts: WriteOptions): Reply {
    const items: string[] = [];
    for (const o of this.store.snapshot(r, namespace, this.store.resourceVersion) ?? []) {
      if (!matches(filter, o.obj)) continue;
      if (!opts.dryRun) {
        if (r === NAMESPACES) this.emptyNamespace(o.obj.metadata.name ?? '');
        this.store.delete(r, namespace, o.obj.metadata.name ?? '');
      }
      items.push(listItemJson(o));
    }
    return { code: 200, json: `{"kind":"${r.listKind}","apiVersion":"${r.apiVersion}","metadata":{"resourceVersion":"${this.store.resourceVersion}"},"items":[${items.join(',')}]}` };
  }
}

/**
 * LIST: the state of one resource at one resourceVersion, a page at a time.
 *
 * - resourceVersion unset, or "0", or "N" with NotOlderThan: the current state.
 * - "N" with resourceVersionMatch=Exact, or with a limit and no match (the
 *   legacy rule): the state at N, 410 Expired when N was compacted.
 * - `limit` + `continue`: items in key order (namespace/name); the continue
 *   token is the API server's (base64 of {"v","rv","start"}), so every page
 *   is read at the first page's resourceVersion; 410 Expired once that was
 *   compacted. `remainingItemCount` is set when no selector filters.
 * - Items come without kind and apiVersion, as the API server writes them.
 * A resourceVersion ahead of the store is the caller's to wait for (server.ts).
 */
import type { ObjectFilter } from './selectors.js';
import { matches } from './selectors.js';
import type { ResourceDef } from './resources.js';
import { errors } from './status.js';
import { listItemJson, type ObjectStore, searchKey } from './store.js';

export interface ListParams {
  namespace: string | undefined;
  filter: ObjectFilter;
  limit: number | undefined;
  continueToken: string | undefined;
  resourceVersion: string | undefined;
  resourceVersionMatch: string | undefined;
}

interface ContinueToken { v: string; rv: number; start: string }

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64');
}

function decodeContinue(token: string): ContinueToken {
  let t: unknown;
  try { t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')); } catch { t = undefined; }
  const c = t as Partial<ContinueToken> | undefined;
  if (!c || c.v !== 'meta.k8s.io/v1') throw errors.badRequest('continue key is not valid: continue key is not valid: server does not recognize this encoded key');
  if (typeof c.rv !== 'number' || c.rv <= 0) throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof c.start !== 'string' || c.start === '' || c.start.startsWith('/') || c.start.includes('..')) {
    throw errors.badRequest('continue key is not valid: encoded start key is not valid');
  }
  return c as ContinueToken;
}

/** Parses a resourceVersion parameter: a non-negative integer, 400 otherwise. */
export function parseResourceVersion(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw errors.badRequest(`invalid resource version "${text}"`);
  return Number(text);
}

/** The resourceVersion whose state the list reads. */
function readRevision(store: ObjectStore, p: ListParams): { rv: number; start: string | undefined } {
  if (p.continueToken) {
    if (p.resourceVersion && p.resourceVersion !== '0') throw errors.badRequest('specifying resource version is not allowed when using continue');
    const c = decodeContinue(p.continueToken);
    if (c.rv < store.compactedRevision) {
      throw errors.expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the 410 response.');
    }
    return { rv: c.rv, start: c.start };
  }
  if (p.resourceVersionMatch !== undefined && p.resourceVersionMatch !== '') {
    if (!p.resourceVersion) throw errors.badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (p.resourceVersionMatch !== 'Exact' && p.resourceVersionMatch !== 'NotOlderThan') {
      throw errors.badRequest(`resourceVersionMatch "${p.resourceVersionMatch}" is not supported: supported values: "Exact", "NotOlderThan"`);
    }
    if (p.resourceVersionMatch === 'Exact' && p.resourceVersion === '0') throw errors.badRequest('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  }
  if (!p.resourceVersion || p.resourceVersion === '0') return { rv: store.resourceVersion, start: undefined };
  const asked = parseResourceVersion(p.resourceVersion);
  const exact = p.resourceVersionMatch === 'Exact' || (!p.resourceVersionMatch && p.limit !== undefined && p.limit > 0);
  if (!exact) return { rv: store.resourceVersion, start: undefined };
  if (asked < store.compactedRevision) throw errors.expired(`too old resource version: ${asked} (${store.compactedRevision})`);
  return { rv: asked, start: undefined };
}

/** The list's JSON text. */
export function listBody(store: ObjectStore, r: ResourceDef, p: ListParams): string {
  const { rv, start } = readRevision(store, p);
  const all = store.snapshot(r, p.namespace, rv);
  if (!all) throw errors.expired(`too old resource version: ${rv} (${store.compactedRevision})`);
  const prefix = r.namespaced && p.namespace !== undefined ? `${p.namespace}/` : '';
  let i = start === undefined ? 0 : searchKey(all, prefix + start, true);
  const limit = p.limit !== undefined && p.limit > 0 ? p.limit : Infinity;
  const items: string[] = [];
  let last = '';
  for (; i < all.length && items.length < limit; i++) {
    if (!matches(p.filter, all[i].obj)) continue;
    items.push(listItemJson(all[i]));
    last = all[i].key;
  }
  let meta = `"resourceVersion":"${rv}"`;
  if (items.length >= limit && i < all.length) {
    meta += `,"continue":${JSON.stringify(encodeContinue(rv, `${last.slice(prefix.length)}\u0000`))}`;
    if (p.filter.empty) meta += `,"remainingItemCount":${all.length - i}`;
  }
  return `{"kind":"${r.listKind}","apiVersion":"${r.apiVersion}","metadata":{${meta}},"items":[${items.join(',')}]}`;
}

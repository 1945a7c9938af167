/**
 * What a request is about, read from its method, path and query the way the
 * API server's RequestInfo resolver reads them: API version, resource,
 * namespace, name, subresource and verb. `/api/v1/namespaces/x` is the
 * namespace x; `/api/v1/namespaces/x/pods` the pods in it; the legacy
 * `/api/v1/watch/...` prefix and `?watch=true` on a named object both mean watch.
 */
import { resourceByPath, type ResourceDef } from './resources.js';

export interface RequestInfo {
  apiVersion: string;
  /** Plural from the path (may name no served resource). */
  plural: string;
  resource: ResourceDef | undefined;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  verb: string;
  watch: boolean;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** Go's strconv.ParseBool truth values, which is what the server accepts for `watch`. */
export function isTrue(v: string | null | undefined): boolean {
  return v === '1' || v === 't' || v === 'T' || v === 'true' || v === 'TRUE' || v === 'True';
}

/** The resource request at `parts` (path segments after /api or /apis); undefined for a discovery path. */
export function resolveRequest(method: string, parts: string[], query: URLSearchParams): RequestInfo | undefined {
  let apiVersion: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length < 3) return undefined;
    apiVersion = parts[1];
    rest = parts.slice(2);
  } else {
    if (parts.length < 4) return undefined;
    apiVersion = `${parts[1]}/${parts[2]}`;
    rest = parts.slice(3);
  }
  let watch = false;
  if (rest[0] === 'watch') { watch = true; rest = rest.slice(1); }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural = '', name, subresource, ...extra] = rest;
  if (extra.length > 0) return { apiVersion, plural: '', resource: undefined, namespace, name, subresource, verb: 'get', watch };
  if (!watch && method === 'GET' && isTrue(query.get('watch'))) watch = true;
  let verb: string;
  switch (method) {
    case 'GET': verb = watch ? 'watch' : name === undefined ? 'list' : 'get'; break;
    case 'POST': verb = 'create'; break;
    case 'PUT': verb = 'update'; break;
    case 'PATCH': verb = 'patch'; break;
    case 'DELETE': verb = name === undefined ? 'deletecollection' : 'delete'; break;
    default: verb = method.toLowerCase();
  }
  return { apiVersion, plural, resource: resourceByPath(apiVersion, plural), namespace, name, subresource, verb, watch };
}

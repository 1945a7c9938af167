/**
 * `Status` objects, as the API server sends them for every failure (and for
 * some deletions), and `ApiError`, the one error the request handlers throw:
 * the router turns it into the Status body and its HTTP code.
 */
import { qualifiedName, type ResourceDef, type Verb } from './resources.js';

export interface StatusCause { reason: string; message: string; field?: string }

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): Status {
  // the API server's field order: details before code
  return details
    ? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code }
    : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export function success(r: ResourceDef, name: string, uid: string): Status {
  const details: StatusDetails = { name, kind: r.plural, uid };
  if (r.group) details.group = r.group;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}

/** A request that failed; `status` is the body sent to the client. */
export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
    this.name = 'ApiError';
  }
  get code(): number { return this.status.code; }
}

function details(r: ResourceDef, name?: string): StatusDetails {
  const d: StatusDetails = {};
  if (name !== undefined) d.name = name;
  if (r.group) d.group = r.group;
  d.kind = r.plural;
  return d;
}

export const errors = {
  notFound: (r: ResourceDef, name: string) =>
    new ApiError(failure(404, 'NotFound', `${qualifiedName(r)} "${name}" not found`, details(r, name))),
  namespaceNotFound: (ns: string) =>
    new ApiError(failure(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' })),
  noSuchPath: () =>
    new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource', {})),
  alreadyExists: (r: ResourceDef, name: string) =>
    new ApiError(failure(409, 'AlreadyExists', `${qualifiedName(r)} "${name}" already exists`, details(r, name))),
  conflict: (r: ResourceDef, name: string) =>
    new ApiError(failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, details(r, name))),
  unauthorized: () => new ApiError(failure(401, 'Unauthorized', 'Unauthorized')),
  forbidden: (r: ResourceDef | undefined, verb: Verb | string, user: string, namespace: string | undefined, name: string | undefined, path: string) => {
    if (!r) return new ApiError(failure(403, 'Forbidden', `forbidden: User "${user}" cannot ${verb} path "${path}"`, {}));
    const what = name !== undefined ? `${qualifiedName(r)} "${name}"` : qualifiedName(r);
    const scope = namespace !== undefined ? `in the namespace "${namespace}"` : 'at the cluster scope';
    return new ApiError(failure(403, 'Forbidden', `${what} is forbidden: User "${user}" cannot ${verb} resource "${r.plural}" in API group "${r.group}" ${scope}`, details(r, name)));
  },
  /** 422: `causes` say which fields are wrong. */
  invalid: (r: ResourceDef, name: string, causes: StatusCause[]) => {
    const d: StatusDetails = { name };
    if (r.group) d.group = r.group;
    d.kind = r.kind;
    d.causes = causes;
    const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
    return new ApiError(failure(422, 'Invalid', `${r.kind} "${name}" is invalid: ${causes.length > 1 ? `[${text}]` : text}`, d));
  },
  badRequest: (message: string) => new ApiError(failure(400, 'BadRequest', message)),
  /** 410 with reason Expired: what etcd and the watch cache answer for a compacted resourceVersion. */
  expired: (message: string) => new ApiError(failure(410, 'Expired', message)),
  tooLargeResourceVersion: (asked: number, current: number) =>
    new ApiError(failure(504, 'Timeout', `Too large resource version: ${asked}, current: ${current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1,
    })),
  methodNotAllowed: () =>
    new ApiError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {})),
  unsupportedMediaType: (type: string) =>
    new ApiError(failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format (${type}) - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`)),
  tooLarge: () => new ApiError(failure(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728')),
  internal: (message: string) => new ApiError(failure(500, 'InternalError', `Internal error occurred: ${message}`)),
};

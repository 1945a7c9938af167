/**
 * Constant strings for the header names, methods and reason phrases seen on
 * nearly every message. Matching them against the decoded head returns a
 * shared (internalized) string instead of a fresh slice: a record keyed by
 * fresh strings costs several times more to build than the parse itself.
 */

const FIELD_NAMES = [
  'host', 'user-agent', 'accept', 'accept-encoding', 'accept-language', 'accept-charset', 'accept-ranges',
  'connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer', 'transfer-encoding',
  'content-type', 'content-length', 'content-encoding', 'content-language', 'content-range', 'content-disposition',
  'content-security-policy', 'date', 'server', 'via', 'age', 'vary', 'etag', 'expires', 'last-modified',
  'cache-control', 'pragma', 'if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'range',
  'location', 'referer', 'origin', 'cookie', 'set-cookie', 'authorization', 'www-authenticate',
  'proxy-authorization', 'proxy-authenticate', 'expect', 'forwarded', 'x-forwarded-for', 'x-forwarded-proto',
  'x-forwarded-host', 'x-forwarded-port', 'x-real-ip', 'x-request-id', 'x-correlation-id', 'traceparent', 'tracestate',
  'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-envoy-upstream-service-time',
  'x-envoy-expected-rq-timeout-ms', 'x-powered-by', 'x-content-type-options', 'x-frame-options', 'x-xss-protection',
  'strict-transport-security', 'access-control-allow-origin', 'access-control-allow-credentials',
  'access-control-allow-headers', 'access-control-allow-methods', 'access-control-expose-headers',
  'access-control-max-age', 'access-control-request-method', 'access-control-request-headers',
  'sec-websocket-key', 'sec-websocket-accept', 'sec-websocket-version', 'sec-websocket-protocol',
  'sec-websocket-extensions', 'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest', 'sec-fetch-user',
  'sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform', 'upgrade-insecure-requests', 'dnt', 'alt-svc',
  'link', 'retry-after', 'allow', 'p3p', 'x-cache', 'x-amz-request-id', 'x-amz-id-2', 'cf-ray',
];

/** Longest name in the table. */
const MAX_NAME = 40;
/**
 * Names indexed by length and the low 5 bits of the first character (case
 * folds away): an array read and one comparison per field in the common case.
 */
const TABLE: (string[] | undefined)[] = [];
const slot = (len: number, first: number): number => len * 32 + (first & 31);
for (const n of FIELD_NAMES) (TABLE[slot(n.length, n.charCodeAt(0))] ??= []).push(n);

/** Compare `s[a..a+k.length)` with lower-case `k`, ignoring ASCII case. */
function sameLower(s: string, a: number, k: string): boolean {
  for (let j = 0; j < k.length; j++) {
    let c = s.charCodeAt(a + j);
    if (c >= 65 && c <= 90) c |= 0x20;
    if (c !== k.charCodeAt(j)) return false;
  }
  return true;
}

/** The lower-case constant for the field name `s[a..b)`, or null when it is not a common one. */
export function knownFieldName(s: string, a: number, b: number): string | null {
  if (b - a > MAX_NAME) return null;
  const list = TABLE[slot(b - a, s.charCodeAt(a))];
  if (list === undefined) return null;
  for (let i = 0; i < list.length; i++) if (sameLower(s, a, list[i])) return list[i];
  return null;
}

const METHODS = ['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'];

/** The constant for the method `s[0..len)` when it is a common one (methods are case-sensitive). */
export function knownMethod(s: string, len: number): string | null {
  for (const m of METHODS) if (m.length === len && s.startsWith(m)) return m;
  return null;
}

const REASONS = ['OK', 'Created', 'Accepted', 'No Content', 'Partial Content', 'Moved Permanently', 'Found',
  'See Other', 'Not Modified', 'Temporary Redirect', 'Permanent Redirect', 'Bad Request', 'Unauthorized',
  'Forbidden', 'Not Found', 'Method Not Allowed', 'Conflict', 'Too Many Requests', 'Internal Server Error',
  'Bad Gateway', 'Service Unavailable', 'Gateway Timeout', 'Continue', 'Switching Protocols'];

/** The constant for the reason phrase `s[a..b)` when it is a common one. */
export function knownReason(s: string, a: number, b: number): string | null {
  for (const r of REASONS) if (r.length === b - a && s.startsWith(r, a)) return r;
  return null;
}

/**
 * Pairing output: build an `HttpEntry` from a request and its response (either
 * may be missing). The only place strings for display are made: query
 * parameters, host, body text or base64.
 */
import { isUtf8 } from 'node:buffer';
import type { ConnectionContext } from '../types.js';
import type { EntryFlag, HttpBody, HttpEntry, HttpRequest, HttpResponse } from '../../entries/types.js';
import type { HttpMessage } from './message.js';
import { canDecode, codingsOf, decodeContent } from './decode.js';
import { elapsedMs } from '../../entries/time.js';
import { graphqlOf } from '../graphql/detect.js';

/** Query parameters kept per request. */
export const MAX_QUERY_PARAMS = 256;

/** One request/response pair as the binding tracks it. */
export interface Exchange {
  request: HttpMessage | null;
  response: HttpMessage | null;
  /** 1xx statuses seen before the final response, or null. */
  informational: number[] | null;
  /** Flags of the pairing itself ('no-request', 'no-response', 'upgrade', 'tunnel'). */
  flags: EntryFlag[];
}

export function buildHttpEntry(ctx: ConnectionContext, ex: Exchange): HttpEntry {
  const flags = ex.flags; // the exchange's array becomes the entry's
  const decode = ctx.options.decodeBodies;
  const req = ex.request;
  const res = ex.response;
  let request: HttpRequest | null = null;
  let response: HttpResponse | null = null;
  if (req !== null) {
    if (req.flags.length > 0) addFlags(flags, req.flags);
    request = {
      method: req.method,
      path: req.target,
      host: hostOf(req),
      query: queryOf(req.target),
      httpVersion: req.version,
      headers: req.headers,
      headersSize: req.headersSize,
      body: bodyOf(req, decode, flags),
    };
    if (req.trailers !== null && hasKeys(req.trailers)) request.trailers = req.trailers;
    // GraphQL summary (dissectors/graphql), after trailers as in the HttpRequest type's field order.
    const graphql = graphqlOf(request, ctx);
    if (graphql !== null) request.graphql = graphql;
  }
  if (res !== null) {
    if (res.flags.length > 0) addFlags(flags, res.flags);
    response = {
      status: res.status,
      statusText: res.reason,
      httpVersion: res.version,
      headers: res.headers,
      headersSize: res.headersSize,
      body: bodyOf(res, decode, flags),
    };
    if (res.trailers !== null && hasKeys(res.trailers)) response.trailers = res.trailers;
    if (ex.informational !== null) response.informational = ex.informational;
  }
  const start = req !== null ? req.firstTs : res !== null ? res.firstTs : 0;
  return {
    id: ctx.nextEntryId(),
    protocol: 'http',
    transport: 'tcp',
    timestamp: start,
    elapsedTime: req !== null && res !== null ? elapsedMs(req.firstTs, res.lastTs) : 0,
    src: ctx.client,
    dst: ctx.server,
    connectionId: ctx.id,
    flags,
    request,
    response,
  };
}

function addFlags(to: EntryFlag[], from: readonly EntryFlag[]): void {
  for (const f of from) if (!to.includes(f)) to.push(f);
}

function hasKeys(o: Record<string, string>): boolean {
  for (const _ in o) return true;
  return false;
}

/** Authority of an absolute-form target (RFC 9112 §3.2.2: it wins over Host), else Host, else a CONNECT target. */
export function hostOf(m: HttpMessage): string {
  const t = m.target;
  const scheme = t.startsWith('http://') ? 7 : t.startsWith('https://') ? 8 : 0;
  if (scheme > 0) {
    let e = scheme;
    while (e < t.length && t[e] !== '/' && t[e] !== '?' && t[e] !== '#') e++;
    const authority = t.slice(scheme, e);
    const at = authority.lastIndexOf('@');
    return at >= 0 ? authority.slice(at + 1) : authority;
  }
  const host = m.headers.host;
  if (typeof host === 'string') return host;
  return m.method === 'CONNECT' && !t.startsWith('/') ? t : '';
}

/** The query of every request-target without one: shared, so frozen (entries are values; the redactor copies what it masks). */
const NO_QUERY: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** Query parameters of a request-target; tolerant of bad percent-encoding; repeats joined with ", ". */
export function queryOf(target: string): Record<string, string> {
  const q = target.indexOf('?');
  if (q < 0) return NO_QUERY;
  const out: Record<string, string> = {};
  let e = target.indexOf('#', q);
  if (e < 0) e = target.length;
  let n = 0;
  for (const [k, v] of new URLSearchParams(target.slice(q + 1, e))) {
    if (++n > MAX_QUERY_PARAMS) break;
    const prev = out[k];
    if (typeof prev === 'string') out[k] = prev + ', ' + v;
    else if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

const TEXT_MIME_HINTS = ['json', 'xml', 'javascript', 'ecmascript', 'x-www-form-urlencoded', 'yaml', 'csv', 'graphql'];

export function isTextualMime(mime: string): boolean {
  return mime.startsWith('text/') || TEXT_MIME_HINTS.some((h) => mime.includes(h));
}

/** The last Content-Type seen and its media type: a connection repeats one (often the very same string, from a shared head). */
let lastContentType = '';
let lastMime = '';

function mimeOf(m: HttpMessage): string {
  const ct = m.headers['content-type'];
  if (typeof ct !== 'string') return '';
  if (ct === lastContentType) return lastMime;
  const semi = ct.indexOf(';');
  lastMime = (semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase();
  lastContentType = ct;
  return lastMime;
}

/** Length of an unfinished UTF-8 sequence at the end of `b` (a body cut by the cap). */
function partialUtf8Tail(b: Buffer): number {
  for (let k = 1; k <= 3 && k <= b.length; k++) {
    const c = b[b.length - k];
    if ((c & 0xc0) !== 0x80) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
      return need > k ? k : 0;
    }
  }
  return 0;
}

function looksLikeText(b: Buffer, cut: boolean): boolean {
  if (b.indexOf(0) >= 0) return false;
  const view = cut ? b.subarray(0, b.length - partialUtf8Tail(b)) : b;
  return isUtf8(view);
}

/** Body for display; decode failures add 'body-decode-error' to `flags`. */
export function bodyOf(m: HttpMessage, decode: boolean, flags: EntryFlag[]): HttpBody | null {
  if (m.bodySize === 0) return null;
  let bytes = m.body();
  let truncated = m.overCap;
  let decodedFrom: string | undefined;
  let stillEncoded = false;
  const ce = m.headers['content-encoding'];
  if (typeof ce === 'string') {
    const codings = codingsOf(ce);
    stillEncoded = codings.some((c) => c !== 'identity');
    if (decode && stillEncoded) {
      const out = canDecode(codings) ? decodeContent(bytes, codings) : null;
      if (out === null) {
        if (!flags.includes('body-decode-error')) flags.push('body-decode-error');
      } else {
        bytes = out.bytes;
        stillEncoded = false;
        truncated ||= out.capped;
        decodedFrom = codings.filter((c) => c !== 'identity').join(', ');
      }
    }
  }
  const mimeType = mimeOf(m);
  // The mime type describes the decoded content: it says nothing about bytes still compressed.
  const text = (!stillEncoded && isTextualMime(mimeType)) || looksLikeText(bytes, truncated || m.flags.includes('truncated'));
  // Fields in the type's order, which the JSON writer follows (output/http-json.ts).
  const content = text ? bytes.toString('utf8') : bytes.toString('base64');
  const encoding = text ? 'text' : 'base64';
  return decodedFrom === undefined
    ? { size: m.bodySize, content, encoding, mimeType, truncated }
    : { size: m.bodySize, content, encoding, mimeType, decodedFrom, truncated };
}

/**
 * One HttpEntry as one HAR 1.2 entry. Every field the spec requires is
 * present; what podtap cannot know is -1 (sizes, optional timings) or empty,
 * the way browsers record a request that got no response (status 0).
 * podtap's own facts (flags, endpoints, trailers) go in `_podtap`.
 */
import type { Endpoint, HttpBody, HttpEntry, HttpRequest, HttpResponse } from '../entries/types.js';
import { parseCookieHeader, parseSetCookie, splitSetCookie } from './har-cookies.js';
import type { HarContent, HarCookie, HarEntry, HarNameValue, HarPodtapInfo, HarRequest, HarResponse } from './har-types.js';
import { absoluteUrl, endpointAuthority } from './har-url.js';

export function toHarEntry(e: HttpEntry): HarEntry {
  const time = Number.isFinite(e.elapsedTime) && e.elapsedTime > 0 ? e.elapsedTime : 0;
  const started = Number.isFinite(e.timestamp) ? e.timestamp : 0;
  return {
    startedDateTime: new Date(started).toISOString(),
    time,
    request: e.request === null ? missingRequest(e) : harRequest(e.request, e.dst),
    response: e.response === null ? missingResponse() : harResponse(e.response),
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, send: 0, wait: time, receive: 0, ssl: -1 },
    serverIPAddress: e.dst.ip.replace(/%.*$/, ''), // no IPv6 zone: HAR wants a plain address
    connection: e.connectionId,
    _podtap: podtapInfo(e),
  };
}

/** "1.1" and "HTTP/1.1" both become "HTTP/1.1", as HAR writes it. */
export function harHttpVersion(v: string): string {
  return /^[0-9]/.test(v) ? `HTTP/${v}` : v;
}

function harRequest(r: HttpRequest, dst: Endpoint): HarRequest {
  const cookie = r.headers['cookie'];
  const out: HarRequest = {
    method: r.method,
    url: absoluteUrl(r.path, r.host, dst),
    httpVersion: harHttpVersion(r.httpVersion),
    cookies: cookie === undefined ? [] : parseCookieHeader(cookie),
    headers: harHeaders(r.headers),
    queryString: queryString(r.path),
    headersSize: r.headersSize,
    bodySize: r.body === null ? 0 : r.body.size,
  };
  if (r.body !== null) {
    out.postData = { mimeType: mimeType(r.body, r.headers), text: r.body.content };
    // HAR 1.2 postData has no encoding field: say it in a custom one.
    if (r.body.encoding === 'base64') out.postData._encoding = 'base64';
  }
  return out;
}

/** Only the response was seen (capture started mid-way): keep it, with an empty request. */
function missingRequest(e: HttpEntry): HarRequest {
  return {
    method: '',
    url: `http://${endpointAuthority(e.dst)}/`,
    httpVersion: e.response === null ? '' : harHttpVersion(e.response.httpVersion),
    cookies: [],
    headers: [],
    queryString: [],
    headersSize: -1,
    bodySize: -1,
  };
}

function harResponse(r: HttpResponse): HarResponse {
  const setCookie = r.headers['set-cookie'];
  const location = r.headers['location'];
  return {
    status: r.status,
    statusText: r.statusText,
    httpVersion: harHttpVersion(r.httpVersion),
    cookies: setCookie === undefined ? [] : splitSetCookie(setCookie).map(parseSetCookie).filter((c): c is HarCookie => c !== null),
    headers: harHeaders(r.headers),
    content: content(r),
    redirectURL: location ?? '',
    headersSize: r.headersSize,
    bodySize: r.body === null ? 0 : r.body.size,
  };
}

/** No response arrived: status 0 and unknown sizes, as browsers record a failed request. */
function missingResponse(): HarResponse {
  return {
    status: 0,
    statusText: '',
    httpVersion: '',
    cookies: [],
    headers: [],
    content: { size: 0, mimeType: '' },
    redirectURL: '',
    headersSize: -1,
    bodySize: -1,
  };
}

function content(r: HttpResponse): HarContent {
  const b = r.body;
  if (b === null) return { size: 0, mimeType: r.headers['content-type'] ?? '' };
  const c: HarContent = { size: b.size, mimeType: mimeType(b, r.headers), text: b.content };
  if (b.encoding === 'base64') c.encoding = 'base64';
  // content.size is the decoded size; we know it only when the whole body was kept.
  if (b.decodedFrom !== undefined && !b.truncated) {
    c.size = Buffer.byteLength(b.content, b.encoding === 'base64' ? 'base64' : 'utf8');
    c.compression = c.size - b.size;
  }
  return c;
}

function mimeType(b: HttpBody, headers: Record<string, string>): string {
  return b.mimeType || headers['content-type'] || '';
}

/** Headers as HAR pairs; Set-Cookie, joined with ", " in the model, goes back to one header per cookie. */
function harHeaders(headers: Record<string, string>): HarNameValue[] {
  const out: HarNameValue[] = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (name === 'set-cookie') for (const v of splitSetCookie(value)) out.push({ name, value: v });
    else out.push({ name, value });
  }
  return out;
}

/** Parameters in order, repeats kept (the model's `query` record keeps one per name). */
function queryString(path: string): HarNameValue[] {
  const q = path.indexOf('?');
  if (q < 0) return [];
  const hash = path.indexOf('#', q);
  const out: HarNameValue[] = [];
  for (const [name, value] of new URLSearchParams(path.slice(q + 1, hash < 0 ? undefined : hash))) out.push({ name, value });
  return out;
}

function podtapInfo(e: HttpEntry): HarPodtapInfo {
  const info: HarPodtapInfo = { id: e.id, flags: [...e.flags], src: e.src, dst: e.dst };
  if (e.response?.informational?.length) info.informational = e.response.informational;
  if (e.request?.trailers) info.requestTrailers = e.request.trailers;
  if (e.response?.trailers) info.responseTrailers = e.response.trailers;
  if (e.request?.body?.truncated) info.requestBodyTruncated = true;
  if (e.response?.body?.truncated) info.responseBodyTruncated = true;
  return info;
}

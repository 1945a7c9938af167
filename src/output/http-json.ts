/**
 * JSON text of an entry, byte for byte what `JSON.stringify(entry)` gives for
 * entries as the dissectors build them (fields in the order of the types in
 * entries/types.ts). Written by hand for HTTP, the hot path: JSON.stringify
 * costs ~3 µs per HTTP entry on this machine, a third of `podtap read` and of
 * a worker's CPU.
 *
 * The saving is in what repeats. The HTTP parser hands out one frozen header
 * record for every repeat of the same head, and a frozen record cannot
 * change, so the JSON of the record, and of the request or response around
 * it (all but the body), is made once and remembered (WeakMaps keyed by the
 * record: they go when it does). A remembered text is used only after the
 * fields it was made from are compared equal. Other protocols go through
 * JSON.stringify.
 */
import type { Endpoint, Entry, HttpBody, HttpEntry, HttpRequest, HttpResponse } from '../entries/types.js';

/** Characters JSON.stringify would escape (surrogates: it escapes lone ones; the slow path sorts that out). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

export function str(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

function num(n: number): string {
  return Number.isFinite(n) ? '' + n : 'null';
}

/** Frozen records → their JSON. */
const recordJson = new WeakMap<object, string>();

/** A string-valued record in its own key order (as JSON.stringify walks it). */
function record(o: Readonly<Record<string, string>>): string {
  const frozen = Object.isFrozen(o);
  if (frozen) {
    const known = recordJson.get(o);
    if (known !== undefined) return known;
  }
  let out = '{';
  for (const k of Object.keys(o)) {
    const v = o[k];
    const j = typeof v === 'string' ? str(v) : JSON.stringify(v);
    if (j === undefined) continue; // undefined and functions are left out, as JSON.stringify does
    out += (out.length > 1 ? ',' : '') + str(k) + ':' + j;
  }
  out += '}';
  if (frozen) recordJson.set(o, out);
  return out;
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

interface EndpointText { ip: string; port: number; json: string }
/** Endpoints are shared by the entries of a connection: remembered with the fields they were made from. */
const endpointJson = new WeakMap<Endpoint, EndpointText>();

function endpoint(e: Endpoint): string {
  const plain = e.name === undefined && e.namespace === undefined && e.pod === undefined && e.service === undefined && e.node === undefined;
  if (plain) {
    const known = endpointJson.get(e);
    if (known !== undefined && known.ip === e.ip && known.port === e.port) return known.json;
  }
  let out = '{"ip":' + str(e.ip) + ',"port":' + num(e.port);
  if (e.name !== undefined) out += ',"name":' + str(e.name);
  if (e.namespace !== undefined) out += ',"namespace":' + str(e.namespace);
  if (e.pod !== undefined) out += ',"pod":' + str(e.pod);
  if (e.service !== undefined) out += ',"service":' + str(e.service);
  if (e.node !== undefined) out += ',"node":' + str(e.node);
  out += '}';
  if (plain) endpointJson.set(e, { ip: e.ip, port: e.port, json: out });
  return out;
}

function body(b: HttpBody | null): string {
  if (b === null) return 'null';
  let out = '{"size":' + num(b.size) + ',"content":' + str(b.content) + ',"encoding":' + str(b.encoding)
    + ',"mimeType":' + str(b.mimeType);
  if (b.decodedFrom !== undefined) out += ',"decodedFrom":' + str(b.decodedFrom);
  return out + ',"truncated":' + (b.truncated ? 'true' : 'false') + '}';
}

/** JSON of a request up to `"body":`, with the fields it was made from. */
interface RequestHead { method: string; path: string; host: string; httpVersion: string; headersSize: number; json: string }
const requestHeads = new WeakMap<object, RequestHead>();

function requestHead(r: HttpRequest): string {
  // Remembered only with an empty query (the query record is the request's own, never shared).
  const shared = Object.isFrozen(r.headers) && isEmpty(r.query);
  if (shared) {
    const k = requestHeads.get(r.headers);
    if (k !== undefined && k.method === r.method && k.path === r.path && k.host === r.host
      && k.httpVersion === r.httpVersion && k.headersSize === r.headersSize) return k.json;
  }
  const json = '{"method":' + str(r.method) + ',"path":' + str(r.path) + ',"host":' + str(r.host)
    + ',"query":' + (isEmpty(r.query) ? '{}' : record(r.query)) + ',"httpVersion":' + str(r.httpVersion)
    + ',"headers":' + record(r.headers) + ',"headersSize":' + num(r.headersSize) + ',"body":';
  if (shared) requestHeads.set(r.headers, { method: r.method, path: r.path, host: r.host, httpVersion: r.httpVersion, headersSize: r.headersSize, json });
  return json;
}

function request(r: HttpRequest | null): string {
  if (r === null) return 'null';
  let out = requestHead(r) + body(r.body);
  if (r.trailers !== undefined) out += ',"trailers":' + record(r.trailers);
  return out + '}';
}

/** JSON of a response up to `"body":`, with the fields it was made from. */
interface ResponseHead { status: number; statusText: string; httpVersion: string; headersSize: number; json: string }
const responseHeads = new WeakMap<object, ResponseHead>();

function responseHead(r: HttpResponse): string {
  const shared = Object.isFrozen(r.headers);
  if (shared) {
    const k = responseHeads.get(r.headers);
    if (k !== undefined && k.status === r.status && k.statusText === r.statusText
      && k.httpVersion === r.httpVersion && k.headersSize === r.headersSize) return k.json;
  }
  const json = '{"status":' + num(r.status) + ',"statusText":' + str(r.statusText) + ',"httpVersion":' + str(r.httpVersion)
    + ',"headers":' + record(r.headers) + ',"headersSize":' + num(r.headersSize) + ',"body":';
  if (shared) responseHeads.set(r.headers, { status: r.status, statusText: r.statusText, httpVersion: r.httpVersion, headersSize: r.headersSize, json });
  return json;
}

function response(r: HttpResponse | null): string {
  if (r === null) return 'null';
  let out = responseHead(r) + body(r.body);
  if (r.trailers !== undefined) out += ',"trailers":' + record(r.trailers);
  if (r.informational !== undefined) out += ',"informational":' + JSON.stringify(r.informational);
  return out + '}';
}

export function httpEntryJson(e: HttpEntry): string {
  return '{"id":' + str(e.id) + ',"protocol":"http","transport":' + str(e.transport)
    + ',"timestamp":' + num(e.timestamp) + ',"elapsedTime":' + num(e.elapsedTime)
    + ',"src":' + endpoint(e.src) + ',"dst":' + endpoint(e.dst) + ',"connectionId":' + str(e.connectionId)
    + ',"flags":' + (e.flags.length === 0 ? '[]' : JSON.stringify(e.flags))
    + ',"request":' + request(e.request) + ',"response":' + response(e.response) + '}';
}

/** One entry as JSON text (no newline). */
export function entryJson(e: Entry): string {
  return e.protocol === 'http' ? httpEntryJson(e) : JSON.stringify(e);
}

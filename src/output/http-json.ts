/**
 * JSON text of an entry, byte for byte what `JSON.stringify(entry)` gives for
 * entries as the dissectors build them (fields in the order of the types in
 * entries/types.ts), written straight into bytes (json-bytes.ts). By hand for
 * HTTP, the hot path: JSON.stringify plus encoding costs ~4 µs per HTTP entry
 * on this machine, a third of `podtap read` and of a worker's CPU.
 *
 * The rest of the saving is in what repeats. The HTTP parser hands out one
 * frozen header record for every repeat of the same head, and a frozen
 * record cannot change, so the JSON of the record, and of the request or
 * response around it (all but the body), is made once and remembered
 * (WeakMaps keyed by the record: they go when it does). A remembered
 * fragment is used only after the fields it was made from compare equal.
 * Other protocols are walked generically (writeOtherEntry).
 */
import type { Endpoint, Entry, HttpBody, HttpEntry, HttpRequest, HttpResponse } from '../entries/types.js';
import { inheritsEnumerable, JsonBytes } from './json-bytes.js';

const bytesOf = (s: string): Buffer => Buffer.from(s, 'latin1');
const ID = bytesOf('{"id":');
const ELAPSED = bytesOf(',"elapsedTime":');
const SRC = bytesOf(',"src":');
const DST = bytesOf(',"dst":');
const CONNECTION = bytesOf(',"connectionId":');
const FLAGS = bytesOf(',"flags":');
const REQUEST = bytesOf(',"request":');
const RESPONSE = bytesOf(',"response":');
const TRAILERS = bytesOf(',"trailers":');
/** HttpEntry's protocol and transport are the literals 'http' and 'tcp': one copy for three fields. */
const PROTOCOL_TCP_TIMESTAMP = bytesOf(',"protocol":"http","transport":"tcp","timestamp":');
const NO_FLAGS_REQUEST = bytesOf(',"flags":[],"request":');

/** Frozen records → their JSON. */
const recordJson = new WeakMap<object, Buffer>();

/** A string-valued record in its own key order (as JSON.stringify walks it). */
function record(o: Readonly<Record<string, string>>, out: JsonBytes): void {
  const frozen = Object.isFrozen(o);
  if (frozen) {
    const known = recordJson.get(o);
    if (known !== undefined) { out.bytes(known); return; }
  }
  const start = out.pos;
  out.ascii('{');
  let first = true;
  for (const k of Object.keys(o)) {
    const v = o[k];
    const other = typeof v === 'string' ? '' : JSON.stringify(v);
    if (other === undefined) continue; // undefined and functions are left out, as JSON.stringify does
    if (!first) out.ascii(',');
    out.string(k);
    out.ascii(':');
    if (typeof v === 'string') out.string(v);
    else out.text(other);
    first = false;
  }
  out.ascii('}');
  if (frozen) recordJson.set(o, out.since(start));
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/**
 * Endpoints are shared by the entries of a connection, each in one role
 * (src or dst). A frozen endpoint (the connection's, made by the flow
 * table, or one named by the cluster metadata) never changes, so its JSON
 * with the key before it is kept here; any other is written afresh (an
 * endpoint made per entry would only fill the memory).
 */
const endpointJson = new WeakMap<Endpoint, { src: Buffer | null; dst: Buffer | null }>();

/**
 * Exactly `ip` (a string) then `port` (a number), written by hand; anything
 * else takes JSON.stringify (whose order is the key order).
 */
function isPlain(e: Endpoint): boolean {
  let n = 0;
  for (const k in e) {
    if (k !== (n === 0 ? 'ip' : n === 1 ? 'port' : '')) return false;
    n++;
  }
  return n === 2 && typeof e.ip === 'string' && typeof e.port === 'number';
}

/** The last frozen endpoint written in each role and its JSON: entries of one connection come in runs. */
let lastSrc: Endpoint | null = null;
let lastSrcJson: Buffer | null = null;
let lastDst: Endpoint | null = null;
let lastDstJson: Buffer | null = null;

/** `key` (`,"src":` or `,"dst":`) and the endpoint. */
function endpoint(key: Buffer, e: Endpoint, out: JsonBytes): void {
  if (key === SRC ? e === lastSrc : e === lastDst) { out.bytes(key === SRC ? lastSrcJson! : lastDstJson!); return; }
  const json = endpointBytes(key, e, out);
  if (json === null) return;
  if (key === SRC) { lastSrc = e; lastSrcJson = json; } else { lastDst = e; lastDstJson = json; }
}

/**
 * JSON of plain endpoints (ip and port, nothing else) by their content, per
 * role, in slots chosen by the port: every connection to one server shares
 * the server's JSON, and a capture of many short connections does not fill
 * the WeakMap (whose entries cost the collector) with endpoints used a few times.
 */
interface PlainJson { ip: string; port: number; json: Buffer }
const PLAIN_SLOTS = 256;
const plainSrc: Array<PlainJson | undefined> = new Array(PLAIN_SLOTS);
const plainDst: Array<PlainJson | undefined> = new Array(PLAIN_SLOTS);

/** Writes the endpoint; its kept JSON when it is frozen, else null. */
function endpointBytes(key: Buffer, e: Endpoint, out: JsonBytes): Buffer | null {
  const frozen = Object.isFrozen(e);
  const plain = isPlain(e);
  const slots = key === SRC ? plainSrc : plainDst;
  const slot = e.port & (PLAIN_SLOTS - 1);
  let known: { src: Buffer | null; dst: Buffer | null } | undefined;
  if (frozen && plain) {
    const s = slots[slot];
    if (s !== undefined && s.port === e.port && s.ip === e.ip) { out.bytes(s.json); return s.json; }
  } else if (frozen) {
    known = endpointJson.get(e);
    const json = known === undefined ? null : key === SRC ? known.src : known.dst;
    if (json !== null) { out.bytes(json); return json; }
  }
  const start = out.pos;
  out.bytes(key);
  if (plain) {
    out.ascii('{"ip":');
    out.string(e.ip);
    out.ascii(',"port":');
    out.number(e.port);
    out.ascii('}');
  } else {
    out.text(JSON.stringify(e)); // names, labels, dns: written once per frozen endpoint and role
  }
  if (!frozen) return null;
  const json = out.since(start);
  if (plain) {
    slots[slot] = { ip: e.ip, port: e.port, json };
  } else {
    if (known === undefined) endpointJson.set(e, known = { src: null, dst: null });
    if (key === SRC) known.src = json; else known.dst = json;
  }
  return json;
}

/**
 * The last body written, and its JSON once it has repeated: small bodies
 * repeat (health checks, polling, fixed replies). A body seen once costs one
 * reference; at its first repeat its fields are copied and its JSON kept.
 */
let lastBody: HttpBody | null = null;
let lastBodyJson: Buffer | null = null;
/** Bodies longer than this are not remembered (comparing and copying would cost more than they save). */
const REMEMBER_BODY_CHARS = 256;

function sameBody(a: HttpBody, b: HttpBody): boolean {
  return a.content === b.content && a.size === b.size && a.mimeType === b.mimeType && a.encoding === b.encoding
    && a.truncated === b.truncated && a.decodedFrom === b.decodedFrom;
}

function body(b: HttpBody | null, out: JsonBytes): void {
  if (b === null) { out.ascii('null'); return; }
  const l = lastBody;
  if (l !== null && sameBody(l, b)) {
    if (lastBodyJson !== null) { out.bytes(lastBodyJson); return; }
    const start = out.pos;
    writeBody(b, out);
    lastBody = { size: b.size, content: b.content, encoding: b.encoding, mimeType: b.mimeType, truncated: b.truncated, decodedFrom: b.decodedFrom };
    lastBodyJson = out.since(start);
    return;
  }
  writeBody(b, out);
  lastBody = b.content.length <= REMEMBER_BODY_CHARS ? b : null;
  lastBodyJson = null;
}

function writeBody(b: HttpBody, out: JsonBytes): void {
  out.ascii('{"size":');
  out.number(b.size);
  out.ascii(',"content":');
  out.string(b.content);
  out.ascii(',"encoding":');
  out.string(b.encoding);
  out.ascii(',"mimeType":');
  out.string(b.mimeType);
  if (b.decodedFrom !== undefined) { out.ascii(',"decodedFrom":'); out.string(b.decodedFrom); }
  out.ascii(b.truncated ? ',"truncated":true}' : ',"truncated":false}');
}

/** JSON of a request up to `"body":`, with the fields it was made from. */
interface RequestHead { method: string; path: string; host: string; httpVersion: string; headersSize: number; json: Buffer }
const requestHeads = new WeakMap<object, RequestHead>();

function requestHead(r: HttpRequest, out: JsonBytes): void {
  // Remembered only with an empty query (the query record is the request's own, never shared).
  const shared = Object.isFrozen(r.headers) && isEmpty(r.query);
  if (shared) {
    const k = requestHeads.get(r.headers);
    if (k !== undefined && k.method === r.method && k.path === r.path && k.host === r.host
      && k.httpVersion === r.httpVersion && k.headersSize === r.headersSize) { out.bytes(k.json); return; }
  }
  const start = out.pos;
  out.ascii('{"method":');
  out.string(r.method);
  out.ascii(',"path":');
  out.string(r.path);
  out.ascii(',"host":');
  out.string(r.host);
  out.ascii(',"query":');
  if (isEmpty(r.query)) out.ascii('{}');
  else record(r.query, out);
  out.ascii(',"httpVersion":');
  out.string(r.httpVersion);
  out.ascii(',"headers":');
  record(r.headers, out);
  out.ascii(',"headersSize":');
  out.number(r.headersSize);
  out.ascii(',"body":');
  if (shared) requestHeads.set(r.headers, { method: r.method, path: r.path, host: r.host, httpVersion: r.httpVersion, headersSize: r.headersSize, json: out.since(start) });
}

function request(r: HttpRequest | null, out: JsonBytes): void {
  if (r === null) { out.ascii('null'); return; }
  requestHead(r, out);
  body(r.body, out);
  if (r.trailers !== undefined) { out.bytes(TRAILERS); record(r.trailers, out); }
  if (r.graphql !== undefined) { out.ascii(',"graphql":'); out.text(JSON.stringify(r.graphql)); } // rare: set after trailers, as the entry builder does
  out.ascii('}');
}

/** JSON of a response up to `"body":`, with the fields it was made from. */
interface ResponseHead { status: number; statusText: string; httpVersion: string; headersSize: number; json: Buffer }
const responseHeads = new WeakMap<object, ResponseHead>();

function responseHead(r: HttpResponse, out: JsonBytes): void {
  const shared = Object.isFrozen(r.headers);
  if (shared) {
    const k = responseHeads.get(r.headers);
    if (k !== undefined && k.status === r.status && k.statusText === r.statusText
      && k.httpVersion === r.httpVersion && k.headersSize === r.headersSize) { out.bytes(k.json); return; }
  }
  const start = out.pos;
  out.ascii('{"status":');
  out.number(r.status);
  out.ascii(',"statusText":');
  out.string(r.statusText);
  out.ascii(',"httpVersion":');
  out.string(r.httpVersion);
  out.ascii(',"headers":');
  record(r.headers, out);
  out.ascii(',"headersSize":');
  out.number(r.headersSize);
  out.ascii(',"body":');
  if (shared) responseHeads.set(r.headers, { status: r.status, statusText: r.statusText, httpVersion: r.httpVersion, headersSize: r.headersSize, json: out.since(start) });
}

function response(r: HttpResponse | null, out: JsonBytes): void {
  if (r === null) { out.ascii('null'); return; }
  responseHead(r, out);
  body(r.body, out);
  if (r.trailers !== undefined) { out.bytes(TRAILERS); record(r.trailers, out); }
  if (r.informational !== undefined) { out.ascii(',"informational":'); out.text(JSON.stringify(r.informational)); }
  out.ascii('}');
}

export function writeHttpEntry(e: HttpEntry, out: JsonBytes): void {
  out.bytes(ID);
  out.string(e.id);
  out.bytes(PROTOCOL_TCP_TIMESTAMP);
  out.number(e.timestamp);
  out.bytes(ELAPSED);
  out.number(e.elapsedTime);
  endpoint(SRC, e.src, out);
  endpoint(DST, e.dst, out);
  out.bytes(CONNECTION);
  out.string(e.connectionId);
  if (e.flags.length === 0) out.bytes(NO_FLAGS_REQUEST);
  else {
    out.bytes(FLAGS);
    out.text(JSON.stringify(e.flags));
    out.bytes(REQUEST);
  }
  request(e.request, out);
  out.bytes(RESPONSE);
  response(e.response, out);
  out.ascii('}');
}

/** Appends one entry's JSON (no newline) to `out`. */
export function writeEntryJson(e: Entry, out: JsonBytes): void {
  if (e.protocol === 'http') writeHttpEntry(e, out);
  else writeOtherEntry(e, out);
}

/**
 * Every other protocol: the entry's own fields in their order, walked by
 * JsonBytes#value (a third faster than JSON.stringify and encoding; long
 * strings much faster), with `src` and `dst` from the endpoint memory.
 */
function writeOtherEntry(e: Exclude<Entry, HttpEntry>, out: JsonBytes): void {
  const o = e as unknown as Record<string, unknown>;
  if (Object.getPrototypeOf(o) !== Object.prototype || typeof o.toJSON === 'function' || inheritsEnumerable()) { out.value(o); return; }
  out.object(o, 0, endpointField);
}

/** JsonBytes#object's hook for an entry's fields: `src` and `dst` (never first) from the endpoint memory. */
function endpointField(k: string, v: unknown, first: boolean, out: JsonBytes): boolean {
  if (first || (k !== 'src' && k !== 'dst') || !isEndpoint(v)) return false;
  endpoint(k === 'src' ? SRC : DST, v, out);
  return true;
}

function isEndpoint(v: unknown): v is Endpoint {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype
    && typeof (v as Endpoint).ip === 'string' && typeof (v as Endpoint).port === 'number' && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/** One entry as JSON text (for tests and one-off uses; writers use writeEntryJson). */
export function entryJson(e: Entry): string {
  const out = new JsonBytes(1024);
  writeEntryJson(e, out);
  return out.buf.toString('utf8', 0, out.pos);
}

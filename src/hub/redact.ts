/**
 * Redaction before storage: secrets in headers, query parameters and JSON
 * bodies are replaced by `[REDACTED]`, and the entry lists what was masked
 * in `redacted` (paths such as `request.headers.authorization`).
 *
 * Always masked (unless redaction is off): Authorization, Cookie,
 * Set-Cookie, Proxy-Authorization. Also masked: any header, query parameter,
 * form field (application/x-www-form-urlencoded body) or JSON field whose
 * name contains one of the configured words (case insensitive; `-` and `_`
 * ignored), by default `DEFAULT_SECRET_WORDS`. A JSON body over
 * MAX_REDACT_JSON_BYTES is masked whole when it contains one of the words; a
 * JSON body that does not parse (cut short at the body cap) is kept as it is
 * (SECURITY.md lists this as a known gap).
 *
 * HTTP/1 (`http`), HTTP/2 (`http2`) and gRPC (`grpc`) entries share the
 * request/response shape and are redacted alike; header names are compared
 * ignoring case. Redis `AUTH` (and the password of `HELLO … AUTH` and
 * `MIGRATE … AUTH/AUTH2`) arguments are masked too.
 *
 * Entries are values: a redacted entry is a new object; the input is not changed.
 */
import type { Entry, HttpBody, HttpEntry, RedisEntry } from '../entries/types.js';

export const MASK = '[REDACTED]';
export const ALWAYS_HEADERS = ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'];
export const DEFAULT_SECRET_WORDS = ['password', 'passwd', 'token', 'secret', 'apikey', 'accesskey', 'privatekey', 'credential', 'sessionid'];
/** JSON bodies larger than this are not parsed for redaction (they are masked whole if they name a secret). */
export const MAX_REDACT_JSON_BYTES = 1024 * 1024;
/** Deepest JSON nesting walked. */
const MAX_DEPTH = 64;

export interface RedactOptions {
  enabled: boolean;
  words: string[];
}

export const DEFAULT_REDACT: RedactOptions = { enabled: true, words: DEFAULT_SECRET_WORDS };

const squash = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');

/** Names remembered by `isSecret` (header and field names repeat across entries). */
const MAX_CACHED_NAMES = 4096;

/** `"name": "value"` in JSON text; the value may be cut off at the end of the text. Unambiguous, so linear. */
const JSON_TEXT_PAIR = /"((?:[^"\\\n]|\\.){1,128})"\s*:\s*"(?:[^"\\]|\\.)*("|$)/g;

/** A form or query parameter's name as `isSecret` should see it: URL-decoded (`+` is a space), or raw when it does not decode. */
export function paramName(raw: string): string {
  try { return decodeURIComponent(raw.replace(/\+/g, ' ')); } catch { return raw; }
}

/** The text between a JSON key's quotes as `isSecret` should see it: unescaped, or raw when it does not parse. */
export function jsonKeyName(raw: string): string {
  if (!raw.includes('\\')) return raw; // nothing to unescape (and what JSON.parse would refuse it keeps raw anyway)
  try { return JSON.parse(`"${raw}"`) as string; } catch { return raw; }
}

export class Redactor {
  private readonly words: string[];
  private readonly verdicts = new Map<string, boolean>();
  /** A cheap pre-check on body text: does any word (with optional - or _ between letters) appear at all? */
  private readonly anyWord: RegExp | null;

  constructor(readonly options: RedactOptions = DEFAULT_REDACT) {
    this.words = options.words.map(squash).filter((w) => w !== '');
    this.anyWord = this.words.length === 0 ? null
      : new RegExp(this.words.map((w) => [...w].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[-_]?')).join('|'), 'i');
  }

  /** A fresh global regex that finds any configured word (as `isSecret` would see it inside a name); null with no words. */
  wordFinder(): RegExp | null {
    return this.anyWord === null ? null : new RegExp(this.anyWord.source, 'gi');
  }

  isSecret(name: string): boolean {
    let v = this.verdicts.get(name);
    if (v === undefined) {
      const n = squash(name);
      v = this.words.some((w) => n.includes(w));
      if (this.verdicts.size >= MAX_CACHED_NAMES) this.verdicts.clear();
      this.verdicts.set(name, v);
    }
    return v;
  }

  /** Does this message need a closer look? Most do not: no masked header, no query, no secret word in a JSON body. */
  private suspect(headers: Record<string, string>, body: HttpBody | null, path: string | null): boolean {
    for (const k in headers) if (ALWAYS_HEADERS.includes(k.toLowerCase()) || this.isSecret(k)) return true;
    if (path !== null && path.includes('?')) return true;
    return body !== null && body.encoding === 'text' && this.anyWord !== null && /json|x-www-form-urlencoded/i.test(body.mimeType) && this.anyWord.test(body.content);
  }

  redact(entry: Entry): Entry {
    if (!this.options.enabled) return entry;
    if (entry.protocol === 'redis') return redactRedis(entry);
    // HTTP/2 and gRPC carry the same headers (authorization, cookie) as HTTP/1.
    if (entry.protocol !== 'http' && entry.protocol !== 'http2' && entry.protocol !== 'grpc') return entry;
    const e = entry as unknown as HttpEntry;
    if ((e.request === null || !this.suspect(e.request.headers, e.request.body, e.request.path))
      && (e.response === null || !this.suspect(e.response.headers, e.response.body, null))) return entry;
    const masked: string[] = [];
    const request = e.request === null ? null : {
      ...e.request,
      headers: this.headers(e.request.headers, 'request.headers', masked),
      query: this.fields(e.request.query, 'request.query', masked),
      path: this.pathQuery(e.request.path, masked),
      body: this.body(e.request.body, 'request.body', masked),
    };
    const response = e.response === null ? null : {
      ...e.response,
      headers: this.headers(e.response.headers, 'response.headers', masked),
      body: this.body(e.response.body, 'response.body', masked),
    };
    if (masked.length === 0) return entry;
    return { ...e, request, response, redacted: masked };
  }

  private headers(h: Record<string, string>, at: string, masked: string[]): Record<string, string> {
    let out: Record<string, string> | null = null;
    for (const k of Object.keys(h)) {
      if (ALWAYS_HEADERS.includes(k.toLowerCase()) || this.isSecret(k)) {
        out ??= { ...h };
        out[k] = MASK;
        masked.push(`${at}.${k}`);
      }
    }
    return out ?? h;
  }

  private fields(q: Record<string, string>, at: string, masked: string[]): Record<string, string> {
    let out: Record<string, string> | null = null;
    for (const k of Object.keys(q)) {
      if (this.isSecret(k)) { out ??= { ...q }; out[k] = MASK; masked.push(`${at}.${k}`); }
    }
    return out ?? q;
  }

  /** The query string inside the request-target, parameter by parameter. */
  private pathQuery(path: string, masked: string[]): string {
    const i = path.indexOf('?');
    if (i < 0) return path;
    const names: string[] = [];
    const query = this.params(path.slice(i + 1), names);
    if (names.length === 0) return path;
    masked.push('request.path');
    return `${path.slice(0, i + 1)}${query}`;
  }

  /** `a=1&password=x` with the values of secret-named parameters masked; their names are added to `names`. */
  private params(text: string, names: string[]): string {
    return text.split('&').map((p) => {
      const eq = p.indexOf('=');
      const name = eq < 0 ? p : p.slice(0, eq);
      const decoded = paramName(name);
      if (eq < 0 || !this.isSecret(decoded)) return p;
      names.push(decoded);
      return `${name}=${encodeURIComponent(MASK)}`;
    }).join('&');
  }

  private body(b: HttpBody | null, at: string, masked: string[]): HttpBody | null {
    if (b === null || b.encoding !== 'text' || b.content === '') return b;
    if (/x-www-form-urlencoded/i.test(b.mimeType)) {
      const names: string[] = [];
      const content = this.params(b.content, names);
      for (const n of names) masked.push(`${at}.content.${n}`);
      return names.length === 0 ? b : { ...b, content };
    }
    const json = /json/i.test(b.mimeType);
    if (!json && !/^(text\/|$)/i.test(b.mimeType.trim())) return b;
    if (b.content.length > MAX_REDACT_JSON_BYTES) {
      // Too large to walk: masked whole if it names a secret (as MAX_REDACT_JSON_BYTES says).
      if (this.anyWord === null || !this.anyWord.test(b.content)) return b;
      masked.push(`${at}.content`);
      return { ...b, content: MASK };
    }
    let doc: unknown;
    try {
      if (!json) throw new SyntaxError('not declared JSON');
      doc = JSON.parse(b.content);
    } catch {
      return this.jsonText(b, at, masked); // cut short at the body cap, or JSON sent as text
    }
    const before = masked.length;
    const walked = this.walk(doc, `${at}.content`, masked, 0);
    if (masked.length === before) return b;
    return { ...b, content: JSON.stringify(walked) };
  }

  /**
   * A body that does not parse: `"name": "value"` pairs found in the text with a secret
   * name get their value masked (to the end of the text when the value was cut short).
   */
  private jsonText(b: HttpBody, at: string, masked: string[]): HttpBody {
    if (this.anyWord === null || !this.anyWord.test(b.content)) return b;
    const before = masked.length;
    const content = b.content.replace(JSON_TEXT_PAIR, (pair: string, key: string, close: string) => {
      const name = jsonKeyName(key);
      if (!this.isSecret(name)) return pair;
      masked.push(`${at}.content.${name}`);
      return `"${key}":"${MASK}${close}`;
    });
    return masked.length === before ? b : { ...b, content };
  }

  private walk(v: unknown, at: string, masked: string[], depth: number): unknown {
    if (depth > MAX_DEPTH || typeof v !== 'object' || v === null) return v;
    if (Array.isArray(v)) return v.map((x, i) => this.walk(x, `${at}[${i}]`, masked, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (this.isSecret(k) && (typeof x !== 'object' || x === null)) { out[k] = MASK; masked.push(`${at}.${k}`); } else out[k] = this.walk(x, `${at}.${k}`, masked, depth + 1);
    }
    return out;
  }
}

/** Which arguments of a Redis command are passwords (indexes into `request.args`). */
export function redisSecretArgs(command: string, args: readonly string[]): number[] {
  if (command === 'AUTH') return args.map((_, i) => i);
  const out: number[] = [];
  args.forEach((a, i) => {
    const w = a.toUpperCase();
    if ((command === 'HELLO' && w === 'AUTH') || (command === 'MIGRATE' && w === 'AUTH2')) out.push(i + 1, i + 2);
    else if (command === 'MIGRATE' && w === 'AUTH') out.push(i + 1);
  });
  return out.filter((i) => i < args.length);
}

function redactRedis(e: RedisEntry): Entry {
  if (e.request === null || !Array.isArray(e.request.args)) return e;
  const at = redisSecretArgs(String(e.request.command).toUpperCase(), e.request.args);
  if (at.length === 0) return e;
  const args = [...e.request.args];
  for (const i of at) args[i] = MASK;
  return { ...e, request: { ...e.request, args }, redacted: at.map((i) => `request.args[${i}]`) };
}

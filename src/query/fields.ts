/**
 * Field paths: the names an entry has at its top level, the header-key rule,
 * and the two spellings of a path the compilers need (SQLite JSON path and a
 * dotted display name).
 */
import type { DnsEntry, Entry, HttpEntry } from '../entries/types.js';
import type { PathSegment } from './ast.js';

/**
 * Top-level fields of every entry. A path must start with one of these (or be
 * a macro), so a typo such as `reqest.path` is an error instead of a filter
 * that silently matches nothing.
 */
export const ROOT_FIELDS = [
  'id', 'protocol', 'transport', 'timestamp', 'elapsedTime', 'src', 'dst',
  'connectionId', 'flags', 'redacted', 'request', 'response',
  'channel', 'protocolVersion', 'clientId', 'streamId', 'reset', 'push', 'apiKey', 'apiName',
] as const;

// Compile-time check: a field added to any entry type must be listed above.
type KeysOfEach<T> = T extends unknown ? keyof T : never;
type Unlisted = Exclude<KeysOfEach<Entry> | keyof HttpEntry | keyof DnsEntry, (typeof ROOT_FIELDS)[number]>;
const allListed: [Unlisted] extends [never] ? true : Unlisted = true;
void allListed;

export function isRootField(name: string): boolean {
  return (ROOT_FIELDS as readonly string[]).includes(name);
}

/** Maps whose keys are stored lower-cased (HTTP header names): the key after them is lower-cased too. */
const CASE_INSENSITIVE_MAPS = new Set(['headers', 'trailers']);

/** Lower-case a key that follows `headers` or `trailers`, in place of the user's spelling. */
export function normalizeKey(previous: PathSegment | undefined, key: string): string {
  return previous?.kind === 'key' && CASE_INSENSITIVE_MAPS.has(previous.key) ? key.toLowerCase() : key;
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** SQLite JSON path: `$.request.headers."user-agent"`, `$.request.questions[0].name`. Other keys are quoted JSON strings (SQLite reads their escapes). */
export function jsonPath(path: readonly PathSegment[]): string {
  let out = '$';
  for (const s of path) {
    if (s.kind === 'index') out += `[${s.index}]`;
    else out += PLAIN_NAME.test(s.key) ? `.${s.key}` : `.${JSON.stringify(s.key)}`;
  }
  return out;
}

/** The path as a filter spells it: `dst.name`, `request.headers["user-agent"]`, `request.questions[0]`. */
export function dottedName(path: readonly PathSegment[]): string {
  let out = '';
  for (const s of path) {
    if (s.kind === 'index') out += `[${s.index}]`;
    else if (PLAIN_NAME.test(s.key)) out += out === '' ? s.key : `.${s.key}`;
    else out += `[${JSON.stringify(s.key)}]`;
  }
  return out;
}

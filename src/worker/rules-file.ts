/**
 * `--rules FILE`: the targeting rules as a JSON or YAML mapping, followed as
 * it is rewritten (a ConfigMap volume, an editor, `cat > FILE`):
 *
 *   podRegex: "web|api"          # Kubeshark's positional regex
 *   namespaces: [default]
 *   excludedNamespaces: [kube-system]
 *   selector: "app in (web,api)"
 *   includeHostNetwork: false
 *
 * Watching is src/util/watch-file.ts's, as for the inventory:
 *   1. the file is loaded; `onRules` gets it compiled, or `onError` (and
 *      watching goes on, so a fixed file is picked up);
 *   2. the directory is watched (renames and `..data` symlink swaps are
 *      seen), backed by a slow stat poll;
 *   3. events are debounced (`RULES_DEBOUNCE_MS`), the file read and hashed,
 *      content already seen skipped;
 *   4. content that does not parse or compile is read once more after
 *      `RULES_CONFIRM_MS` (a writer may still be writing); if unchanged,
 *      `onError` gets one line and the last good rules stay in force.
 * Callbacks are never called after `close()`; the watcher does not keep the
 * process alive.
 */
import { readFile, stat } from 'node:fs/promises';
import { parse } from 'yaml';
import { watchFile } from '../util/watch-file.js';
import { RuleError } from '../cluster/model.js';
import { compileRules, type PodFilter, type TargetRules } from '../cluster/rules.js';

export const RULES_DEBOUNCE_MS = 100;
export const RULES_CONFIRM_MS = 300;
export const RULES_POLL_MS = 5000;
/** Largest rules file read: a few rules, never megabytes. */
export const MAX_RULES_FILE_BYTES = 64 * 1024;

const FIX = 'write a mapping with podRegex, namespaces, excludedNamespaces, selector, includeHostNetwork';
const LIST_KEYS = ['namespaces', 'excludedNamespaces'] as const;
const STRING_KEYS = ['podRegex', 'selector'] as const;
const KNOWN = new Set<string>([...LIST_KEYS, ...STRING_KEYS, 'includeHostNetwork']);

/** Parses and checks the file's content; throws RuleError naming the file, the key and the fix. */
export function parseRulesFile(text: string, source: string): TargetRules {
  let doc: unknown;
  try {
    doc = text.trim() === '' ? {} : parse(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new RuleError(`${source}: not JSON or YAML (${oneLine((err as Error).message)}); ${FIX}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new RuleError(`${source}: top level is not a mapping; ${FIX}`);
  const o = doc as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) throw new RuleError(`${source}: unknown key ${JSON.stringify(unknown[0])}; ${FIX}`);
  const rules: TargetRules = {};
  for (const k of STRING_KEYS) {
    const v = o[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new RuleError(`${source}: ${k} must be a string, got ${JSON.stringify(v)}`);
    rules[k] = v;
  }
  for (const k of LIST_KEYS) {
    const v = o[k];
    if (v === undefined || v === null) continue;
    const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new RuleError(`${source}: ${k} must be a list of namespace names, got ${JSON.stringify(v)}`);
    rules[k] = list as string[];
  }
  const h = o.includeHostNetwork;
  if (h !== undefined && h !== null && typeof h !== 'boolean') throw new RuleError(`${source}: includeHostNetwork must be true or false, got ${JSON.stringify(h)}`);
  rules.includeHostNetwork = h === true;
  return rules;
}

export interface CompiledRules {
  rules: TargetRules;
  filter: PodFilter;
}

/** Reads, parses and compiles the file; throws RuleError. */
export async function loadRulesFile(path: string): Promise<CompiledRules> {
  const rules = parseRulesFile((await readRulesBytes(path)).toString('utf8'), path);
  return { rules, filter: compileIn(path, rules) };
}

/** compileRules, with the file named in its error. */
function compileIn(path: string, rules: TargetRules): PodFilter {
  try {
    return compileRules(rules);
  } catch (err) {
    throw err instanceof RuleError ? new RuleError(`${path}: ${err.message}`) : err;
  }
}

async function readRulesBytes(path: string): Promise<Buffer> {
  try {
    const st = await stat(path);
    if (st.size > MAX_RULES_FILE_BYTES) throw new RuleError(`${path}: ${st.size} bytes, over MAX_RULES_FILE_BYTES (${MAX_RULES_FILE_BYTES}); a rules file holds a few rules`);
    return await readFile(path);
  } catch (err) {
    if (err instanceof RuleError) throw err;
    throw new RuleError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the path of --rules and its permissions`);
  }
}

export interface RulesWatcher {
  /** The first load: the compiled rules, or the RuleError (also given to onError). */
  readonly ready: Promise<CompiledRules | RuleError>;
  /** `reads`, `unchanged` (same hash), `invalid`, `changes`. */
  readonly stats: { reads: number; unchanged: number; invalid: number; changes: number };
  close(): void;
}

export function watchRulesFile(path: string, onRules: (r: CompiledRules) => void, onError: (e: RuleError) => void): RulesWatcher {
  const stats = { reads: 0, unchanged: 0, invalid: 0, changes: 0 };
  const w = watchFile(path, {
    read: readRulesBytes,
    parse: (bytes): CompiledRules => {
      const rules = parseRulesFile(bytes.toString('utf8'), path);
      return { rules, filter: compileIn(path, rules) };
    },
    toError: (err) => (err instanceof RuleError ? err : new RuleError(`${path}: ${oneLine(String(err))}`)),
    onValue: (r) => { stats.changes++; onRules(r); },
    onError,
    debounceMs: RULES_DEBOUNCE_MS,
    confirmMs: RULES_CONFIRM_MS,
    pollMs: RULES_POLL_MS,
    counters: stats,
  });
  return {
    ready: w.ready.then((r) => r ?? new RuleError(`${path}: closed before the first load`)),
    stats,
    close: () => w.close(),
  };
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

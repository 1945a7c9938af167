/**
 * Targeting rules set on the hub (`PUT /api/rules`) and pushed to workers.
 *
 *   1. `checkRules` validates a rules object with the worker's own code: the
 *      rules-file parser (keys, types) and compileRules (regex, selector).
 *      Anything wrong is one RuleError line, answered 400.
 *   2. `HubRules` keeps the rules in memory and, when the hub has a data
 *      directory, in HUB_RULES_FILE there (written to a temporary file and
 *      renamed, so a crash leaves the old or the new file, never half of
 *      one). A hub restart reads them back.
 *   3. The hub sends them to every worker as a `rules` message, and to each
 *      worker that connects later right after its hello (server.ts).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuleError } from '../cluster/model.js';
import { compileRules, type TargetRules } from '../cluster/rules.js';
import { MAX_RULES_FILE_BYTES, parseRulesFile } from '../worker/rules-file.js';
import type { WorkerRecord } from './workers.js';

/** The file in the hub's data directory holding the rules set from the hub. */
export const HUB_RULES_FILE = 'rules.json';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The rules as the worker's rules file would give them (keys checked, lists normalised); throws RuleError. */
export function checkRules(value: unknown, source: string): TargetRules {
  if (!isObj(value)) throw new RuleError(`${source}: must be an object with podRegex, namespaces, excludedNamespaces, selector, includeHostNetwork`);
  const text = JSON.stringify(value);
  if (text.length > MAX_RULES_FILE_BYTES) throw new RuleError(`${source}: ${text.length} bytes, over MAX_RULES_FILE_BYTES (${MAX_RULES_FILE_BYTES}); rules are a few lines`);
  const rules = parseRulesFile(text, source); // JSON is YAML: the very parser of --rules FILE
  try {
    compileRules(rules);
  } catch (err) {
    throw err instanceof RuleError ? new RuleError(`${source}: ${err.message}`) : err;
  }
  return rules;
}

export class HubRules {
  private rules: TargetRules | null = null;
  private readonly file: string | null;

  /** `dir`: the hub's data directory (none: in memory only). A bad file is logged and ignored. */
  constructor(dir: string | undefined, log: (line: string) => void) {
    this.file = dir === undefined ? null : join(dir, HUB_RULES_FILE);
    if (this.file === null || !existsSync(this.file)) return;
    try {
      this.rules = checkRules(JSON.parse(readFileSync(this.file, 'utf8')), this.file);
    } catch (err) {
      log(`podtap hub: ${this.file}: ${(err as Error).message}; starting without hub rules (the workers keep their own)`);
    }
  }

  /** The rules set from the hub, or null when none was (each worker follows its own). */
  get(): TargetRules | null {
    return this.rules;
  }

  /** Store checked rules (see checkRules). */
  set(rules: TargetRules): void {
    if (this.file !== null) {
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(rules, null, 2)}\n`);
      renameSync(tmp, this.file);
    }
    this.rules = rules;
  }
}

/**
 * The rules the connected workers report when the hub has none: the set most
 * of them use (ties: the first node by name); `{}` (every pod) when none reports.
 */
export function rulesOfWorkers(records: readonly WorkerRecord[]): TargetRules {
  const votes = new Map<string, { rules: TargetRules; n: number }>();
  for (const r of records) {
    const rules = r.connected ? r.state?.targetRules : undefined;
    if (rules === undefined) continue;
    const k = JSON.stringify(rules);
    const v = votes.get(k) ?? votes.set(k, { rules, n: 0 }).get(k)!;
    v.n++;
  }
  let best: { rules: TargetRules; n: number } | undefined;
  for (const v of votes.values()) if (best === undefined || v.n > best.n) best = v;
  return best?.rules ?? {};
}

/**
 * The targeting rules editor's two forms and the rules object between them.
 * The object is what `PUT /api/rules` takes and a worker's `--rules FILE`
 * holds (src/worker/rules-file.ts): podRegex, namespaces, excludedNamespaces,
 * selector, includeHostNetwork. The hub checks it with the worker's own
 * parser and compileRules; here only the shape is prepared.
 */
import type { TargetRules } from './api.js';

/** The keys the hub accepts (rules-file.ts KNOWN). */
export const RULE_KEYS = ['podRegex', 'namespaces', 'excludedNamespaces', 'selector', 'includeHostNetwork'] as const;
export type RulesBody = Pick<TargetRules, (typeof RULE_KEYS)[number]>;

/** The form's fields as typed: lists as text. */
export interface RulesForm {
  namespaces: string;
  excludedNamespaces: string;
  podRegex: string;
  selector: string;
  includeHostNetwork: boolean;
}

export const EMPTY_FORM: RulesForm = { namespaces: '', excludedNamespaces: '', podRegex: '', selector: '', includeHostNetwork: false };

/** "shop, pay  kube-system" → ["shop", "pay", "kube-system"]: commas and white space separate; duplicates dropped. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s !== ''))];
}

export function formFromRules(r: Partial<RulesBody> | null | undefined): RulesForm {
  const list = (v: unknown): string => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').join(', ') : typeof v === 'string' ? v : '');
  return {
    namespaces: list(r?.namespaces),
    excludedNamespaces: list(r?.excludedNamespaces),
    podRegex: typeof r?.podRegex === 'string' ? r.podRegex : '',
    selector: typeof r?.selector === 'string' ? r.selector : '',
    includeHostNetwork: r?.includeHostNetwork === true,
  };
}

/** Only what is set: empty fields mean "no such rule" (every namespace, any pod name, any labels). The regex is kept as typed. */
export function rulesFromForm(f: RulesForm): RulesBody {
  const out: RulesBody = {};
  const ns = splitList(f.namespaces);
  if (ns.length > 0) out.namespaces = ns;
  const ex = splitList(f.excludedNamespaces);
  if (ex.length > 0) out.excludedNamespaces = ex;
  if (f.podRegex.trim() !== '') out.podRegex = f.podRegex;
  if (f.selector.trim() !== '') out.selector = f.selector.trim();
  if (f.includeHostNetwork) out.includeHostNetwork = true;
  return out;
}

export const rulesToJson = (r: RulesBody | Record<string, unknown>): string => JSON.stringify(r, null, 2);

export type ParsedRules = { ok: true; rules: Record<string, unknown> } | { ok: false; error: string };

/** The JSON text area's content: must be one JSON object (the hub checks its keys and values). */
export function parseRulesJson(text: string): ParsedRules {
  if (text.trim() === '') return { ok: true, rules: {} };
  let v: unknown;
  try { v = JSON.parse(text); } catch (err) {
    return { ok: false, error: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'the rules must be a JSON object, e.g. {"namespaces": ["shop"]}' };
  return { ok: true, rules: v as Record<string, unknown> };
}

/** One line for a summary: "namespaces shop, pay · pods /web/ · …" or "every pod". */
export function describeRules(r: Partial<RulesBody>): string {
  const parts: string[] = [];
  if (r.namespaces?.length) parts.push(`namespaces ${r.namespaces.join(', ')}`);
  if (r.excludedNamespaces?.length) parts.push(`not ${r.excludedNamespaces.join(', ')}`);
  if (r.podRegex) parts.push(`pods /${r.podRegex}/`);
  if (r.selector) parts.push(`labels ${r.selector}`);
  if (r.includeHostNetwork) parts.push('host-network pods too');
  return parts.length === 0 ? 'every pod' : parts.join(' · ');
}

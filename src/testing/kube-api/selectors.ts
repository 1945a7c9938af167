/**
 * Label and field selectors of LIST and WATCH. Label selectors use podtap's
 * own parser (src/cluster/selector.ts: the apimachinery grammar); field
 * selectors are `key=value`, `key==value`, `key!=value`, comma-separated,
 * with `\` escaping, over metadata.name, metadata.namespace and the
 * resource's selectable fields (resources.ts). A bad selector is a 400.
 */
import { matchesSelector, parseSelector, type Selector } from '../../cluster/selector.js';
import type { ResourceDef } from './resources.js';
import { errors } from './status.js';
import { isPlainObject, type KubeObject } from './types.js';

export interface FieldRequirement { field: string; value: string; negate: boolean }

export interface ObjectFilter {
  labels: Selector;
  fields: FieldRequirement[];
  /** True when neither selector restricts anything. */
  empty: boolean;
}

export const MATCH_ALL: ObjectFilter = { labels: [], fields: [], empty: true };

export function parseFilter(r: ResourceDef, labelSelector: string | undefined, fieldSelector: string | undefined): ObjectFilter {
  let labels: Selector = [];
  try {
    labels = parseSelector(labelSelector ?? '');
  } catch (e) {
    throw errors.badRequest(`unable to parse requirement: ${(e as Error).message}`);
  }
  const fields = parseFieldSelector(r, fieldSelector ?? '');
  return { labels, fields, empty: labels.length === 0 && fields.length === 0 };
}

function splitUnescaped(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) { cur += c + text[++i]; continue; }
    if (c === sep) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}

const unescape = (s: string): string => s.replace(/\\(.)/g, '$1');

export function parseFieldSelector(r: ResourceDef, text: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  if (text.trim() === '') return out;
  for (const part of splitUnescaped(text, ',')) {
    const m = /^([^=!\\]+)(==|=|!=)(.*)$/s.exec(part.trim());
    if (!m) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const field = m[1].trim();
    if (field !== 'metadata.name' && field !== 'metadata.namespace' && !r.selectableFields.includes(field)) {
      throw errors.badRequest(`field label not supported: ${field}`);
    }
    out.push({ field, value: unescape(m[3]), negate: m[2] === '!=' });
  }
  return out;
}

/** The selectable value of a field: '' when absent, booleans as 'true'/'false'. */
export function fieldValue(obj: KubeObject, field: string): string {
  let cur: unknown = obj;
  for (const step of field.split('.')) {
    if (!isPlainObject(cur)) return '';
    cur = cur[step];
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'boolean' || typeof cur === 'number') return String(cur);
  return field === 'spec.unschedulable' || field === 'spec.hostNetwork' ? 'false' : '';
}

export function matches(filter: ObjectFilter, obj: KubeObject): boolean {
  if (filter.empty) return true;
  for (const f of filter.fields) {
    if ((fieldValue(obj, f.field) === f.value) === f.negate) return false;
  }
  return filter.labels.length === 0 || matchesSelector(filter.labels, obj.metadata.labels ?? {});
}

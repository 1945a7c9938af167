/**
 * GraphQL over HTTP: recognize a request that carries a GraphQL call and
 * summarize it as `request.graphql`. Works on the entry's already decoded
 * body text (HTTP/1 and HTTP/2 alike); never throws.
 *
 * Recognized: POST (any method with a body) with a JSON body
 * `{"query": "...", "operationName"?, "variables"?}` or a JSON array of those
 * (a batch), a body of type application/graphql (the document itself), and
 * GET with `?query=` (plus `operationName=`, `variables=` as JSON text).
 */
import type { HttpRequest } from '../../entries/types.js';
import { scanOperation, type GraphqlOperationType } from './scan.js';

export type { GraphqlOperationType } from './scan.js';

/** `request.graphql` on HTTP and HTTP/2 entries. */
export interface GraphqlRequest {
  operationType: GraphqlOperationType;
  /** Name of the operation run (the first one of a batch); null for an anonymous one. */
  operationName: string | null;
  /** Operations in the request: the batch size, 1 for a single call. */
  operations: number;
  /** Variables sent, summed over a batch. */
  variables: number;
}

/** Bodies longer than this (characters) are not parsed as JSON; counted by the caller as a weird. */
export const MAX_GRAPHQL_BODY_CHARS = 1024 * 1024;
/** Batch elements whose variables are counted; the batch size is reported in full. */
export const MAX_GRAPHQL_BATCH_SCAN = 256;
/**
 * Nesting of JSON parsed (objects and arrays): deeper text is not parsed,
 * so nothing downstream ever walks a value 100,000 levels deep (V8's
 * JSON.parse itself does not recurse; JSON.stringify and most walkers do).
 */
export const MAX_GRAPHQL_JSON_DEPTH = 128;

/** Why a likely GraphQL request got no summary (the binding counts these as weirds). */
export type GraphqlSkip = 'graphql_body_over_limit' | 'graphql_json_depth_limit';

/** Where skipped calls are counted: the connection context (`ctx.weird`). */
export interface GraphqlCounter { weird(name: GraphqlSkip): void }

export function graphqlOf(r: HttpRequest, counter?: GraphqlCounter): GraphqlRequest | null {
  const body = r.body;
  if (body !== null && body.encoding === 'text' && body.content.length > 0) {
    const mime = body.mimeType;
    if (mime === 'application/graphql') return single(body.content, null, null);
    if (mime !== '' && !mime.includes('json')) return null;
    const text = body.content;
    const k = firstNonSpace(text);
    if (k < 0) return null;
    const open = text.charCodeAt(k);
    if (open !== 123 && open !== 91) return null; // { or [
    if (!text.includes('"query"')) return null;    // cheap gate before JSON.parse
    if (text.length > MAX_GRAPHQL_BODY_CHARS) { counter?.weird('graphql_body_over_limit'); return null; }
    if (tooDeep(text)) { counter?.weird('graphql_json_depth_limit'); return null; }
    const v = parseJson(text);
    return open === 91 ? batch(v) : call(v);
  }
  if (r.method === 'GET') {
    const q = r.query.query;
    if (typeof q !== 'string' || q === '') return null;
    const name = r.query.operationName;
    const vars = r.query.variables ?? '';
    if (tooDeep(vars)) { counter?.weird('graphql_json_depth_limit'); return null; }
    return single(q, typeof name === 'string' && name !== '' ? name : null, parseJson(vars));
  }
  return null;
}

/** Does JSON text nest objects/arrays deeper than MAX_GRAPHQL_JSON_DEPTH? One pass, strings skipped. */
export function tooDeep(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) { // a string: skip to its closing quote
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_GRAPHQL_JSON_DEPTH) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

function single(doc: string, wanted: string | null, variables: unknown): GraphqlRequest | null {
  const op = scanOperation(doc, wanted);
  if (op === null) return null;
  return { operationType: op.operationType, operationName: op.operationName, operations: 1, variables: countOf(variables) };
}

/** One `{query, operationName?, variables?}` object. */
function call(v: unknown): GraphqlRequest | null {
  if (!isObject(v) || typeof v.query !== 'string') return null;
  const name = typeof v.operationName === 'string' && v.operationName !== '' ? v.operationName : null;
  return single(v.query, name, v.variables);
}

function batch(v: unknown): GraphqlRequest | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  const head = call(v[0]);
  if (head === null) return null;
  let variables = head.variables;
  for (let i = 1; i < v.length && i < MAX_GRAPHQL_BATCH_SCAN; i++) {
    const e: unknown = v[i];
    if (isObject(e)) variables += countOf(e.variables);
  }
  return { ...head, operations: v.length, variables };
}

function countOf(variables: unknown): number {
  const v = typeof variables === 'string' ? (tooDeep(variables) ? undefined : parseJson(variables)) : variables;
  return isObject(v) ? Object.keys(v).length : 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try { return JSON.parse(text) as unknown; } catch { return undefined; }
}

function firstNonSpace(s: string): number {
  for (let i = 0; i < s.length && i < 64; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 0xfeff) return i;
  }
  return -1;
}

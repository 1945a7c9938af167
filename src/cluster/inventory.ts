/**
 * `--inventory FILE`: the cluster as `kubectl get pods,services,nodes -A -o json`
 * (or `-o yaml`) prints it, read into a `ClusterSnapshot`.
 *
 * Accepted shapes: a `v1` `List` (kubectl's output), a bare `PodList` /
 * `ServiceList` / `NodeList` (whose items may omit `kind`), a single Pod,
 * Service or Node, and a multi-document YAML stream of any of these. Objects
 * of other kinds are skipped and counted in `snapshot.skipped`. Anything else
 * throws `InventoryError` with one line naming the file, the item and the fix.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { type ClusterSnapshot, InventoryError } from './model.js';
import { type Json, type JsonObject, isObject, ObjectReader, show } from './object-reader.js';
import { readNode, readPod, readService } from './k8s-objects.js';

/** Largest inventory file read (bytes); a whole cluster's pods, services and nodes fit well below. */
export const MAX_INVENTORY_BYTES = 64 * 1024 * 1024;
/** Most objects in one inventory (list items plus YAML documents). */
export const MAX_INVENTORY_ITEMS = 200_000;
/** Most YAML alias expansions per document (the "billion laughs" guard). */
export const MAX_YAML_ALIASES = 1_000;

const USED_KINDS = new Set(['Pod', 'Service', 'Node']);
const FIX_SOURCE = "write it with 'kubectl get pods,services,nodes -A -o json > FILE'";

/** Reads and parses an inventory file; the size is checked before reading. */
export async function loadInventory(path: string): Promise<ClusterSnapshot> {
  let bytes: Buffer;
  try {
    const st = await stat(path);
    if (!st.isFile()) fail(path, 'is not a regular file', 'give the path of an inventory file');
    checkInventorySize(path, st.size);
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof InventoryError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    fail(path, `cannot be read (${code})`, 'check the path and its permissions');
  }
  return parseInventory(bytes, path);
}

/** Parses inventory bytes or text; `source` names the file in errors and in the snapshot. */
export function parseInventory(input: Uint8Array | string, source: string, loadedAt = Date.now()): ClusterSnapshot {
  const text = decode(input, source);
  const snapshot: ClusterSnapshot = { pods: [], services: [], nodes: [], source, loadedAt };
  const skipped: Record<string, number> = {};
  let count = 0;
  const visit = (obj: JsonObject, where: string, impliedKind: string) => {
    if (++count > MAX_INVENTORY_ITEMS) {
      fail(source, `more than ${MAX_INVENTORY_ITEMS} objects (MAX_INVENTORY_ITEMS)`, 'inventory only pods, services and nodes, or fewer namespaces (-n NS)');
    }
    const r = new ObjectReader(source, where);
    const kind = r.string(obj, 'kind', impliedKind);
    if (kind === '') r.fail('has no "kind"', 'add kind: Pod, Service or Node (kubectl -o json/yaml output has it)');
    const apiVersion = r.string(obj, 'apiVersion', 'v1');
    if (!isObject(obj.metadata)) {
      r.fail(`${kind} has ${obj.metadata === undefined ? 'no metadata' : `metadata ${show(obj.metadata)}, not a mapping`}`, `give it metadata with a name (${FIX_SOURCE.replace('write it', 'regenerate the file')})`);
    }
    if (apiVersion === 'v1' && kind === 'Pod') snapshot.pods.push(readPod(obj, r));
    else if (apiVersion === 'v1' && kind === 'Service') snapshot.services.push(readService(obj, r));
    else if (apiVersion === 'v1' && kind === 'Node') snapshot.nodes.push(readNode(obj, r));
    else {
      const name = `${apiVersion}/${kind}`;
      skipped[name] = (skipped[name] ?? 0) + 1;
    }
  };
  const docs = parseDocuments(text, source);
  docs.forEach((doc, d) => {
    const where = docs.length > 1 ? `document ${d + 1}` : '';
    if (doc === null) return; // an empty YAML document (a stray `---`)
    if (!isObject(doc)) fail(source, `${where || 'top level'} is ${show(doc)}, not a Kubernetes object`, FIX_SOURCE);
    const kind = doc.kind;
    if (typeof kind === 'string' && kind.endsWith('List')) {
      const items = doc.items ?? [];
      if (!Array.isArray(items)) fail(source, `${where || kind}: items is ${show(items)}, not a list`, FIX_SOURCE);
      // A PodList from the API leaves "kind" off its items; a v1 List does not.
      const implied = kind === 'List' ? '' : kind.slice(0, -'List'.length);
      items.forEach((item, i) => {
        const at = `${where ? `${where} ` : ''}items[${i}]`;
        if (!isObject(item)) fail(source, `${at} is ${show(item)}, not a Kubernetes object`, FIX_SOURCE);
        visit(item, at, implied);
      });
    } else if (docs.length > 1 || USED_KINDS.has(String(kind))) {
      visit(doc, where || 'top level', '');
    } else if (typeof kind === 'string') {
      fail(source, `top level is a ${show(kind)}, not a List of pods, services and nodes`, FIX_SOURCE);
    } else {
      fail(source, `top level is not a Kubernetes List (no "kind"; keys ${show(Object.keys(doc).slice(0, 5))})`, FIX_SOURCE);
    }
  });
  if (Object.keys(skipped).length > 0) snapshot.skipped = skipped;
  return snapshot;
}

function fail(source: string, problem: string, fix: string): never {
  throw new InventoryError(`${source}: ${problem}; ${fix}`);
}

/** Throws the InventoryError for a file of `size` bytes over MAX_INVENTORY_BYTES. */
export function checkInventorySize(source: string, size: number): void {
  if (size > MAX_INVENTORY_BYTES) {
    const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
    fail(source, `${mib(size)} is over the ${mib(MAX_INVENTORY_BYTES)} limit (MAX_INVENTORY_BYTES)`, 'inventory only pods, services and nodes, or fewer namespaces (-n NS)');
  }
}

function decode(input: Uint8Array | string, source: string): string {
  if (typeof input === 'string') {
    checkInventorySize(source, Buffer.byteLength(input));
    return input.replace(/^\uFEFF/, '');
  }
  checkInventorySize(source, input.byteLength);
  const nul = input.indexOf(0);
  if (nul >= 0) fail(source, `is binary, not JSON or YAML (NUL byte at offset ${nul})`, FIX_SOURCE);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input);
  } catch {
    return fail(source, 'is not UTF-8 text, so not JSON or YAML', FIX_SOURCE);
  }
}

/** JSON when the text starts like JSON (fast path), YAML otherwise; each document as plain data. */
function parseDocuments(text: string, source: string): Json[] {
  const first = /\S/.exec(text);
  if (first === null) fail(source, 'is empty', FIX_SOURCE);
  if (first[0] === '{' || first[0] === '[') {
    try {
      return [JSON.parse(text) as Json];
    } catch (err) {
      fail(source, `is not valid JSON (${firstLine(err)})`, `${FIX_SOURCE}, or fix the JSON`);
    }
  }
  let docs;
  try {
    docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: false });
  } catch (err) {
    fail(source, `is not valid YAML (${firstLine(err)})`, FIX_SOURCE);
  }
  if (!Array.isArray(docs)) return []; // an empty stream (comments only)
  if (docs.length > MAX_INVENTORY_ITEMS) fail(source, `more than ${MAX_INVENTORY_ITEMS} YAML documents (MAX_INVENTORY_ITEMS)`, 'inventory only pods, services and nodes');
  const out: Json[] = [];
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i];
    const where = docs.length > 1 ? ` in document ${i + 1}` : '';
    if (doc.errors.length > 0) fail(source, `is not valid YAML${where} (${firstLine(doc.errors[0])})`, `${FIX_SOURCE}, or fix the YAML`);
    try {
      out.push(doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as Json);
    } catch (err) {
      fail(source, `YAML${where} cannot be read (${firstLine(err)})`, 'remove YAML aliases and custom tags, or regenerate the file with kubectl');
    }
  }
  return out;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n', 1)[0].trim().replace(/:$/, '').slice(0, 160);
}

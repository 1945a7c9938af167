/**
 * `helm template` for podtap's chart, without Helm: reads Chart.yaml,
 * values.yaml and templates/, merges the given values over values.yaml as
 * Helm does, renders every template with `.Values`, `.Release`, `.Chart`,
 * and parses the output into objects (YAML 1.1, as Kubernetes reads it).
 *
 * It is a test instrument for the one chart in this repository, not a Helm
 * replacement: it knows the Go template subset the chart uses and refuses
 * the rest with an error (see README.md beside this file).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { execute } from './exec.js';
import { FUNCTIONS, type Func } from './functions.js';
import { parseTemplate, type Node } from './parser.js';
import { isMap, type Value } from './value.js';

export interface Chart {
  dir: string;
  metadata: { name: string; version: string; appVersion: string } & Record<string, Value>;
  values: Record<string, Value>;
  /** Template files (templates/…), sorted, with their text. */
  templates: Array<{ path: string; text: string }>;
}

export interface RenderChartOptions {
  release: { name: string; namespace: string };
  /** The user's values (`-f` / `--set`), merged over values.yaml. */
  values?: Record<string, Value>;
  /** randAlphaNum replacement, to render a generated token predictably. */
  randAlphaNum?: (n: number) => string;
  /** Replacements of functions the chart uses (e.g. the certificate generators, for fixed output); only known names. */
  functions?: Record<string, Func>;
}

export interface RenderedChart {
  /** Every object of every manifest template, in file order. */
  objects: Array<Record<string, Value>>;
  /** Each template's text output (NOTES.txt included). */
  files: Map<string, string>;
}

export function loadChart(dir: string): Chart {
  const metadata = parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8'), { version: '1.1' }) as Chart['metadata'];
  const values = (parse(readFileSync(join(dir, 'values.yaml'), 'utf8'), { version: '1.1' }) ?? {}) as Record<string, Value>;
  const templates = readdirSync(join(dir, 'templates')).sort().map((f) => ({ path: `templates/${f}`, text: readFileSync(join(dir, 'templates', f), 'utf8') }));
  return { dir, metadata, values, templates };
}

/**
 * Helm's coalescing of user values over chart values: mappings merge key by
 * key, a null in the user's values deletes the key, anything else replaces.
 */
export function mergeValues(base: Record<string, Value>, over: Record<string, Value>): Record<string, Value> {
  const out: Record<string, Value> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = mergeValues(out[k] as Record<string, Value>, v);
    else out[k] = structuredClone(v);
  }
  return out;
}

/** Parsed templates per chart: parsing is pure, so one parse serves every rendering. */
const parsedCache = new WeakMap<Chart, { defines: Map<string, Node[]>; parsed: Array<{ path: string; root: Node[] }> }>();

function parseChart(chart: Chart): { defines: Map<string, Node[]>; parsed: Array<{ path: string; root: Node[] }> } {
  let p = parsedCache.get(chart);
  if (p === undefined) {
    const defines = new Map<string, Node[]>();
    // Helm parses every file first, so a define anywhere is usable everywhere.
    p = { defines, parsed: chart.templates.map((t) => ({ path: t.path, root: parseTemplate(t.text, t.path, defines).root })) };
    parsedCache.set(chart, p);
  }
  return p;
}

export function renderChart(chart: Chart, opts: RenderChartOptions): RenderedChart {
  const { defines, parsed } = parseChart(chart);
  const funcs: Record<string, Func> = {};
  if (opts.randAlphaNum !== undefined) {
    const gen = opts.randAlphaNum;
    funcs.randAlphaNum = (args) => gen(args[0] as number);
  }
  for (const [name, f] of Object.entries(opts.functions ?? {})) {
    if (!(name in FUNCTIONS)) throw new Error(`renderChart: no function ${name} to replace`);
    funcs[name] = f;
  }
  const data: Value = {
    Values: mergeValues(chart.values, opts.values ?? {}),
    Release: { Name: opts.release.name, Namespace: opts.release.namespace, Service: 'Helm', IsInstall: true, IsUpgrade: false },
    Chart: { Name: chart.metadata.name, Version: chart.metadata.version, AppVersion: chart.metadata.appVersion },
  };
  const files = new Map<string, string>();
  const objects: Array<Record<string, Value>> = [];
  for (const t of parsed) {
    const name = t.path.slice('templates/'.length);
    if (name.startsWith('_')) continue; // partials: defines only
    const text = execute(t.root, data, { defines, funcs: { ...FUNCTIONS, ...funcs } });
    files.set(t.path, text);
    if (!/\.ya?ml$/.test(name)) continue;
    objects.push(...structuredClone(parseManifest(t.path, text)));
  }
  return { objects, files };
}

/** Parsed outputs kept, by text: renderings of many value combinations repeat most files exactly. */
const MAX_PARSED_OUTPUTS = 4096;
const parsedOutputs = new Map<string, Array<Record<string, Value>>>();

function parseManifest(path: string, text: string): Array<Record<string, Value>> {
  const hit = parsedOutputs.get(text);
  if (hit !== undefined) return hit;
  const objects: Array<Record<string, Value>> = [];
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length > 0) throw new Error(`${path}: rendered YAML does not parse: ${doc.errors[0]!.message}\n${text}`);
    const o = doc.toJS() as Value;
    if (o === null) continue;
    if (!isMap(o)) throw new Error(`${path}: a document is not a mapping`);
    objects.push(o);
  }
  if (parsedOutputs.size >= MAX_PARSED_OUTPUTS) parsedOutputs.clear();
  parsedOutputs.set(text, objects);
  return objects;
}

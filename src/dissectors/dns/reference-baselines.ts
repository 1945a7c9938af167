/**
 * Readers for the expected results of the corpus (fixtures/corpus): Zeek
 * dns.log files, the `checks:` of suricata-verify test.yaml files, and the
 * DNS summaries in tcpdump's golden .out text. Used by reference.test.ts.
 */
import { readFileSync } from 'node:fs';
import { fixturePath } from '../../util/paths.js';

export interface ManifestRow {
  capture: string;
  expected: string;
}

/** DNS rows of fixtures/corpus/MANIFEST.tsv (capture and expected-result paths under fixtures/corpus). */
export function dnsManifestRows(): ManifestRow[] {
  const lines = readFileSync(fixturePath('corpus', 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const cols = lines[0].split('\t');
  const at = (name: string): number => cols.indexOf(name);
  const seen = new Set<string>();
  const rows: ManifestRow[] = [];
  for (const line of lines.slice(1)) {
    const f = line.split('\t');
    if (f[at('protocol')] !== 'DNS') continue;
    const row = { capture: f[at('local_path')], expected: f[at('expected_output_path')] };
    const key = `${row.capture} ${row.expected}`;
    if (!seen.has(key)) rows.push(row);
    seen.add(key);
  }
  return rows;
}

/** A Zeek TSV log as rows of column → value ('-' unset, '(empty)' empty). */
export function readZeekLog(text: string): Record<string, string>[] {
  let fields: string[] = [];
  const rows: Record<string, string>[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#fields\t')) fields = line.split('\t').slice(1);
    if (line === '' || line.startsWith('#')) continue;
    const values = line.split('\t');
    rows.push(Object.fromEntries(fields.map((f, i) => [f, values[i]])));
  }
  return rows;
}

export interface SuricataCheck {
  count: number;
  match: Record<string, string>;
}

/**
 * The `checks:` filters of a suricata-verify test.yaml. Only the subset these
 * files use: `- filter:` items with `count:` and a flat `match:` map of
 * dotted keys to scalars (quotes removed, values kept as text).
 */
export function readSuricataChecks(text: string): SuricataCheck[] {
  const checks: SuricataCheck[] = [];
  let current: SuricataCheck | null = null;
  let inMatch = false;
  let inChecks = false;
  for (const raw of text.split('\n')) {
    if (/^[A-Za-z]/.test(raw)) inChecks = raw.startsWith('checks:');
    if (!inChecks) continue;
    if (/^\s*- filter:/.test(raw)) {
      current = { count: -1, match: {} };
      checks.push(current);
      inMatch = false;
      continue;
    }
    if (current === null) continue;
    const count = /^\s+count: (\d+)/.exec(raw);
    if (count !== null) current.count = Number(count[1]);
    else if (/^\s+match:\s*$/.test(raw)) inMatch = true;
    else if (inMatch) {
      const kv = /^\s+([\w.[\]-]+): ?(.*)$/.exec(raw);
      if (kv !== null) current.match[kv[1]] = kv[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
    }
  }
  return checks;
}

export type TcpdumpDns =
  | { kind: 'query'; id: number; type: string; name: string }
  | { kind: 'response'; id: number; rcode: string; an: number; ns: number; ar: number };

/** DNS summaries in tcpdump's text: `22836+ [1au] A? www.tcpdump.org.` and `22836*- 2/2/5 ...`. */
export function readTcpdumpDns(text: string): TcpdumpDns[] {
  const out: TcpdumpDns[] = [];
  for (const line of text.split('\n')) {
    const r = /\s(\d+)[*$|+-]* (?:([A-Z][A-Za-z]+)[*$|+-]* )?(?:\[\w+\] )*(?:q: \S+\? \S+ )?(\d+)\/(\d+)\/(\d+) /.exec(line);
    if (r !== null) {
      out.push({ kind: 'response', id: Number(r[1]), rcode: r[2] ?? 'NoError', an: Number(r[3]), ns: Number(r[4]), ar: Number(r[5]) });
      continue;
    }
    const q = /\s(\d+)\+?%? (?:\[\w+\] )*([A-Za-z0-9-]+)\? (\S+)/.exec(line);
    if (q !== null) out.push({ kind: 'query', id: Number(q[1]), type: q[2], name: q[3].replace(/(.)\.$/, '$1') });
  }
  return out;
}

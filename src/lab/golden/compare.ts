/**
 * Checks podtap's entries against golden expectations. Each expectation is
 * matched to the earliest unused entry with the same client address and the
 * same request (method+path, or question+transport+id); then every field the
 * client saw is compared. Entries from the clients' addresses that match no
 * expectation are reported as unexpected. Returns readable problems; an empty
 * list means podtap agrees with the clients.
 */
import type { DnsEntry, Entry, HttpBody, HttpEntry } from '../../entries/types.js';
import { normalizeDnsData, normalizeDnsName, type ExpectedDns, type ExpectedHttp, type GoldenExpectation } from './types.js';

export function compareGolden(entries: readonly Entry[], expected: GoldenExpectation): string[] {
  const sorted = [...entries].sort((a, b) => a.timestamp - b.timestamp);
  return [
    ...compareHttp(sorted.filter((e): e is HttpEntry => e.protocol === 'http'), expected.http),
    ...compareDns(sorted.filter((e): e is DnsEntry => e.protocol === 'dns'), expected.dns),
  ];
}

function bodyText(b: HttpBody): string {
  return b.encoding === 'base64' ? Buffer.from(b.content, 'base64').toString('utf8') : b.content;
}

function checkBody(what: string, body: HttpBody | null | undefined, want: string, problems: string[]): void {
  if (want === '') return;
  if (!body) return void problems.push(`${what}: no body, client saw ${JSON.stringify(want.slice(0, 60))}`);
  const got = bodyText(body);
  const ok = body.truncated ? want.startsWith(got) : got === want;
  if (!ok) problems.push(`${what}: body ${JSON.stringify(got.slice(0, 80))}, client saw ${JSON.stringify(want.slice(0, 80))}`);
}

export function compareHttp(entries: readonly HttpEntry[], expected: readonly ExpectedHttp[]): string[] {
  const problems: string[] = [];
  const used = new Set<HttpEntry>();
  for (const x of expected) {
    const label = `${x.client} ${x.method} ${x.path} (port ${x.clientPort})`;
    const e = entries.find(
      (c) => !used.has(c) && c.request !== null && c.src.ip === x.clientIp && c.src.port === x.clientPort && c.request.method === x.method && c.request.path === x.path,
    );
    if (!e || !e.request) {
      problems.push(`${label}: no entry`);
      continue;
    }
    used.add(e);
    if (e.dst.ip !== x.serverIp || e.dst.port !== x.serverPort) problems.push(`${label}: dst ${e.dst.ip}:${e.dst.port}, expected ${x.serverIp}:${x.serverPort}`);
    if (e.request.host !== x.host) problems.push(`${label}: host ${JSON.stringify(e.request.host)}, expected ${JSON.stringify(x.host)}`);
    if (x.requestBody !== undefined) checkBody(`${label} request`, e.request.body, x.requestBody, problems);
    if (!e.response) {
      problems.push(`${label}: no response (flags ${e.flags.join(',')}), client got ${x.status}`);
      continue;
    }
    if (e.response.status !== x.status) problems.push(`${label}: status ${e.response.status}, client got ${x.status}`);
    if (x.responseBody !== undefined) checkBody(`${label} response`, e.response.body, x.responseBody, problems);
    for (const [name, value] of Object.entries(x.responseHeaders ?? {})) {
      if (e.response.headers[name] !== value) problems.push(`${label}: header ${name} ${JSON.stringify(e.response.headers[name])}, client saw ${JSON.stringify(value)}`);
    }
  }
  const clients = new Set(expected.map((x) => x.clientIp));
  for (const e of entries) {
    if (!used.has(e) && clients.has(e.src.ip)) problems.push(`unexpected http entry ${e.request?.method ?? '-'} ${e.request?.path ?? '-'} from ${e.src.ip}:${e.src.port}`);
  }
  return problems;
}

function question(e: DnsEntry): { name: string; type: string } | undefined {
  const q = e.request?.questions[0] ?? e.response?.questions[0];
  return q && { name: normalizeDnsName(q.name), type: q.type };
}

export function compareDns(entries: readonly DnsEntry[], expected: readonly ExpectedDns[]): string[] {
  const problems: string[] = [];
  const used = new Set<DnsEntry>();
  for (const x of expected) {
    const label = `${x.client} ${x.transport} ${x.name} ${x.type}${x.id === undefined ? '' : ` id ${x.id}`}`;
    const e = entries.find((c) => {
      const q = question(c);
      const id = c.request?.id ?? c.response?.id;
      return !used.has(c) && c.src.ip === x.clientIp && c.transport === x.transport && q?.name === x.name && q.type === x.type && (x.id === undefined || id === x.id);
    });
    if (!e) {
      problems.push(`${label}: no entry`);
      continue;
    }
    used.add(e);
    if (e.dst.ip !== x.serverIp || e.dst.port !== 53) problems.push(`${label}: dst ${e.dst.ip}:${e.dst.port}, expected ${x.serverIp}:53`);
    if (!e.request) problems.push(`${label}: no request (flags ${e.flags.join(',')})`);
    if (!e.response) {
      problems.push(`${label}: no response (flags ${e.flags.join(',')}), client got ${x.rcode}`);
      continue;
    }
    if (e.response.rcodeName.toUpperCase() !== x.rcode) problems.push(`${label}: rcode ${e.response.rcodeName}, client got ${x.rcode}`);
    const got = e.response.answers.filter((a) => a.type === x.type).map((a) => ({ data: normalizeDnsData(a.type, a.data), ttl: a.ttl }));
    const want = x.answers;
    const fmt = (list: Array<{ data: string; ttl?: number }>): string => list.map((a) => a.data + (a.ttl === undefined ? '' : `/${a.ttl}`)).sort().join(' | ');
    const gotKeys = fmt(want.every((a) => a.ttl !== undefined) ? got : got.map((a) => ({ data: a.data })));
    const wantKeys = fmt(want);
    if (gotKeys !== wantKeys) problems.push(`${label}: answers [${gotKeys}], client got [${wantKeys}]`);
  }
  const clients = new Set(expected.map((x) => x.clientIp));
  for (const e of entries) {
    if (!used.has(e) && clients.has(e.src.ip)) {
      const q = question(e);
      problems.push(`unexpected dns entry ${q?.name ?? '-'} ${q?.type ?? '-'} ${e.transport} from ${e.src.ip}:${e.src.port}`);
    }
  }
  return problems;
}

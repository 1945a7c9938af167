/**
 * Full captures through the pipeline, DNS entries compared with independent
 * references: Zeek's dns.log baselines, suricata-verify's EVE checks and
 * tcpdump's golden text, for every DNS row of fixtures/corpus/MANIFEST.tsv.
 *
 * Each capture's disagreements are collected as text and compared with the
 * allow-list below, so a disagreement that appears or goes away fails the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { DnsEntry, DnsRecord } from '../../entries/types.js';
import { processCaptureFile } from '../../pipeline/read-file.js';
import { fixturePath } from '../../util/paths.js';
import { typeName } from './codes.js';
import { dnsManifestRows, readSuricataChecks, readTcpdumpDns, readZeekLog, type SuricataCheck } from './reference-baselines.js';

/**
 * Known, explained disagreements, by expected-result file: each pattern must
 * match at least one reported difference (stale entries fail too).
 */
const ALLOWED: Record<string, RegExp[]> = {
  'zeek/Baseline/scripts.base.protocols.dns.binds/dns.log': [
    // Zeek names unknown query types "query-N"; we use RFC 3597's "TYPEN".
    /^27571 qtype: ours TYPE65534 zeek query-65534$/,
    // Zeek prints its own text for BIND's private signing-state records; we keep RFC 3597 hex.
    /^27571 answers: ours (\\# 5 [0-9A-F]{10},?){16} zeek (BIND9 signing signal,?){16}$/,
  ],
  'zeek/Baseline/scripts.base.protocols.dns.dynamic-update/dns.log': [
    // Zeek logs an UPDATE as prerequisite/update lines ("pre: NoRRSet CNAME …")
    // over all sections; we keep the sections as records (deletes have empty data).
    /^(47952|61191) answers: ours  zeek pre: NoRRSet CNAME nwin[12]\.stratolab\.org,del: RRSet AAAA,del: RRSet A,add: A /,
    /^(47952|61191) TTLs: ours 0 zeek 0,0,0,1200$/,
  ],
  'zeek/Baseline/scripts.base.protocols.dns.multiple-txt-strings/dns.log': [
    // A DKIM key in two strings: Zeek prints each string with its length; we
    // concatenate them (the value DKIM defines).
    /^28079 answers: ours .*,TXT 225 k=rsa; p=\S+ zeek .*,TXT 127 k=rsa; p=\S+ TXT 98 \S+$/,
  ],
  'suricata-verify/tests/dns/bug-1158/test.yaml': [
    // Suricata logs each string of a TXT record as its own answer; we keep one
    // answer per record with its strings concatenated. So Suricata has more
    // answers, and its first rdata is a prefix of ours.
    /^response \d+: dns\.answers\[\d+\]\.(rdata|rrname|rrtype|ttl): ours - suricata /,
    /^response \d+: dns\.answers\[\d+\]\.rdata: ours \S+ suricata \S+$/,
  ],
  'suricata-verify/tests/dns-over-http2-post/test.yaml': [
    // DNS over HTTPS: the message travels inside HTTP/2, which podtap does not dissect.
    /^no dns : 0 of 1$/,
  ],
};

/**
 * Captures that must give no DNS entry. dns_fwdptr.pcap is a fuzzed 63 KB
 * datagram from port 53 claiming 64259 questions: tcpdump decodes it because
 * of the port; our detection refuses it (qdcount above MAX_DETECT_QUESTIONS).
 */
const NO_DNS_ENTRIES = new Set(['tcpdump/tests/dns_fwdptr.pcap']);

/** Record data in the form Zeek logs it in `answers`, or null when Zeek has its own text for the type. */
function zeekAnswer(r: DnsRecord): string {
  const f = r.data.split(' ');
  switch (r.type) {
    case 'A': case 'AAAA': case 'CNAME': case 'NS': case 'PTR': case 'DNAME': return r.data.toLowerCase();
    case 'MX': return f[1].toLowerCase();
    case 'TXT': case 'SPF': return `${r.type} ${r.data.length} ${r.data}`;
    case 'RRSIG': return `RRSIG ${typeNumber(f[0])} ${f[7].toLowerCase()}`;
    case 'NSEC': return `NSEC ${r.name.toLowerCase()} ${f[0].toLowerCase()}`;
    default: return r.data;
  }
}

let typeNumbers: Map<string, number> | null = null;
function typeNumber(name: string): number {
  if (typeNumbers === null) {
    typeNumbers = new Map();
    for (let t = 0; t < 65536; t++) typeNumbers.set(typeName(t), t);
  }
  return typeNumbers.get(name) ?? -1;
}

const lower = (s: string | undefined): string => (s ?? '').toLowerCase();
const entryId = (e: DnsEntry): number | undefined => e.request?.id ?? e.response?.id;
const entryQuery = (e: DnsEntry): string => lower(e.request?.questions[0]?.name ?? e.response?.questions[0]?.name);

function compareZeek(entries: DnsEntry[], text: string): string[] {
  const issues: string[] = [];
  const rows = readZeekLog(text);
  if (rows.length !== entries.length) issues.push(`rows: zeek ${rows.length} ours ${entries.length}`);
  const unused = new Set(entries);
  for (const row of rows) {
    const id = Number(row.trans_id);
    const candidates = [...unused].filter((e) => entryId(e) === id);
    // Zeek logs the query name lower-cased; a response without question is matched by its first answer.
    const e = candidates.find((c) => entryQuery(c) === lower(row.query))
      ?? candidates.find((c) => lower(c.response?.answers[0]?.name) === lower(row.query))
      ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (e === undefined) {
      issues.push(`${id} ${row.query}: no entry`);
      continue;
    }
    unused.delete(e);
    if (row.qtype_name !== '-' && e.request?.questions[0]?.type !== row.qtype_name) {
      issues.push(`${id} qtype: ours ${e.request?.questions[0]?.type} zeek ${row.qtype_name}`);
    }
    if (row.rcode_name !== '-' && e.response?.rcodeName !== row.rcode_name) {
      issues.push(`${id} rcode: ours ${e.response?.rcodeName} zeek ${row.rcode_name}`);
    }
    if (row.answers !== '-') {
      const ours = (e.response?.answers ?? []).map(zeekAnswer).join(',');
      if (lower(ours) !== lower(row.answers)) issues.push(`${id} answers: ours ${ours} zeek ${row.answers}`);
      const ttls = (e.response?.answers ?? []).map((a) => a.ttl).join(',');
      const zeekTtls = row.TTLs.split(',').map(Number).join(',');
      if (ttls !== zeekTtls) issues.push(`${id} TTLs: ours ${ttls} zeek ${zeekTtls}`);
    }
  }
  return issues;
}

/** The value our entry gives for one Suricata EVE key, or undefined when we do not model the key. */
function eveValue(e: DnsEntry, side: 'request' | 'response', key: string): string | undefined {
  const res = e.response;
  const questions = side === 'request' ? e.request?.questions : res?.questions;
  const [src, dst] = side === 'request' ? [e.src, e.dst] : [e.dst, e.src];
  const m = /^dns\.(queries|answers|authorities)\[(\d+)\]\.(.+)$/.exec(key);
  if (m !== null) {
    const list = m[1] === 'queries' ? questions : m[1] === 'answers' ? res?.answers : res?.authorities;
    const item = list?.[Number(m[2])];
    if (item === undefined) return '-';
    const rec = m[1] === 'queries' ? null : (item as DnsRecord);
    const f = rec?.data.split(' ') ?? [];
    switch (m[3]) {
      case 'rrname': return item.name;
      case 'rrtype': return item.type;
      case 'ttl': return rec === null ? '-' : String(rec.ttl);
      case 'rdata': return rec === null ? '-' : rec.data;
      case 'srv.priority': return f[0];
      case 'srv.weight': return f[1];
      case 'srv.port': return f[2];
      case 'srv.name': return f[3];
      case 'soa.mname': return f[0];
      case 'soa.rname': return f[1];
      case 'soa.serial': return f[2];
      case 'soa.refresh': return f[3];
      case 'soa.retry': return f[4];
      case 'soa.expire': return f[5];
      case 'soa.minimum': return f[6];
      default: return undefined;
    }
  }
  switch (key) {
    case 'event_type': return 'dns';
    case 'dns.type': return side;
    case 'dns.id': return String(side === 'request' ? e.request?.id : res?.id);
    case 'dns.rcode': return res?.rcodeName;
    case 'dns.qr': return String(side === 'response');
    case 'dns.ra': return String(res?.recursionAvailable);
    case 'dns.opcode': return e.request?.opcode === 'QUERY' ? '0' : e.request?.opcode;
    case 'src_ip': return src.ip;
    case 'src_port': return String(src.port);
    case 'dest_ip': return dst.ip;
    case 'dest_port': return String(dst.port);
    case 'proto': return e.transport.toUpperCase();
    default: return undefined; // dns.flags, dns.rd, dns.tx_id, dns.version, dns.grouped.*, pcap_cnt, app_proto, …
  }
}

function compareSuricata(entries: DnsEntry[], checks: SuricataCheck[]): string[] {
  const issues: string[] = [];
  const sides: { e: DnsEntry; side: 'request' | 'response' }[] = [];
  for (const e of entries) {
    if (e.request !== null) sides.push({ e, side: 'request' });
    if (e.response !== null) sides.push({ e, side: 'response' });
  }
  for (const check of checks) {
    if (check.match.event_type !== 'dns') continue;
    const keys = Object.keys(check.match).filter((k) => sides.length === 0 || eveValue(sides[0].e, sides[0].side, k) !== undefined);
    const identity = keys.filter((k) => /^(dns\.type|dns\.id|dns\.queries\[0\]\.rrname)$/.test(k));
    const matches = sides.filter(({ e, side }) => keys.every((k) => eveValue(e, side, k) === check.match[k]));
    if (matches.length === check.count) continue;
    // Report per key against the side that has the same identity (type, id, first question).
    const near = sides.find(({ e, side }) => identity.every((k) => eveValue(e, side, k) === check.match[k]));
    if (near === undefined) {
      issues.push(`no ${check.match['dns.type'] ?? 'dns'} ${check.match['dns.id'] ?? ''}: ${matches.length} of ${check.count}`.trim());
      continue;
    }
    for (const k of keys) {
      const ours = eveValue(near.e, near.side, k);
      if (ours !== check.match[k]) issues.push(`${near.side} ${check.match['dns.id'] ?? ''}: ${k}: ours ${ours} suricata ${check.match[k]}`);
    }
  }
  return issues;
}

function compareTcpdump(entries: DnsEntry[], text: string): string[] {
  const issues: string[] = [];
  for (const t of readTcpdumpDns(text)) {
    if (t.kind === 'query') {
      const e = entries.find((x) => x.request?.id === t.id);
      const q = e?.request?.questions[0];
      if (e === undefined) issues.push(`no entry for query ${t.id}`);
      else if (q?.type !== t.type || q.name !== t.name) issues.push(`query ${t.id}: ours ${q?.type}? ${q?.name} tcpdump ${t.type}? ${t.name}`);
    } else {
      const r = entries.find((x) => x.response?.id === t.id)?.response;
      if (r === undefined || r === null) {
        issues.push(`no entry for response ${t.id}`);
        continue;
      }
      if (lower(r.rcodeName) !== lower(t.rcode)) issues.push(`response ${t.id} rcode: ours ${r.rcodeName} tcpdump ${t.rcode}`);
      // tcpdump counts the OPT record among the additionals; the entry does not carry it.
      const ar = r.additionals.length;
      if (r.answers.length !== t.an || r.authorities.length !== t.ns || (ar !== t.ar && ar !== t.ar - 1)) {
        issues.push(`response ${t.id} counts: ours ${r.answers.length}/${r.authorities.length}/${ar} tcpdump ${t.an}/${t.ns}/${t.ar}`);
      }
    }
  }
  return issues;
}

for (const row of dnsManifestRows()) {
  test(`reference: ${row.capture} vs ${row.expected}`, async () => {
    const { entries } = await processCaptureFile(fixturePath('corpus', row.capture));
    const dns = entries.filter((e): e is DnsEntry => e.protocol === 'dns');
    const text = readFileSync(fixturePath('corpus', row.expected), 'utf8');
    let issues: string[];
    if (row.expected.endsWith('dns.log')) issues = compareZeek(dns, text);
    else if (row.expected.endsWith('test.yaml')) issues = compareSuricata(dns, readSuricataChecks(text));
    else issues = compareTcpdump(dns, text);
    if (NO_DNS_ENTRIES.has(row.capture)) assert.equal(dns.length, 0);
    const allowed = ALLOWED[row.expected] ?? [];
    assert.deepEqual(issues.filter((i) => !allowed.some((p) => p.test(i))), [], 'unexplained differences');
    assert.deepEqual(allowed.filter((p) => !issues.some((i) => p.test(i))), [], 'allow-list entries that no longer apply');
  });
}

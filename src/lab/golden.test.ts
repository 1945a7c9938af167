/**
 * Golden lab test (root only; skips with the reason otherwise): records real
 * curl, dig and Node client traffic in network namespaces, then checks that
 * `podtap read` reports exactly what the clients did. With
 * PODTAP_REGEN_GOLDEN=1 it also rewrites fixtures/golden/lab-http-dns.*,
 * which golden-fixture.test.ts checks without root.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DnsEntry, Entry, HttpEntry } from '../entries/types.js';
import { fixturePath } from '../util/paths.js';
import { compareDns, compareHttp } from './golden/compare.js';
import { countPackets, goldenSkipReason, recordGolden, saveGolden, type GoldenRecording } from './golden/scenario.js';
import type { LabClient } from './golden/types.js';
import { podtapReadEntries, podtapSkipReason } from './podtap-cli.js';

const httpOf = (rec: GoldenRecording, c: LabClient) => rec.expected.http.filter((x) => x.client === c);
const dnsOf = (rec: GoldenRecording, c: LabClient) => rec.expected.dns.filter((x) => x.client === c);

/** The lab itself worked: every client got what the scenario asked for. */
function assertScenario(rec: GoldenRecording): void {
  const http = (c: LabClient) => httpOf(rec, c);
  const dns = (c: LabClient) => dnsOf(rec, c);
  const curl = http('curl');
  assert.deepEqual(curl.map((x) => `${x.method} ${x.path} ${x.status}`), ['GET /x 200', 'GET /y?q=1 200', 'POST /echo 200', 'GET /gzip 200', 'GET /chunked 200', 'GET /missing 404']);
  assert.equal(curl[0]?.clientPort, curl[1]?.clientPort, 'curl reused the connection for /x and /y');
  assert.equal(curl[3]?.responseHeaders?.['content-encoding'], 'gzip');
  assert.equal(curl[4]?.responseHeaders?.['transfer-encoding'], 'chunked');
  assert.deepEqual(dns('dig').map((x) => `${x.name} ${x.type} ${x.transport} ${x.rcode} ${x.answers.length}`), [
    'www.lab.test A udp NOERROR 1',
    'www.lab.test AAAA udp NOERROR 1',
    'lab.test MX udp NOERROR 1',
    'lab.test TXT udp NOERROR 1',
    'nope.lab.test A udp NXDOMAIN 0',
    'fixed.lab.test A tcp NOERROR 1',
  ]);
  const node = http('node');
  assert.deepEqual(node.map((x) => `${x.method} ${x.path} ${x.status}`), ['GET /x 200', 'GET /y?from=node&n=2 200', 'POST /echo 200', 'GET /missing 404']);
  assert.equal(new Set(node.map((x) => x.clientPort)).size, 1, 'node kept one connection');
  assert.deepEqual(dns('node').map((x) => `${x.name} ${x.type} ${x.rcode}`), ['www.lab.test A NOERROR', 'www.lab.test AAAA NOERROR', 'lab.test MX NOERROR', 'lab.test TXT NOERROR', 'nope.lab.test A NXDOMAIN']);
}

const skip = goldenSkipReason();
const regen = process.env.PODTAP_REGEN_GOLDEN === '1';
const podtapSkip = podtapSkipReason();

describe('golden lab recording', { skip: skip ?? false, timeout: 55_000 }, () => {
  let dir = '';
  let rec: GoldenRecording;
  let entries: Promise<Entry[]> | undefined;
  const podtapEntries = (): Promise<Entry[]> => (entries ??= podtapReadEntries(rec.pcap, join(dir, 'entries.jsonl')));
  const http = (c: LabClient) => httpOf(rec, c);
  const dns = (c: LabClient) => dnsOf(rec, c);
  const httpEntries = async () => (await podtapEntries()).filter((e): e is HttpEntry => e.protocol === 'http').sort((a, b) => a.timestamp - b.timestamp);
  const dnsEntries = async () => (await podtapEntries()).filter((e): e is DnsEntry => e.protocol === 'dns').sort((a, b) => a.timestamp - b.timestamp);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'podtap-golden-'));
    rec = await recordGolden(dir);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('tcpdump wrote a complete capture and dropped nothing', async () => {
    assert.equal(rec.stats.droppedByKernel, 0);
    assert.ok(rec.stats.captured > 50, `only ${rec.stats.captured} packets`);
    assert.equal(await countPackets(rec.pcap), rec.stats.captured);
  });

  test('the clients did what the scenario asked', () => assertScenario(rec));

  test('podtap: curl exchanges (keep-alive, POST body, gzip, chunked, 404)', { skip: podtapSkip ?? false }, async () => {
    assert.deepEqual(compareHttp(await httpEntries(), http('curl')), []);
  });

  test('podtap: dig queries (A, AAAA, MX, TXT, NXDOMAIN, TCP)', { skip: podtapSkip ?? false }, async () => {
    assert.deepEqual(compareDns(await dnsEntries(), dns('dig')), []);
  });

  test('podtap: Node http client and dns.Resolver', { skip: podtapSkip ?? false }, async () => {
    assert.deepEqual([...compareHttp(await httpEntries(), http('node')), ...compareDns(await dnsEntries(), dns('node'))], []);
  });

  test('podtap: no entries beyond what the clients did', { skip: podtapSkip ?? false }, async () => {
    const all = await podtapEntries();
    const counts = (p: string) => all.filter((e) => e.protocol === p).length;
    assert.deepEqual({ http: counts('http'), dns: counts('dns') }, { http: rec.expected.http.length, dns: rec.expected.dns.length });
  });

  test('regenerate fixtures/golden (PODTAP_REGEN_GOLDEN=1)', { skip: regen ? false : 'set PODTAP_REGEN_GOLDEN=1 to rewrite the fixtures' }, async () => {
    assert.equal(rec.stats.droppedByKernel, 0);
    assertScenario(rec);
    await saveGolden(rec, fixturePath('golden'));
  });
});

import { strict as assert } from 'node:assert';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Entry, HttpEntry } from '../entries/types.js';
import { processCaptureFile } from '../pipeline/read-file.js';
import { packageRoot } from '../util/paths.js';
import { entryJson } from './http-json.js';
import { JsonBytes } from './json-bytes.js';
import { httpGet } from './sample-entries.js';
import { seededRandom } from '../testing/random.js';

function captures(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...captures(p));
    else if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(name)) out.push(p);
  }
  return out;
}

test('every entry of every fixture capture serializes exactly as JSON.stringify does', async () => {
  let http = 0;
  let other = 0;
  for (const file of captures(join(packageRoot(), 'fixtures'))) {
    const entries: Entry[] = [];
    try {
      await processCaptureFile(file, {}, (e) => void entries.push(e));
    } catch {
      // Broken captures are other tests' business; what came before the break still counts.
    }
    for (const e of entries) {
      assert.equal(entryJson(e), JSON.stringify(e), `${file} ${e.id}`);
      assert.equal(entryJson(e), JSON.stringify(e), `${file} ${e.id}, from what was remembered`);
      if (e.protocol === 'http') http++;
      else other++;
    }
  }
  assert.ok(http > 100, `only ${http} HTTP entries in the fixtures`);
  assert.ok(other > 50);
});

test('strings and numbers come out as JSON.stringify writes them', () => {
  const long = 'x'.repeat(200);
  const strings = ['', 'plain', 'q"uote', 'back\\slash', 'nl\n', 'tab\t', '\u0000', '\u001f', 'del\u007f', 'ls\u2028', 'é ü ✓', '😀',
    'lone\ud800', 'lone\udc00x', '\udbff\udfff', long, long + '"', long + 'é', 'ascii then é',
    String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i)) + '"\\/\u007f'];
  const numbers = [0, -0, 1, 9, 10, 99, 100, 65535, 1795805374505, 1795805374505.445, 0.10693359375, -1, -12.5, 1e21, 1e-7, 2 ** 53, NaN, Infinity, -Infinity];
  const out = new JsonBytes(8); // small: growing is part of the test
  for (const s of strings) {
    out.pos = 0;
    out.string(s);
    assert.equal(out.buf.toString('utf8', 0, out.pos), JSON.stringify(s), JSON.stringify(s));
  }
  for (const n of numbers) {
    out.pos = 0;
    out.number(n);
    assert.equal(out.buf.toString('utf8', 0, out.pos), JSON.stringify(n), String(n));
  }
});

test('numbers on and off the microsecond grid match Number#toString (200k random values)', () => {
  const out = new JsonBytes(64);
  let seed = 12345;
  const rand = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
  const values: number[] = [0.001, 0.01, 0.1, 0.999, 1.001, 2 ** 42 - 0.001, 2 ** 42, 2 ** 42 + 0.5, 1e-3 / 3];
  for (let i = 0; i < 50_000; i++) {
    const sec = 1_600_000_000 + Math.floor(rand() * 400_000_000);
    const usec = Math.floor(rand() * 1_000_000);
    values.push(sec * 1000 + usec / 1000); // how capture times are made
    values.push(Math.round(rand() * 10_000_000) / 1000); // elapsed times
    values.push(rand() * 2 ** 42); // anything
    values.push((sec * 1000 + usec / 1000) - (sec * 1000 + Math.floor(rand() * 1_000_000) / 1000)); // raw differences, with float noise
  }
  for (const v of values) {
    out.pos = 0;
    out.number(v);
    const got = out.buf.toString('latin1', 0, out.pos);
    if (got !== JSON.stringify(v)) assert.equal(got, JSON.stringify(v), `value ${v}`);
  }
});

test('hostile header names and values, optional fields, frozen and shared records', () => {
  const base = httpGet();
  const headers = Object.freeze({ 'x-"odd"': 'a\\b', 'x-ctl': '\u0001\u007f', __proto__x: 'p', '123': 'numeric key first' });
  const query: Record<string, string> = {};
  Object.defineProperty(query, '__proto__', { value: 'v', enumerable: true, writable: true, configurable: true });
  query['a b'] = 'c"d';
  const e: HttpEntry = {
    ...base,
    src: { ip: '10.0.0.1', port: 1, name: 'web', namespace: 'default', pod: 'web-1', service: 'web', node: 'n1' },
    flags: ['gap', 'body-truncated'],
    request: { ...base.request!, query, headers, trailers: { 'x-t': 'v' } },
    response: { ...base.response!, headers, informational: [100, 103], body: { size: 3, content: 'a\u2028b', encoding: 'text', mimeType: 'text/plain', decodedFrom: 'gzip', truncated: true } },
  };
  assert.equal(entryJson(e), JSON.stringify(e));
  assert.equal(entryJson(e), JSON.stringify(e), 'again, from the remembered record');
  const noBody: HttpEntry = { ...e, timestamp: NaN, elapsedTime: Infinity, request: null, response: { ...e.response!, body: null } };
  assert.equal(entryJson(noBody), JSON.stringify(noBody));
  assert.deepEqual(JSON.parse(entryJson(e)), JSON.parse(JSON.stringify(e)));
});

test('a remembered request or response is used only when the fields it was made from are equal', () => {
  const base = httpGet();
  const headers = Object.freeze({ host: 'a' });
  const src = { ip: '10.0.0.1', port: 1 };
  const one: HttpEntry = { ...base, src, request: { ...base.request!, query: {}, headers }, response: { ...base.response!, headers } };
  assert.equal(entryJson(one), JSON.stringify(one));
  const variants: HttpEntry[] = [
    { ...one, request: { ...one.request!, method: 'POST' } },
    { ...one, request: { ...one.request!, path: '/other' } },
    { ...one, request: { ...one.request!, host: 'b' } },
    { ...one, request: { ...one.request!, httpVersion: 'HTTP/1.0' } },
    { ...one, request: { ...one.request!, headersSize: 999 } },
    { ...one, request: { ...one.request!, query: { q: '1' } } },
    { ...one, response: { ...one.response!, status: 404 } },
    { ...one, response: { ...one.response!, statusText: 'Nope' } },
    { ...one, response: { ...one.response!, headersSize: 7 } },
  ];
  for (const v of variants) assert.equal(entryJson(v), JSON.stringify(v));
  src.port = 2; // an endpoint object that changed
  assert.equal(entryJson(one), JSON.stringify(one));
  const both: HttpEntry = { ...one, dst: src }; // one object in both roles
  assert.equal(entryJson(both), JSON.stringify(both));
  assert.equal(entryJson(one), JSON.stringify(one));
});

test('an unfrozen record is serialized afresh each time (it may have changed)', () => {
  const base = httpGet();
  const headers: Record<string, string> = { a: '1' };
  const e: HttpEntry = { ...base, request: { ...base.request!, headers } };
  const first = entryJson(e);
  headers.b = '2';
  assert.notEqual(entryJson(e), first);
  assert.equal(entryJson(e), JSON.stringify(e));
});

test('repeated bodies: remembered at their first repeat, and only while every field is equal', () => {
  const base = httpGet();
  const b = { size: 3, content: 'ok\n', encoding: 'text' as const, mimeType: 'text/plain', truncated: false };
  const bodies = [b, { ...b }, { ...b }, { ...b, truncated: true }, { size: 3, content: 'ok\n', encoding: 'text' as const, mimeType: 'text/plain', decodedFrom: 'gzip', truncated: false }, { ...b, size: 4 }, { ...b, mimeType: 'text/html' },
    { ...b, encoding: 'base64' as const }, { ...b, content: 'ok!' }, b, b, { ...b, content: 'x'.repeat(300) }, { ...b, content: 'x'.repeat(300) }];
  for (const body of bodies) {
    const e: HttpEntry = { ...base, response: { ...base.response!, body } };
    assert.equal(entryJson(e), JSON.stringify(e), JSON.stringify(body).slice(0, 80));
  }
});

test('a GraphQL request keeps its graphql fields, byte for byte as JSON.stringify', () => {
  const e = httpGet();
  e.request!.graphql = { operationType: 'mutation', operationName: 'AddItem', operations: 1, variables: 2 };
  assert.equal(entryJson(e), JSON.stringify(e));
});

test('JsonBytes#value writes any value as JSON.stringify does (random trees, long strings with escapes at every offset)', () => {
  const rnd = seededRandom(2026);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const pieces = ['a', 'é', '"', '\\', '\n', '\u0001', '\u001f', ' ', '😀', '\ud800', '\u2028', 'xyz0123', '/'];
  const str = (): string => {
    const n = pick([0, 1, 5, 95, 96, 97, 100, 300, 3000]);
    let s = '';
    while (s.length < n) s += rnd() < 0.9 ? 'abcdefgh'[Math.floor(rnd() * 8)] : pick(pieces);
    return s;
  };
  class Point { constructor(readonly x: number) {} }
  const leaf = (): unknown => pick([
    () => str(), () => Math.floor(rnd() * 1e6), () => rnd() * 1e3 - 500, () => -0, () => NaN, () => Infinity, () => true, () => false,
    () => null, () => undefined, () => () => 1, () => Symbol('s'), () => new Date(1795805374505), () => Buffer.from('ab'),
    () => new Point(3), () => ({ toJSON: () => undefined }), () => ({ toJSON: (k: string) => `key ${k}` }), () => Object.create(null) as object,
  ])();
  const tree = (depth: number): unknown => {
    if (depth > 3 || rnd() < 0.3) return leaf();
    if (rnd() < 0.5) return Array.from({ length: Math.floor(rnd() * 5) }, () => tree(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(rnd() * 6); i > 0; i--) o[pick(['a', 'b', '1', '0', 'k"ey', 'é', str()])] = tree(depth + 1);
    return o;
  };
  const out = new JsonBytes(16);
  for (let i = 0; i < 20_000; i++) {
    const v = tree(0);
    out.pos = 0;
    const wrote = out.value(v);
    const want = JSON.stringify(v);
    assert.equal(wrote ? out.buf.toString('utf8', 0, out.pos) : undefined, want, `case ${i}`);
  }
  // An escape at every byte offset of a long string, around the word boundaries of the scan.
  for (let at = 0; at < 140; at++) {
    for (const c of ['"', '\\', '\n', '\u0000', '\u001f']) {
      const s = 'x'.repeat(at) + c + 'y'.repeat(140 - at);
      for (const shift of [0, 1, 2, 3]) {
        out.pos = shift;
        out.string(s);
        assert.equal(out.buf.toString('utf8', shift, out.pos), JSON.stringify(s), `${JSON.stringify(c)} at ${at}, shift ${shift}`);
      }
    }
  }
  // Deeper than the walk goes, and cycles: JSON.stringify's own answer, error included.
  let deep: unknown = 'bottom';
  for (let i = 0; i < 200; i++) deep = [deep];
  out.pos = 0;
  out.value(deep);
  assert.equal(out.buf.toString('utf8', 0, out.pos), JSON.stringify(deep));
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.throws(() => out.value(cyclic), TypeError);
  assert.throws(() => out.value({ n: 1n }), TypeError);
});

test('with Object.prototype polluted, entries are still written as JSON.stringify writes them (no inherited keys)', () => {
  const e = { id: 'c1-1', protocol: 'redis', transport: 'tcp', timestamp: 1, elapsedTime: 0, src: { ip: '10.0.0.1', port: 1 }, dst: { ip: '10.0.0.2', port: 6379 },
    connectionId: 'c1', flags: [], request: { command: 'GET', args: ['k'] }, response: null } as unknown as Entry;
  const before = entryJson(e);
  assert.equal(before, JSON.stringify(e));
  (Object.prototype as Record<string, unknown>).polluted = 'yes';
  try {
    assert.equal(entryJson(e), JSON.stringify(e));
    assert.equal(entryJson(e), before);
  } finally {
    delete (Object.prototype as Record<string, unknown>).polluted;
  }
});

test('frozen endpoints: JSON by content across connections, slots shared by ports 256 apart, key order kept', () => {
  const base = httpGet();
  const ep = (ip: string, port: number) => Object.freeze({ ip, port });
  const seen: string[] = [];
  for (let i = 0; i < 600; i++) {
    // Alternate ports that share a slot (p, p + 256, p + 512) and addresses that differ only by their last digit.
    const e: HttpEntry = { ...base, src: ep(`10.0.${i % 3}.${i % 7}`, 40_000 + (i % 3) * 256), dst: ep('10.0.0.9', 80 + (i % 2) * 256) };
    assert.equal(entryJson(e), JSON.stringify(e));
    seen.push(entryJson(e));
  }
  assert.equal(new Set(seen).size, 42); // i mod 42 decides every field
  const reversed = Object.freeze({ port: 5, ip: '10.1.1.1' }) as unknown as HttpEntry['src'];
  const r: HttpEntry = { ...base, src: reversed, dst: reversed };
  assert.equal(entryJson(r), JSON.stringify(r)); // "port" first, as JSON.stringify writes it
  const named = Object.freeze({ ip: '10.0.0.9', port: 80, name: 'web' });
  const n: HttpEntry = { ...base, dst: named };
  assert.equal(entryJson(n), JSON.stringify(n)); // same address as a cached plain endpoint: its own JSON
  const odd = Object.freeze({ ip: 7, port: '80' }) as unknown as HttpEntry['src'];
  const o: HttpEntry = { ...base, src: odd };
  assert.equal(entryJson(o), JSON.stringify(o)); // ip and port of other types: JSON.stringify's own writing
});

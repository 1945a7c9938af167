import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from './server.js';
import { EntryStore } from './store.js';
import { VALUE_FIELDS, VALUES_CACHE_MS, ValuesCache, ValuesError } from './values.js';
import { dnsA, httpGet } from '../output/sample-entries.js';
import type { Entry } from '../entries/types.js';

const TOKEN = 'test-token-0123456789abcdef';

function http(id: string, dst: Record<string, string>, method = 'GET', status = 200): Entry {
  const e = httpGet();
  return { ...e, id, timestamp: Date.now(), dst: { ...e.dst, ...dst }, request: { ...e.request!, method }, response: { ...e.response!, status } };
}

function redis(id: string, command: string): Entry {
  return {
    id, protocol: 'redis', transport: 'tcp', timestamp: Date.now(), elapsedTime: 1, connectionId: 'r', flags: [], push: false,
    src: { ip: '10.0.0.1', port: 40000 }, dst: { ip: '10.0.0.2', port: 6379 },
    request: { command, key: null, args: [], argCount: 0, inline: false, size: 10, truncated: false },
    response: { type: 'simple-string', value: 'OK', error: null, length: null, size: 5, truncated: false },
  } as Entry;
}

test('ValuesCache: most frequent first, prefix ignores case, limit, non-indexed fields, answers at most 2 s old', () => {
  const store = new EntryStore({ maxAgeMs: Infinity });
  let now = 1000;
  const values = new ValuesCache(store.db, () => now);
  store.insert([
    http('1', { name: 'cart', pod: 'cart-1', namespace: 'shop' }), http('2', { name: 'cart', pod: 'cart-2', namespace: 'shop' }, 'POST', 503),
    http('3', { name: 'Catalog', pod: 'catalog-1', namespace: 'shop' }), { ...dnsA(), id: '4' }, redis('5', 'GET'), redis('6', 'CLIENT SETNAME'),
  ]);
  assert.deepEqual(values.answer({ field: 'dst.name' }).values, [{ value: 'cart', count: 2 }, { value: 'Catalog', count: 1 }]);
  assert.deepEqual(values.answer({ field: 'dst.name', prefix: 'CAT' }).values, [{ value: 'Catalog', count: 1 }]);
  assert.deepEqual(values.answer({ field: 'protocol', limit: '2' }), { field: 'protocol', values: [{ value: 'http', count: 3 }, { value: 'redis', count: 2 }] });
  assert.deepEqual(values.answer({ field: 'response.status' }).values, [{ value: 200, count: 2 }, { value: 503, count: 1 }], 'numbers stay numbers');
  assert.deepEqual(values.answer({ field: 'dst.pod', prefix: 'cart' }).values.map((v) => v.value), ['cart-1', 'cart-2'], 'from the JSON document');
  assert.deepEqual(values.answer({ field: 'request.command' }).values.map((v) => v.value), ['CLIENT SETNAME', 'GET']);

  const queries = values.queries;
  store.insert([http('7', { name: 'front' })]);
  assert.equal(values.answer({ field: 'dst.name', prefix: 'f' }).values.length, 0, 'cached');
  assert.equal(values.queries, queries);
  now += VALUES_CACHE_MS + 1;
  assert.deepEqual(values.answer({ field: 'dst.name', prefix: 'f' }).values, [{ value: 'front', count: 1 }], 'read again once stale');

  for (const q of [{ field: 'dst.ip' }, {}, { field: 'protocol', limit: '0' }, { field: 'protocol', limit: '201' }, { field: 'protocol', limit: 'x' }, { field: 'protocol', prefix: ['a', 'b'] }]) {
    assert.throws(() => values.answer(q), ValuesError, JSON.stringify(q));
  }
  store.close();
});

test('GET /api/values and /api/fields on a real hub', async (t) => {
  const hub = new Hub({ host: '127.0.0.1', port: 0, token: TOKEN, store: { maxAgeMs: Infinity }, log: () => {} });
  await hub.start();
  t.after(() => hub.stop());
  await hub.accept([http('1', { namespace: 'shop' }), http('2', { namespace: 'shop' }), http('3', { namespace: 'pay' })]);
  const get = async (path: string) => {
    const r = await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  assert.deepEqual((await get('/api/values?field=dst.namespace')).body, { field: 'dst.namespace', values: [{ value: 'shop', count: 2 }, { value: 'pay', count: 1 }] });
  assert.deepEqual((await get('/api/values?field=dst.namespace&prefix=P&limit=5')).body, { field: 'dst.namespace', values: [{ value: 'pay', count: 1 }] });
  const unknown = await get('/api/values?field=nope');
  assert.equal(unknown.status, 400);
  assert.match(String(unknown.body.error), /field must be one of: protocol, src\.namespace, .*request\.command/);
  assert.equal((await get('/api/values?field=protocol&limit=1000')).status, 400);

  const fields = (await get('/api/fields')).body as { fields: Array<{ name: string; type: string; description: string; values: boolean }>; macros: Array<{ name: string }> };
  const byName = new Map(fields.fields.map((f) => [f.name, f]));
  assert.equal(byName.get('response.status')?.type, 'number');
  for (const f of VALUE_FIELDS) assert.equal(byName.get(f)?.values, true, `${f} is in the catalog, with values`);
  assert.equal(byName.get('src.ip')?.values, false);
  assert.ok(fields.macros.some((m) => m.name === 'http'));
});

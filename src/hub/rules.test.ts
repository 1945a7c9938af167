import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { RuleError } from '../cluster/model.js';
import { Hub } from './server.js';
import { checkRules, HUB_RULES_FILE, HubRules } from './rules.js';
import { parseDownlink, parseUplink, ProtocolError } from './protocol.js';

const TOKEN = 'test-token-0123456789abcdef';
const quiet = (): void => {};

test('checkRules: the rules-file parser and compileRules, one RuleError line each', () => {
  assert.deepEqual(checkRules({ selector: 'app in (web,api)', namespaces: 'a, b' }, 'rules'),
    { selector: 'app in (web,api)', namespaces: ['a', 'b'], includeHostNetwork: false });
  assert.deepEqual(checkRules({}, 'rules'), { includeHostNetwork: false }, 'no rules: every pod');
  const bad: Array<[unknown, RegExp]> = [
    [null, /rules: must be an object/],
    [['web'], /rules: must be an object/],
    [{ selectr: 'a=b' }, /rules: unknown key "selectr"/],
    [{ podRegex: '(' }, /rules: pod regex "\(" is invalid/],
    [{ selector: 'app in (a' }, /^rules: /],
    [{ includeHostNetwork: 'yes' }, /includeHostNetwork must be true or false/],
    [{ podRegex: 'x'.repeat(70_000) }, /over MAX_RULES_FILE_BYTES/],
  ];
  for (const [v, re] of bad) assert.throws(() => checkRules(v, 'rules'), (e: unknown) => e instanceof RuleError && re.test(e.message) && !e.message.includes('\n'), JSON.stringify(v).slice(0, 40));
});

test('parseDownlink checks every hub → worker message, rules included', () => {
  assert.deepEqual(parseDownlink('{"type":"rules","rules":{"podRegex":"^web"}}'), { type: 'rules', rules: { podRegex: '^web', includeHostNetwork: false } });
  assert.deepEqual(parseDownlink('{"type":"ack","seq":3,"stored":2,"duplicates":1,"rejected":0}'), { type: 'ack', seq: 3, stored: 2, duplicates: 1, rejected: 0 });
  const flow = { a: '10.0.0.1', ap: 1, b: '10.0.0.2', bp: 80, proto: 'tcp', from: 0, to: 1 };
  assert.deepEqual(parseDownlink(JSON.stringify({ type: 'packets-request', id: 1, flows: [flow] })), { type: 'packets-request', id: 1, flows: [flow] });
  const bad: Array<[string, RegExp]> = [
    ['{"type":"rules","rules":{"podRegex":"("}}', /^rules: hub rules: pod regex/],
    ['{"type":"rules","rules":"web"}', /^rules: hub rules: must be an object/],
    ['{"type":"rules"}', /must be an object/],
    ['{"type":"packets-request","id":1,"flows":[{"a":1}]}', /"flows" must be/],
    ['{"type":"ack"}', /"seq" must be a number/],
    ['{"type":"nope"}', /unknown message type/],
    ['nope', /not JSON/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseDownlink(text), (e: unknown) => e instanceof ProtocolError && re.test(e.message), text);
});

test('a worker\'s state carries its rules object when it is valid', () => {
  const state = (targetRules: unknown) => JSON.stringify({ type: 'state', state: { counters: {}, rules: 'every pod', targetRules } });
  const ok = parseUplink(state({ namespaces: ['shop'] }));
  assert.ok(ok.type === 'state');
  assert.deepEqual(ok.state.targetRules, { namespaces: ['shop'], includeHostNetwork: false });
  const bad = parseUplink(state({ podRegex: '(' }));
  assert.ok(bad.type === 'state' && bad.state.targetRules === undefined);
});

test('HubRules: kept in the data directory; a bad file is logged and ignored', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-rules-'));
  try {
    new HubRules(dir, quiet).set({ selector: 'app=web', includeHostNetwork: false });
    assert.deepEqual(new HubRules(dir, quiet).get(), { selector: 'app=web', includeHostNetwork: false });
    assert.deepEqual(JSON.parse(readFileSync(join(dir, HUB_RULES_FILE), 'utf8')), { selector: 'app=web', includeHostNetwork: false });
    writeFileSync(join(dir, HUB_RULES_FILE), '{"podRegex": "("}');
    const lines: string[] = [];
    assert.equal(new HubRules(dir, (l) => lines.push(l)).get(), null);
    assert.match(lines.join('\n'), /rules\.json: .*pod regex.*starting without hub rules/);
    assert.equal(new HubRules(undefined, quiet).get(), null);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

/** A raw worker stream: hello, optional state, and the messages the hub sends. */
async function rawWorker(hub: Hub, node: string, targetRules?: unknown): Promise<{ ws: WebSocket; got: Array<Record<string, unknown>> }> {
  const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/api/ingest`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const got: Array<Record<string, unknown>> = [];
  ws.on('message', (d) => got.push(JSON.parse(d.toString()) as Record<string, unknown>));
  await new Promise((r) => ws.on('open', r));
  ws.send(JSON.stringify({ type: 'hello', node, runId: 'r1' }));
  if (targetRules !== undefined) ws.send(JSON.stringify({ type: 'state', state: { counters: {}, rules: '', targetRules } }));
  return { ws, got };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('PUT /api/rules: checked, kept across a restart, pushed to connected workers and to later ones after hello', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-rules-'));
  const start = async () => {
    const hub = new Hub({ host: '127.0.0.1', port: 0, token: TOKEN, store: { dir, maxAgeMs: Infinity }, log: quiet });
    await hub.start();
    return hub;
  };
  let hub = await start();
  const sockets: WebSocket[] = [];
  t.after(async () => { for (const s of sockets) s.terminate(); await hub.stop(); rmSync(dir, { recursive: true }); });
  const call = async (method: string, path: string, body?: string) => {
    const r = await fetch(`${hub.url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  // No rules on the hub: what the workers report.
  assert.deepEqual((await call('GET', '/api/rules')).body, { rules: {}, source: 'workers' });
  const early = await rawWorker(hub, 'node-a', { namespaces: ['shop'] });
  sockets.push(early.ws);
  await until(() => (hub.workers.list()[0]?.state ?? null) !== null);
  assert.deepEqual((await call('GET', '/api/rules')).body, { rules: { namespaces: ['shop'], includeHostNetwork: false }, source: 'workers' });

  for (const [body, re] of [
    ['{"rules": {"podRegex": "("}}', /rules: pod regex "\(" is invalid/],
    ['{"rules": {"selectr": "a=b"}}', /unknown key "selectr"/],
    ['{"podRegex": "web"}', /send a JSON body \{"rules"/],
    ['[1]', /send a JSON body/],
    ['{"rules": ', /JSON/i],
  ] as const) {
    const r = await call('PUT', '/api/rules', body);
    assert.equal(r.status, 400, body);
    assert.match(String(r.body.error), re);
  }
  assert.equal(early.got.length, 0, 'nothing pushed for invalid rules');

  const put = await call('PUT', '/api/rules', '{"rules": {"selector": "app=web", "namespaces": ["default"]}}');
  assert.equal(put.status, 200);
  const rules = { selector: 'app=web', namespaces: ['default'], includeHostNetwork: false };
  assert.deepEqual(put.body, { rules, source: 'hub', pushed: 1 });
  await until(() => early.got.length > 0);
  assert.deepEqual(early.got, [{ type: 'rules', rules }]);
  assert.deepEqual((await call('GET', '/api/rules')).body, { rules, source: 'hub' });

  // A restart keeps them; a worker connecting afterwards gets them right after its hello.
  await hub.stop();
  hub = await start();
  assert.deepEqual((await call('GET', '/api/rules')).body, { rules, source: 'hub' });
  const late = await rawWorker(hub, 'node-b');
  sockets.push(late.ws);
  await until(() => late.got.length > 0);
  assert.deepEqual(late.got[0], { type: 'rules', rules });
});

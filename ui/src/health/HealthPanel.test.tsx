import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderToStaticMarkup } from 'react-dom/server';
import type { WorkerCounters, WorkerRecord } from './api.js';
import { HealthView } from './HealthPanel.js';
import { RulesEditor } from './RulesEditor.js';

const NOW = 1_700_000_100_000;
const counters = (o: Partial<WorkerCounters>): WorkerCounters => ({
  captured: 0, processed: 0, duplicate: 0, untargeted: 0, kernelDrops: 0, entries: {}, uplinkDropped: 0, uplinkBuffered: 0, ...o,
});
const worker = (node: string, o: Partial<WorkerRecord> = {}): WorkerRecord => ({
  node, runId: 'r1a2b3', version: '0.1.0', connected: true, connectedAt: NOW - 600_000, lastSeen: NOW - 1000, batches: 12, entries: 3400,
  state: {
    counters: counters({ captured: 1200, duplicate: 150, untargeted: 50, processed: 1000, entries: { http: 3000, dns: 400 } }),
    targets: [
      { pod: 'shop/frontend-7d9', iface: 'veth1a2b', filter: 'ip host 10.1.0.5 and not (src host 10.1.0.7 and src portrange 32768-60999)', bpfInstructions: 42 },
      { pod: 'shop/cart-0', iface: 'veth9f8e', filter: 'ip host 10.1.0.6', bpfInstructions: 8 },
    ],
    rules: 'hub: namespaces shop',
    targetRules: { namespaces: ['shop'] },
  },
  ...o,
});

const render = (workers: WorkerRecord[] | null, error: string | null = null): string => renderToStaticMarkup(
  <HealthView workers={workers} error={error} now={NOW} rulesEditor={<RulesEditor initial={{ rules: { namespaces: ['shop'] }, source: 'hub' }} />} />,
);

test('one amplification cell per worker, green at 1.00 and red otherwise; totals apart', () => {
  const html = render([
    worker('node-a'),
    worker('node-b', { state: { ...worker('x').state!, counters: counters({ captured: 100, processed: 120 }) } }),
    worker('node-c', { connected: false, state: null }),
  ]);
  assert.match(html, /data-testid="health-panel"/);
  const cells = [...html.matchAll(/<td class="num amp ([a-z-]+)" data-testid="amplification" data-status="([a-z]+)"[^>]*>([^<]*)</g)].map((m) => [m[1], m[2], m[3]]);
  assert.deepEqual(cells, [['amp-ok', 'ok', '1.00'], ['amp-bad', 'bad', '1.20']]);
  assert.match(html, /data-testid="amplification" title="No state received yet">—</, 'a worker without state has an empty cell');
  assert.equal((html.match(/data-testid="amplification"/g) ?? []).length, 3);
  assert.match(html, /data-testid="amplification-total" data-status="bad"[^>]*>1\.02</, 'totals: 1120 ÷ (1300 − 150 − 50)');
  assert.match(html, /disconnected/);
  assert.match(html, /<b class="warn-text">2<\/b> of <b>3<\/b> connected/);
});

test('a worker card shows identity, targets with their kernel filter in <details>, and the rules in force', () => {
  const html = render([worker('node-a')]);
  assert.match(html, /data-testid="worker-card" data-node="node-a"/);
  assert.match(html, /r1a2b3/);
  assert.match(html, /0\.1\.0/);
  assert.match(html, /1 s ago/);
  assert.match(html, /shop\/frontend-7d9<\/th><td class="mono">veth1a2b<\/td><td class="num">42<\/td>/);
  assert.match(html, /<details><summary>ip host 10\.1\.0\.5 and not \(src host 10\.1\.0\.7 and …<\/summary><pre class="bpf-filter">ip host 10\.1\.0\.5 and not/);
  assert.match(html, /<code>hub: namespaces shop<\/code>/);
  assert.match(html, /1,200/);
  assert.match(html, /badge p-http/);
});

test('no workers yet, the hub\'s error, loading', () => {
  assert.match(render([]), /No worker has connected to this hub yet/);
  const err = render(null, 'the hub cannot be reached (fetch failed)');
  assert.match(err, /role="alert"><b>Request failed:<\/b> the hub cannot be reached/);
  assert.match(render(null), /Loading…/);
});

test('the rules editor: a form of the real rule fields, JSON as the alternative, the rules in force', () => {
  const html = render([worker('node-a')]);
  assert.match(html, /data-testid="rules-editor"/);
  for (const label of ['Namespaces', 'Excluded namespaces', 'Pod name regex', 'Label selector', 'Include host-network pods']) assert.match(html, new RegExp(`>${label}`), label);
  assert.match(html, /value="shop"/);
  assert.match(html, /aria-pressed="true"[^>]*>Form</);
  assert.match(html, />JSON</);
  assert.match(html, /In force, set on the hub: <b>namespaces shop<\/b>/);
  assert.match(html, /data-testid="rules-apply"/);
});

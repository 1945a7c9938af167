/**
 * The soak harness for about a minute (root, Linux, the demo's tools and
 * the capture addon; skipped otherwise): the hub restarted once, client pods
 * created and deleted, and every request the clients counted as answered
 * stored exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KINDS } from './request-ids.js';
import { formatReport } from './report.js';
import { DEFAULT_SOAK_OPTIONS, runSoak, soakProblem } from './soak.js';

test('soak for a minute: one hub restart, pods churned, 0 lost and 0 doubled', { timeout: 300_000 }, async (t) => {
  const skip = soakProblem();
  if (skip !== undefined) { t.skip(skip); return; }
  const log: string[] = [];
  const r = await runSoak({
    ...DEFAULT_SOAK_OPTIONS,
    minutes: 1, hubRestarts: 1, churnEveryMs: 15_000, requestsPerPod: 40, shopRate: 10, sampleMs: 5_000,
    log: (l) => log.push(l),
  });
  t.diagnostic(formatReport(r).split('\n').filter((l) => l !== '').slice(0, 9).join('\n'));
  assert.deepEqual(r.churn.failures, [], 'churn pods that failed');
  assert.deepEqual(r.clients.failures, [], 'steady clients that failed');
  assert.ok(r.churn.pods >= 2 && r.churn.events.every((e) => e.deleted !== null), `pods created and deleted: ${JSON.stringify(r.churn.events)}`);
  assert.equal(r.churn.captureWaitTimeouts, 0, 'every churn pod was captured before its client ran');
  assert.equal(r.hubRestarts.length, 1);
  assert.notEqual(r.hubRestarts[0]!.reconnectedMs, null, `workers reconnected to the restarted hub:\n${log.join('\n')}`);
  for (const k of r.ledger.kinds) {
    assert.ok(k.answered > 0, `${k.kind}: requests answered`);
    assert.deepEqual(k.lost.slice(0, 20), [], `${k.kind}: lost (${k.lost.length})`);
    assert.deepEqual(k.doubled.slice(0, 5), [], `${k.kind}: doubled (${k.doubled.length})`);
  }
  assert.equal(r.ledger.kinds.length, KINDS.length);
  assert.deepEqual(r.ledger.duplicateEntryIds, []);
  assert.ok(r.hubInstances.every((h) => h.retentionDeleted === 0), 'nothing deleted by retention');
  assert.ok(r.processes.some((p) => p.proc === 'hub' && p.instance === 2), 'the restarted hub was sampled');
});

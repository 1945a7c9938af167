import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePodRegex, compileRules, isPodtapPod } from './rules.js';
import { RuleError } from './model.js';
import { pod } from './test-support.js';

test('pod regex: unanchored search like Go regexp.MatchString', () => {
  const f = compileRules({ podRegex: 'catalo' });
  assert.equal(f(pod({ name: 'catalog-5f7d8b9c6-w4hzn' })), true);
  assert.equal(f(pod({ name: 'shop-catalog' })), true, 'matches anywhere in the name');
  assert.equal(f(pod({ name: 'cart' })), false);
  assert.equal(compileRules({ podRegex: '^cart-' })(pod({ name: 'cart-1' })), true);
  assert.equal(compileRules({ podRegex: '^cart-' })(pod({ name: 'my-cart-1' })), false);
  assert.equal(compileRules({ podRegex: '.*' })(pod({ name: 'anything' })), true, "Kubeshark's default");
  assert.equal(compileRules({ podRegex: 'front|back' })(pod({ name: 'backend-1' })), true);
  // Go's inline flags and named groups.
  assert.equal(compileRules({ podRegex: '(?i)CATALOG' })(pod({ name: 'catalog-0' })), true);
  assert.equal(compilePodRegex('(?P<svc>[a-z]+)-\\d').test('db-0'), true);
  assert.throws(() => compilePodRegex('(?U)x'), /^RuleError: pod regex "\(\?U\)x": flag 'U' in '\(\?U\)' is not supported; use i, s or m$/);
  assert.throws(() => compileRules({ podRegex: 'cat(' }), (err: Error) => {
    assert.ok(err instanceof RuleError);
    assert.match(err.message, /^pod regex "cat\(" is invalid: .*Unterminated group; fix the regex/);
    return true;
  });
});

test('namespaces: empty = all; exclusion wins over inclusion', () => {
  const a = pod({ name: 'a', namespace: 'shop' });
  const b = pod({ name: 'b', namespace: 'pay' });
  const c = pod({ name: 'c', namespace: 'kube-system' });
  assert.deepEqual([a, b, c].map(compileRules({})), [true, true, true]);
  assert.deepEqual([a, b, c].map(compileRules({ namespaces: ['shop', 'pay'] })), [true, true, false]);
  assert.deepEqual([a, b, c].map(compileRules({ excludedNamespaces: ['kube-system'] })), [true, true, false]);
  const both = compileRules({ namespaces: ['shop', 'pay'], excludedNamespaces: ['pay'] });
  assert.deepEqual([a, b, c].map(both), [true, false, false]);
  assert.deepEqual(both.verdict(b), { targeted: false, reason: 'excluded-namespace' });
  assert.deepEqual(both.verdict(c), { targeted: false, reason: 'namespace' });
  assert.deepEqual(both.verdict(a), { targeted: true, rule: 'namespace' });
});

test('all given rules must hold; the rule named is the most specific', () => {
  const p = pod({ name: 'api-1', namespace: 'shop', labels: { app: 'api' } });
  assert.deepEqual(compileRules({ podRegex: 'api', selector: 'app=api', namespaces: ['shop'] }).verdict(p), { targeted: true, rule: 'regex' });
  assert.deepEqual(compileRules({ selector: 'app=api', namespaces: ['shop'] }).verdict(p), { targeted: true, rule: 'selector' });
  assert.deepEqual(compileRules({ podRegex: 'api', selector: 'app=web' }).verdict(p), { targeted: false, reason: 'selector' });
  assert.deepEqual(compileRules({ podRegex: 'web', selector: 'app=api' }).verdict(p), { targeted: false, reason: 'regex' });
  assert.deepEqual(compileRules({}).verdict(p), { targeted: true, rule: 'default' });
  assert.throws(() => compileRules({ selector: 'app in (' }), /^RuleError: selector "app in \(", column 9: /);
});

test('defaults: podtap itself, host-network pods and pods without traffic are never targets', () => {
  const f = compileRules({});
  assert.deepEqual(f.verdict(pod({ name: 'hub', namespace: 'podtap' })), { targeted: false, reason: 'podtap' });
  const labelled = pod({ name: 'front', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'podtap' } });
  assert.equal(isPodtapPod(labelled), true);
  assert.deepEqual(f.verdict(labelled), { targeted: false, reason: 'podtap' });
  // podtap pods stay out even when a rule names them.
  assert.equal(compileRules({ podRegex: 'hub', namespaces: ['podtap'] })(pod({ name: 'hub', namespace: 'podtap' })), false);
  // Another install namespace.
  assert.equal(compileRules({ selfNamespace: 'tap' })(pod({ name: 'hub', namespace: 'tap' })), false);
  assert.equal(compileRules({ selfNamespace: 'tap' })(pod({ name: 'x', namespace: 'podtap' })), true);

  const host = pod({ name: 'kube-proxy-x', namespace: 'kube-system', hostNetwork: true, ips: ['172.18.0.2'] });
  assert.deepEqual(f.verdict(host), { targeted: false, reason: 'host-network' });
  assert.equal(compileRules({ includeHostNetwork: true })(host), true);

  assert.deepEqual(f.verdict(pod({ name: 'p', phase: 'Pending', ips: [] })), { targeted: false, reason: 'no-ip' });
  assert.deepEqual(f.verdict(pod({ name: 'p', phase: 'Pending', ips: ['10.0.0.9'] })), { targeted: true, rule: 'default' });
  assert.deepEqual(f.verdict(pod({ name: 'p', phase: 'Succeeded' })), { targeted: false, reason: 'not-running' });
  assert.deepEqual(f.verdict(pod({ name: 'p', phase: 'Failed' })), { targeted: false, reason: 'not-running' });
  assert.deepEqual(f.verdict(pod({ name: 'p', phase: 'Unknown' })), { targeted: false, reason: 'not-running' });
});

test('pod regexes run in linear time: a pattern that backtracks exponentially elsewhere is fast here', () => {
  assert.ok(compilePodRegex('(a+)+$').flags.includes('l'), "compiled for V8's linear-time engine");
  assert.equal(compileRules({ podRegex: '(a+)+$' })(pod({ name: `${'a'.repeat(40)}!` })), false, 'answered (the backtracking engine would take hours)');
  assert.throws(() => compilePodRegex('(a)\\1'), /cannot run in linear time/);
  assert.throws(() => compilePodRegex('web(?=-1)'), /cannot run in linear time/);
});

test('(?i) pod regexes match lower-case pod names; escapes keep their meaning', () => {
  assert.ok(compilePodRegex('(?i)^Web-\\d+').test('web-12'));
  assert.ok(!compilePodRegex('(?i)^WEB\\D').test('web1'));
  assert.ok(compilePodRegex('(?i)^API\\x2D').test('api-1'));
});

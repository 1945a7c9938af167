import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRules } from '../../../src/hub/rules.js';
import { EMPTY_FORM, describeRules, formFromRules, parseRulesJson, rulesFromForm, splitList } from './rules-form.js';

test('lists split on commas and white space, without blanks or repeats', () => {
  assert.deepEqual(splitList(' shop, pay  kube-system,,shop\n'), ['shop', 'pay', 'kube-system']);
  assert.deepEqual(splitList(''), []);
});

test('form → rules keeps only what is set', () => {
  assert.deepEqual(rulesFromForm(EMPTY_FORM), {});
  assert.deepEqual(rulesFromForm({ namespaces: 'shop, pay', excludedNamespaces: 'kube-system', podRegex: '^web-', selector: ' app in (web,api) ', includeHostNetwork: true }), {
    namespaces: ['shop', 'pay'], excludedNamespaces: ['kube-system'], podRegex: '^web-', selector: 'app in (web,api)', includeHostNetwork: true,
  });
});

test('rules → form → rules is the identity for what the hub sends', () => {
  const rules = { namespaces: ['shop'], excludedNamespaces: ['kube-system', 'podtap'], podRegex: 'catalo.*', selector: 'tier=front', includeHostNetwork: false };
  const { includeHostNetwork: _, ...set } = rules;
  assert.deepEqual(rulesFromForm(formFromRules(rules)), set);
  assert.deepEqual(formFromRules(null), EMPTY_FORM);
  assert.deepEqual(formFromRules({ namespaces: 'a' as unknown as string[] }).namespaces, 'a', 'a string where a list belongs is shown, not lost');
});

test('what the form builds passes the hub\'s own check (checkRules)', () => {
  const body = rulesFromForm({ namespaces: 'shop pay', excludedNamespaces: 'kube-system', podRegex: '(?i)web|api', selector: 'app in (web,api),tier!=db', includeHostNetwork: true });
  assert.deepEqual(checkRules(body, 'rules'), { ...body });
  assert.throws(() => checkRules(rulesFromForm({ ...EMPTY_FORM, podRegex: '(' }), 'rules'), /pod regex/);
});

test('the JSON text must be one object', () => {
  assert.deepEqual(parseRulesJson('{"namespaces": ["shop"]}'), { ok: true, rules: { namespaces: ['shop'] } });
  assert.deepEqual(parseRulesJson('  '), { ok: true, rules: {} });
  const bad = parseRulesJson('{"namespaces": [shop]}');
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.error, /^not JSON: /);
  assert.deepEqual(parseRulesJson('["shop"]'), { ok: false, error: 'the rules must be a JSON object, e.g. {"namespaces": ["shop"]}' });
});

test('describeRules reads as one line', () => {
  assert.equal(describeRules({}), 'every pod');
  assert.equal(describeRules({ namespaces: ['shop'], podRegex: 'web', selector: 'app=x' }), 'namespaces shop · pods /web/ · labels app=x');
});

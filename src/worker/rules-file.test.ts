import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuleError } from '../cluster/model.js';
import { pod } from '../cluster/test-support.js';
import { loadRulesFile, parseRulesFile, RULES_CONFIRM_MS, RULES_DEBOUNCE_MS, watchRulesFile, type CompiledRules } from './rules-file.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('rules files: JSON and YAML, every key', () => {
  assert.deepEqual(parseRulesFile('{"podRegex": "web", "namespaces": ["a", "b"], "includeHostNetwork": true}', 'r.json'),
    { podRegex: 'web', namespaces: ['a', 'b'], includeHostNetwork: true });
  assert.deepEqual(parseRulesFile('selector: app in (web,api)\nexcludedNamespaces: kube-system, podtap\n', 'r.yaml'),
    { selector: 'app in (web,api)', excludedNamespaces: ['kube-system', 'podtap'], includeHostNetwork: false });
  assert.deepEqual(parseRulesFile('', 'empty.yaml'), { includeHostNetwork: false }, 'an empty file targets every pod');
  assert.deepEqual(parseRulesFile('# nothing yet\n', 'c.yaml'), { includeHostNetwork: false });
});

test('rules files: bad content is one RuleError naming the file and the fix', () => {
  const bad: Array<[string, RegExp]> = [
    ['[1, 2]', /f: top level is not a mapping; write a mapping with podRegex/],
    ['"web"', /not a mapping/],
    ['{"selectr": "a=b"}', /unknown key "selectr"/],
    ['podRegex: [a]', /podRegex must be a string/],
    ['namespaces: 3', /namespaces must be a list of namespace names/],
    ['namespaces: [a, 3]', /namespaces must be a list/],
    ['includeHostNetwork: "yes"', /includeHostNetwork must be true or false/],
    ['{ "podRegex": ', /f: not JSON or YAML/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseRulesFile(text, 'f'), (e: unknown) => e instanceof RuleError && re.test(e.message) && !e.message.includes('\n'), text);
  }
});

test('loadRulesFile compiles, and names the file when a rule does not compile', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-rules-'));
  const f = join(dir, 'rules.yaml');
  writeFileSync(f, 'selector: app=web\n');
  const { filter } = await loadRulesFile(f);
  assert.equal(filter(pod({ name: 'w', labels: { app: 'web' } })), true);
  assert.equal(filter(pod({ name: 'a', labels: { app: 'api' } })), false);
  writeFileSync(f, 'podRegex: "("\n');
  await assert.rejects(loadRulesFile(f), /rules\.yaml: pod regex "\(" is invalid/);
  await assert.rejects(loadRulesFile(join(dir, 'none.yaml')), /none\.yaml: cannot be read \(ENOENT\)/);
});

test('watchRulesFile: changes, renames, same content, invalid content keeps the last good rules', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-rules-watch-'));
  const f = join(dir, 'rules.yaml');
  writeFileSync(f, 'selector: app=web\n');
  const got: CompiledRules[] = [];
  const errors: string[] = [];
  const w = watchRulesFile(f, (r) => got.push(r), (e) => errors.push(e.message));
  try {
    const first = await w.ready;
    assert.ok(!(first instanceof Error));
    assert.equal(got.length, 1);
    writeFileSync(f, 'selector: app=api\n');
    await sleep(RULES_DEBOUNCE_MS + 150);
    assert.equal(got.length, 2);
    assert.equal(got[1].rules.selector, 'app=api');
    writeFileSync(join(dir, 'tmp'), 'selector: app=api\n'); // same content, by rename (an editor)
    renameSync(join(dir, 'tmp'), f);
    await sleep(RULES_DEBOUNCE_MS + 150);
    assert.equal(got.length, 2, 'same content: no change');
    writeFileSync(f, 'selector: "app in (a"\n');
    await sleep(RULES_DEBOUNCE_MS + RULES_CONFIRM_MS + 200);
    assert.equal(got.length, 2);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /rules\.yaml: .*selector/);
    writeFileSync(f, 'namespaces: [shop]\n');
    await sleep(RULES_DEBOUNCE_MS + 150);
    assert.equal(got.length, 3, 'a fixed file is picked up');
    assert.deepEqual(w.stats.invalid, 1);
  } finally {
    w.close();
  }
});

test('watchRulesFile: a first load that fails resolves ready with the error', async () => {
  const w = watchRulesFile(join(tmpdir(), 'podtap-no-such-dir', 'rules.yaml'), () => assert.fail('no rules'), () => {});
  const first = await w.ready;
  w.close();
  assert.ok(first instanceof RuleError);
  assert.match(first.message, /cannot be read \(ENOENT\)/);
});

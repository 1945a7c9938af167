import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSelector, matchesSelector, parseSelector } from './selector.js';
import { RuleError } from './model.js';

const L = { app: 'web', tier: 'front', 'app.kubernetes.io/name': 'shop', empty: '', replicas: '3' };

/** Hono-style table: selector, does it match L. */
const CASES: [string, boolean][] = [
  ['', true],
  ['   ', true],
  ['app=web', true],
  ['app==web', true],
  ['app = web', true],
  ['app=api', false],
  ['app!=api', true],
  ['app!=web', false],
  ['missing!=x', true], // != matches an absent label, as in Kubernetes
  ['app in (web,api)', true],
  ['app in (api, db)', false],
  ['app notin (api,db)', true],
  ['app notin (web)', false],
  ['missing notin (x)', true],
  ['missing in (x)', false],
  ['app', true],
  ['missing', false],
  ['!missing', true],
  ['!app', false],
  ['app=web,tier=front', true],
  ['app=web,tier=back', false],
  ['app=web, !missing, tier in (front)', true],
  ['app.kubernetes.io/name=shop', true],
  ['empty=', true],
  ['empty in (x,)', true], // a trailing comma holds the empty value
  ['app=', false],
  ['replicas>2', true],
  ['replicas<3', false],
  ['app>1', false], // not an integer: no match
];

test('selector forms match like kubectl', () => {
  for (const [text, expected] of CASES) assert.equal(matchesSelector(parseSelector(text), L), expected, text);
});

test('parse tree and kubectl text form', () => {
  assert.deepEqual(parseSelector('a=b, !c,d in (x,y)'), [
    { key: 'a', op: 'eq', values: ['b'], column: 1 },
    { key: 'c', op: 'notexists', values: [], column: 6 },
    { key: 'd', op: 'in', values: ['x', 'y'], column: 9 },
  ]);
  assert.equal(formatSelector(parseSelector('a==b,c!=d,e,!f,g notin ( x , y ),h>3')), 'a=b,c!=d,e,!f,g notin (x,y),h>3');
});

/** [selector, column, message part]. */
const ERRORS: [string, number, RegExp][] = [
  ['app=web,', 9, /found the end of the selector, expected a label key/],
  [',app', 1, /found ',', expected a label key/],
  ['app web', 5, /found 'web' after key 'app', expected '=', '==', '!=', 'in', 'notin'/],
  ['app=web=x', 8, /found '=', expected ',' between requirements/],
  ['app in web', 8, /found 'web', expected '\(' after 'in'/],
  ['app in (web', 12, /found the end of the selector, expected ',' or '\)'/],
  ['app in ()', 8, /'in \(\)' has no values/],
  ['app notin (a b)', 14, /found 'b', expected ',' or '\)'/],
  ['!app=web', 5, /found '=' after '!app', expected ',' or the end/],
  ['-app=x', 1, /label key name '-app' must be letters, digits/],
  ['app_=x', 4, /label key name 'app_' must/],
  ['a$b=x', 2, /label key name 'a\$b' must/],
  ['app=web!', 8, /found '!', expected ','/],
  ['app=-web', 5, /label value '-web' must/],
  ['Example.com/app=x', 1, /label key prefix 'Example.com' is not a DNS subdomain/],
  ['/app=x', 1, /empty prefix/],
  ['example.com/=x', 13, /has an empty name/],
  ['a/b/c=x', 4, /more than one '\/'/],
  [`${'k'.repeat(64)}=x`, 1, /label key name is 64 characters, at most 63/],
  [`k=${'v'.repeat(64)}`, 3, /label value is 64 characters, at most 63/],
  [`${'p'.repeat(254)}/k=x`, 1, /prefix is 254 characters, at most 253/],
  ['n>x', 3, /'>' needs an integer value/],
];

test('selector errors: RuleError with the column of the problem', () => {
  for (const [text, column, part] of ERRORS) {
    assert.throws(() => parseSelector(text), (err: Error) => {
      assert.ok(err instanceof RuleError, `${text}: ${err}`);
      assert.ok(err.message.includes(`, column ${column}: `), `${text}: column ${column} in ${err.message}`);
      assert.match(err.message, part, text);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  }
});

test('labels object without prototype surprises', () => {
  assert.equal(matchesSelector(parseSelector('constructor'), {}), false);
  assert.equal(matchesSelector(parseSelector('!toString'), {}), true);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor, MASK } from './redact.js';
import { dnsA, httpGet } from '../output/sample-entries.js';
import type { HttpEntry } from '../entries/types.js';

test('Authorization, Cookie, Set-Cookie and secret-named fields are masked and listed', () => {
  const e = httpGet();
  e.request!.headers.authorization = 'Bearer abc';
  e.request!.headers['x-api-key'] = 'k';
  e.request!.path = '/login?user=bob&access_token=s3cr3t&x=1';
  e.request!.query = { user: 'bob', access_token: 's3cr3t', x: '1' };
  e.response!.body!.content = '{"user":"bob","password":"hunter2","nested":{"clientSecret":"z"},"list":[{"token":"t"}]}';
  const r = new Redactor().redact(e) as HttpEntry;
  assert.equal(r.request!.headers.authorization, MASK);
  assert.equal(r.request!.headers.cookie, MASK);
  assert.equal(r.request!.headers['x-api-key'], MASK);
  assert.equal(r.response!.headers['set-cookie'], MASK);
  assert.equal(r.request!.headers.accept, 'application/json');
  assert.equal(r.request!.query.access_token, MASK);
  assert.equal(r.request!.query.user, 'bob');
  assert.equal(r.request!.path, '/login?user=bob&access_token=%5BREDACTED%5D&x=1');
  assert.deepEqual(JSON.parse(r.response!.body!.content), { user: 'bob', password: MASK, nested: { clientSecret: MASK }, list: [{ token: MASK }] });
  assert.deepEqual(r.redacted?.sort(), [
    'request.headers.authorization', 'request.headers.cookie', 'request.headers.x-api-key', 'request.path', 'request.query.access_token',
    'response.body.content.list[0].token', 'response.body.content.nested.clientSecret', 'response.body.content.password', 'response.headers.set-cookie',
  ]);
  assert.equal(e.request!.headers.authorization, 'Bearer abc', 'the input entry is not changed');
});

test('nothing to mask: the same entry comes back; redaction can be turned off or reconfigured', () => {
  const d = dnsA();
  assert.equal(new Redactor().redact(d), d);
  const e = httpGet();
  delete e.request!.headers.cookie;
  delete e.response!.headers['set-cookie'];
  assert.equal(new Redactor().redact(e), e);
  const withCookie = httpGet();
  assert.equal(new Redactor({ enabled: false, words: [] }).redact(withCookie), withCookie);
  e.request!.headers['x-tenant'] = 'acme';
  assert.equal((new Redactor({ enabled: true, words: ['tenant'] }).redact(e) as HttpEntry).request!.headers['x-tenant'], MASK);
});

test('a JSON body cut short, or sent as text, still has its secrets masked; other text is kept as it is', () => {
  const e = httpGet();
  delete e.request!.headers.cookie;
  delete e.response!.headers['set-cookie'];
  e.response!.body!.content = '{"user":"ann","password":"abc", "api_token":"xyz-cut';
  const r = new Redactor().redact(e) as typeof e;
  assert.equal(r.response!.body!.content, '{"user":"ann","password":"[REDACTED]", "api_token":"[REDACTED]');
  assert.deepEqual(r.redacted, ['response.body.content.password', 'response.body.content.api_token']);
  const t = httpGet();
  delete t.request!.headers.cookie;
  delete t.response!.headers['set-cookie'];
  t.response!.body = { ...t.response!.body!, mimeType: 'text/plain', content: 'login ok {"secret": "s1"}' };
  assert.equal((new Redactor().redact(t) as typeof t).response!.body!.content, 'login ok {"secret":"[REDACTED]"}');
  t.response!.body = { ...t.response!.body!, content: 'nothing to hide here' };
  assert.equal(new Redactor().redact(t), t);
});

import { test } from 'node:test';
import { runConformance } from '../conformance.js';
import { http2Spec } from './index.js';
import { TestEncoder, exchange } from './test-support.js';

function sample(n: number, big: boolean): Array<[Buffer, Buffer]> {
  const ce = new TestEncoder();
  const se = new TestEncoder();
  const out: Array<[Buffer, Buffer]> = [];
  for (let i = 0; i < n; i++) {
    const x = exchange(ce, se, 1 + 2 * i, {
      first: i === 0, path: `/item/${i}`, method: i % 2 === 0 ? 'GET' : 'POST',
      reqBody: i % 2 === 0 ? undefined : `{"n":${i}}`, resBody: big && i === 1 ? 'x'.repeat(5000) : `body ${i}`,
    });
    out.push([x.client, x.server]);
  }
  return out;
}

test('HTTP/2 passes the dissector conformance suite', async (t) => {
  await runConformance(t, http2Spec, [
    { name: 'four streams on one connection', port: 80, entries: 4, exchanges: sample(4, false) },
    { name: 'a large body', port: 50051, entries: 3, exchanges: sample(3, true) },
  ]);
});

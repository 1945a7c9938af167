import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonlWriter } from './jsonl.js';
import { MemorySink } from './memory-sink.js';
import { dnsA, dnsNxdomain, httpGet, httpNoRequest, httpNoResponse, httpPostBinary } from './sample-entries.js';

test('one entry per line, round-trips through JSON.parse', () => {
  const entries = [httpGet(), httpPostBinary(), httpNoResponse(), httpNoRequest(), dnsA(), dnsNxdomain()];
  // A path with a newline and control bytes must not break the line.
  const first = httpGet();
  first.request!.path = '/a\nb\r\u0000c';
  entries[0] = first;
  const sink = new MemorySink();
  const w = new JsonlWriter(sink);
  for (const e of entries) w.write(e);
  w.end();
  assert.ok(sink.ended);
  const text = sink.text();
  assert.ok(text.endsWith('\n'));
  const lines = text.slice(0, -1).split('\n');
  assert.equal(lines.length, entries.length);
  assert.deepEqual(lines.map((l) => JSON.parse(l)), JSON.parse(JSON.stringify(entries)));
  assert.equal(w.count, entries.length);
});

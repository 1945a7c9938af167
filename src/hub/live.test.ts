import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveFanout, MAX_QUEUED, MAX_SOCKET_BUFFER, STALL_MS, type StreamSocket } from './live.js';
import { dnsA, httpGet } from '../output/sample-entries.js';
import type { Entry } from '../entries/types.js';

class FakeSocket implements StreamSocket {
  bufferedAmount = 0;
  messages: Array<{ entries: Entry[]; skipped: number }> = [];
  closed: number | null = null;
  send(data: string): void { this.messages.push(JSON.parse(data) as { entries: Entry[]; skipped: number }); }
  close(code: number): void { this.closed = code; }
}

test('each client gets the entries its filter matches, in batches', () => {
  const f = new LiveFanout();
  const all = new FakeSocket(), dns = new FakeSocket();
  f.add(all, '', () => true);
  f.add(dns, 'dns', (e) => e.protocol === 'dns');
  f.publish([httpGet(), dnsA(), httpGet()]);
  f.flush();
  assert.equal(all.messages[0]!.entries.length, 3);
  assert.deepEqual(dns.messages[0]!.entries.map((e) => e.protocol), ['dns']);
  f.flush();
  assert.equal(all.messages.length, 1, 'nothing new: no message');
  f.close();
});

test('a client that cannot keep up is told how many entries it skipped', () => {
  const f = new LiveFanout();
  const s = new FakeSocket();
  f.add(s, '', () => true);
  const burst = Array.from({ length: MAX_QUEUED + 500 }, () => httpGet());
  f.publish(burst);
  f.flush();
  assert.equal(s.messages[0]!.entries.length, MAX_QUEUED);
  assert.equal(s.messages[0]!.skipped, 500);
  assert.equal(f.counters.skipped, 500);
  f.close();
});

test('a client that does not read is skipped, then cut off; others keep getting entries', () => {
  let now = 0;
  const f = new LiveFanout(() => now);
  const stuck = new FakeSocket(), ok = new FakeSocket();
  f.add(stuck, '', () => true);
  f.add(ok, '', () => true);
  stuck.bufferedAmount = MAX_SOCKET_BUFFER + 1;
  f.publish([httpGet()]);
  f.flush();
  assert.equal(stuck.messages.length, 0);
  now += STALL_MS;
  f.publish([httpGet()]);
  f.flush();
  assert.equal(stuck.closed, 1008);
  assert.equal(f.size, 1);
  assert.equal(ok.messages.length, 2);
  assert.equal(f.counters.cutOff, 1);
  f.close();
});

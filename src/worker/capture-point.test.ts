import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CapturePoint } from './capture-point.js';
import { TargetView } from './target-view.js';
import { DuplicateFilter } from '../ownership/dedup.js';
import type { PacketRecord } from '../capture/types.js';
import { tcpFrame, udpFrame } from '../testing/packets.js';

function setup() {
  const targets = new TargetView();
  targets.update(['10.240.1.2', '10.240.1.3', 'fd00::2', 'fd00::3']);
  const dedup = new DuplicateFilter();
  const got: number[][] = [[], []];
  const a = new CapturePoint('vethA', 'default/a', ['10.240.1.2', 'fd00::2'], targets, dedup, { packet: (r) => got[0].push(r.data.length) });
  const b = new CapturePoint('vethB', 'default/b', ['10.240.1.3', 'fd00::3'], targets, dedup, { packet: (r) => got[1].push(r.data.length) });
  const rec = (data: Buffer, ts = 0): PacketRecord => ({ ts, linkType: 1, iface: 0, data, origLength: data.length });
  return { a, b, got, rec, dedup };
}

test('a same-node call between two targeted pods is processed once, at the client', () => {
  const { a, b, got, rec } = setup();
  const req = tcpFrame({ src: '10.240.1.2', dst: '10.240.1.3', sport: 45000, dport: 8080, seq: 1, payload: 'GET / HTTP/1.1\r\n\r\n' });
  const res = tcpFrame({ src: '10.240.1.3', dst: '10.240.1.2', sport: 8080, dport: 45000, seq: 9, payload: 'HTTP/1.1 200 OK\r\n\r\n' });
  for (const f of [req, res]) { a.packet(rec(f)); b.packet(rec(f)); }
  assert.equal(got[0].length, 2);
  assert.equal(got[1].length, 0);
  assert.deepEqual(b.counters, { captured: 2, untargeted: 0, duplicate: 2, processed: 0 });
  assert.deepEqual(a.counters, { captured: 2, untargeted: 0, duplicate: 0, processed: 2 });
});

test('the duplicate window catches a packet two capture points would both own', () => {
  const { a, got, rec, dedup } = setup();
  const targets = new TargetView(); // a second point that does not know the others are targeted
  const stray = new CapturePoint('vethA2', 'default/a', ['10.240.1.2'], targets, dedup, { packet: () => got[1].push(1) });
  const f = tcpFrame({ src: '10.240.1.2', dst: '198.51.100.7', sport: 45000, dport: 443, seq: 1, payload: 'x' });
  a.packet(rec(f, 0));
  stray.packet(rec(f, 1));
  assert.equal(got[0].length, 1);
  assert.equal(got[1].length, 0);
  assert.equal(stray.counters.duplicate, 1);
});

test('traffic of neither end and non-IP frames count as untargeted', () => {
  const { a, rec } = setup();
  a.packet(rec(udpFrame({ src: '10.240.9.9', dst: '10.240.9.8', sport: 1, dport: 2, payload: 'x' })));
  const arp = Buffer.alloc(42); arp.writeUInt16BE(0x0806, 12);
  a.packet(rec(arp));
  assert.equal(a.counters.untargeted, 2);
});

test('IPv6: same rule through the text path', () => {
  const { a, b, got, rec } = setup();
  const f = tcpFrame({ src: 'fd00::2', dst: 'fd00::3', sport: 45000, dport: 80, seq: 1, payload: 'x' });
  a.packet(rec(f)); b.packet(rec(f));
  assert.equal(got[0].length, 1);
  assert.equal(got[1].length, 0);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, cidrText, ipv4ToInt, intToIpv4, mergeToCidrs, parseCidr } from './cidr.js';

test('address text round trip', () => {
  for (const ip of ['0.0.0.0', '10.240.1.7', '255.255.255.255', '192.168.0.1']) assert.equal(intToIpv4(ipv4ToInt(ip)), ip);
});

test('consecutive aligned addresses merge into one block', () => {
  const ips = Array.from({ length: 256 }, (_, i) => ipv4ToInt(`10.240.1.${i}`));
  assert.deepEqual(mergeToCidrs(ips).map(cidrText), ['10.240.1.0/24']);
});

test('unaligned runs split into the fewest exact blocks', () => {
  const ips = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => ipv4ToInt(`10.0.0.${i}`));
  assert.deepEqual(mergeToCidrs(ips).map(cidrText), ['10.0.0.1', '10.0.0.2/31', '10.0.0.4/30', '10.0.0.8']);
});

test('merged blocks cover exactly the input, nothing more', () => {
  let seed = 3;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 1024);
  const set = new Set<number>();
  for (let i = 0; i < 600; i++) set.add(ipv4ToInt('10.240.0.0') + rnd());
  const blocks = mergeToCidrs(set);
  for (let ip = ipv4ToInt('10.240.0.0') - 10; ip < ipv4ToInt('10.240.0.0') + 1100; ip++) {
    assert.equal(blocks.some((b) => cidrContains(b, ip)), set.has(ip), intToIpv4(ip));
  }
  assert.ok(blocks.length < set.size);
});

test('parseCidr validates and normalises', () => {
  assert.deepEqual(parseCidr('10.240.1.9/24'), { base: ipv4ToInt('10.240.1.0'), bits: 24 });
  assert.equal(parseCidr('10.1.2.3/33'), null);
  assert.equal(parseCidr('nope'), null);
});

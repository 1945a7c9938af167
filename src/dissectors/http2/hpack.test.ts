import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HpackDecoder } from './hpack.js';
import { huffmanDecode } from './huffman.js';
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from './huffman-table.js';

function synced(): HpackDecoder {
  const d = new HpackDecoder();
  d.synced = true;
  return d;
}

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('huffman: RFC 7541 C.4 strings, invalid padding and EOS', () => {
  const d = (h: string): string | null => { const b = hex(h); return huffmanDecode(b, 0, b.length); };
  assert.equal(d('f1e3 c2e5 f23a 6ba0 ab90 f4ff'), 'www.example.com');
  assert.equal(d('a8eb 1064 9cbf'), 'no-cache');
  assert.equal(d('25a8 49e9 5ba9 7d7f'), 'custom-key');
  assert.equal(d('25a8 49e9 5bb8 e8b4 bf'), 'custom-value');
  assert.equal(d(''), '');
  assert.equal(d('ff'), null, 'eight bits of padding');
  assert.equal(d('ffff ffff'), null, 'EOS');
  assert.equal(d('00'), null, 'padding of zeros'); // '0' (00000) then 000 which is not all ones
});

test('huffman: every byte value round-trips (encoded with the RFC table)', () => {
  const all = Array.from({ length: 256 }, (_, i) => i);
  for (const input of [all, all.slice().reverse(), [...'www.example.com'].map((c) => c.charCodeAt(0))]) {
    let acc = 0n;
    let bits = 0;
    for (const c of input) { acc = (acc << BigInt(HUFFMAN_LENGTHS[c]!)) | BigInt(HUFFMAN_CODES[c]!); bits += HUFFMAN_LENGTHS[c]!; }
    const pad = (8 - (bits % 8)) % 8;
    acc = (acc << BigInt(pad)) | ((1n << BigInt(pad)) - 1n);
    const bytes = Buffer.from(acc.toString(16).padStart(((bits + pad) / 8) * 2, '0'), 'hex');
    assert.equal(huffmanDecode(bytes, 0, bytes.length), Buffer.from(input).toString('latin1'));
  }
});

test('hpack: random blocks never throw', () => {
  let seed = 1;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (const synced of [true, false]) {
    const dec = new HpackDecoder();
    dec.synced = synced;
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)));
      const r = dec.decode(b);
      assert.ok(Array.isArray(r.fields));
    }
    assert.ok(dec.length <= 65536 / 32);
  }
});

test('hpack: RFC 7541 C.4 requests with Huffman, dynamic table across blocks', () => {
  const dec = synced();
  assert.deepEqual(dec.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff')).fields,
    [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']]);
  assert.deepEqual(dec.decode(hex('8286 84be 5886 a8eb 1064 9cbf')).fields,
    [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']]);
  const third = dec.decode(hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'));
  assert.deepEqual(third.fields,
    [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']]);
  assert.equal(third.incomplete, false);
  assert.equal(third.violation, false);
  assert.equal(dec.length, 3);
});

test('hpack: RFC 7541 C.6 responses with eviction (256-byte table)', () => {
  const dec = synced();
  dec.setAdvertised(256);
  const r1 = dec.decode(hex('4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3'));
  assert.deepEqual(r1.fields, [[':status', '302'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']]);
  const r2 = dec.decode(hex('4883 640e ff c1 c0 bf'));
  assert.deepEqual(r2.fields, [[':status', '307'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']]);
  const r3 = dec.decode(hex('88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07'));
  assert.deepEqual(r3.fields, [[':status', '200'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'], ['location', 'https://www.example.com'],
    ['content-encoding', 'gzip'], ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1']]);
});

test('hpack: unknown table after a loss gives an incomplete block, not a violation', () => {
  const dec = synced();
  dec.lose();
  const b = dec.decode(hex('8286 84be 5886 a8eb 1064 9cbf'));
  assert.equal(b.incomplete, true);
  assert.equal(b.violation, false);
  assert.deepEqual(b.fields, [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], ['cache-control', 'no-cache']]);
  // The entry it inserted is known from now on.
  assert.deepEqual(dec.decode(hex('be')).fields, [['cache-control', 'no-cache']]);
  // A synced decoder calls the same reference a violation.
  const fresh = synced();
  assert.equal(fresh.decode(hex('c5')).violation, true);
  assert.equal(fresh.decode(hex('ff')).violation, true, 'integer cut short');
});

test('hpack: size update to 0 empties the table', () => {
  const dec = synced();
  dec.decode(hex('4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'));
  assert.equal(dec.length, 1);
  dec.decode(hex('20 3fe1 1f'));
  assert.equal(dec.length, 0);
});

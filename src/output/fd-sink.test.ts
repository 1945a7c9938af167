import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FdSink, type WriteFn } from './fd-sink.js';
import { OutputClosedError } from './types.js';

function tempFile(): { path: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-sink-'));
  return { path: join(dir, 'out'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('batches small writes and flushes when the buffer fills', () => {
  const t = tempFile();
  try {
    const sink = FdSink.open(t.path, { bufferSize: 1024 });
    const line = 'x'.repeat(99) + '\n';
    for (let i = 0; i < 5; i++) sink.write(line);
    assert.equal(fstatSync(sink.fd).size, 0, 'nothing written while the buffer has room');
    assert.equal(sink.stats.writes, 0);
    for (let i = 5; i < 25; i++) sink.write(line);
    const mid = fstatSync(sink.fd).size;
    assert.ok(mid > 0 && mid < 2500, `flushed part of the output before end (${mid} bytes)`);
    assert.ok(sink.stats.flushes >= 2 && sink.stats.flushes < 25, `batched: ${sink.stats.flushes} flushes for 25 writes`);
    sink.end();
    assert.equal(readFileSync(t.path, 'utf8'), line.repeat(25));
    assert.equal(sink.stats.bytes, 2500);
  } finally {
    t.done();
  }
});

test('writes larger than the buffer and multi-byte text arrive intact', () => {
  const t = tempFile();
  try {
    const sink = FdSink.open(t.path, { bufferSize: 64 });
    const parts = ['héllo ', '→'.repeat(30), 'a'.repeat(500), '😀 done\n', 'é'.repeat(21)];
    for (const p of parts) sink.write(p);
    sink.end();
    sink.end(); // idempotent
    assert.equal(readFileSync(t.path, 'utf8'), parts.join(''));
  } finally {
    t.done();
  }
});

test('retries EAGAIN and resumes short writes', () => {
  const got: number[] = [];
  let calls = 0;
  const fake: WriteFn = (_fd, buf, off, len) => {
    calls++;
    if (calls % 3 === 1) throw Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' });
    const n = Math.min(len, 7); // short writes, like a nearly full pipe
    got.push(...buf.subarray(off, off + n));
    return n;
  };
  const sink = new FdSink(99, { bufferSize: 32, writeFn: fake });
  const text = 'the quick brown fox jumps over the lazy dog\n'.repeat(5);
  for (const word of text.split(/(?<= )/)) sink.write(word);
  sink.end();
  assert.equal(Buffer.from(got).toString('utf8'), text);
  assert.ok(sink.stats.eagainWaits > 0);
  assert.equal(sink.stats.bytes, Buffer.byteLength(text));
});

test('EPIPE becomes OutputClosedError; write after end throws', () => {
  const fake: WriteFn = () => {
    throw Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
  };
  const sink = new FdSink(99, { bufferSize: 16, writeFn: fake });
  assert.throws(() => sink.write('more than sixteen bytes of text'), OutputClosedError);
  sink.end();
  assert.throws(() => sink.write('x'), /after end/);
});

test('stdout-style sink leaves the descriptor open at end', () => {
  const t = tempFile();
  try {
    const fd = openSync(t.path, 'w');
    const sink = new FdSink(fd, { bufferSize: 16 });
    sink.write('abc');
    sink.end();
    writeSync(fd, 'def'); // still open
    assert.equal(readFileSync(t.path, 'utf8'), 'abcdef');
  } finally {
    t.done();
  }
});

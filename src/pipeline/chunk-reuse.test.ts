// readCaptureFile reads every chunk into one reused buffer (capture/open.ts): a record, and every view of it, lives only
// during PacketSink.packet. Any layer or dissector that kept a view instead of a copy would see its bytes overwritten by
// the next chunk. Small chunks make that happen many times per capture; the reference reads the same file from a buffer
// that is never reused, so the two runs must give the same entries and counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCaptureBuffer, readCaptureFile } from '../capture/open.js';
import type { Entry } from '../entries/types.js';
import { fixturePath } from '../util/paths.js';
import { Pipeline } from './pipeline.js';

/** Small enough that most captures span many chunks; a record that crosses one goes through the reader's carry copy. */
const CHUNK_BYTES = 4096;

function captures(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) captures(p, out);
    else if (/\.pcap(ng)?$/.test(e.name)) out.push(p); // gzip files go through zlib's own fresh buffers
  }
  return out;
}

function run(onPipeline: (p: Pipeline) => Promise<unknown> | unknown): Promise<string> {
  const entries: Entry[] = [];
  const p = new Pipeline((e) => entries.push(e));
  return Promise.resolve(onPipeline(p)).then(() => {
    const stats = p.finish();
    return JSON.stringify({ entries, stats });
  });
}

test('a capture read through the reused chunk buffer gives the same entries as one read whole', async () => {
  const files = captures(fixturePath()).filter((f) => !readFileSync(f).subarray(0, 2).equals(Buffer.from([0x1f, 0x8b])));
  assert.ok(files.length > 150, `found ${files.length} captures`);
  let spanning = 0;
  let entries = 0;
  for (const f of files) {
    const bytes = readFileSync(f);
    let whole: string;
    try {
      whole = await run((p) => readCaptureBuffer(bytes, p, { tolerateTruncation: true }));
    } catch {
      continue; // captures that are meant to be broken (error tests) are covered elsewhere
    }
    const chunked = await run((p) => readCaptureFile(f, p, { tolerateTruncation: true, chunkSize: CHUNK_BYTES }));
    assert.equal(chunked, whole, f);
    if (bytes.length > 2 * CHUNK_BYTES) spanning++;
    entries += (JSON.parse(whole) as { entries: unknown[] }).entries.length;
  }
  assert.ok(spanning > 40, `${spanning} captures span several chunks`);
  assert.ok(entries > 1000, `${entries} entries compared`);
});

test('the reused buffer is really reused: a kept view of a record changes under the next chunk', async () => {
  const f = fixturePath('golden', 'lab-http-dns.pcap');
  assert.ok(readFileSync(f).length > 2 * CHUNK_BYTES);
  const kept: Array<{ view: Uint8Array; copy: Buffer }> = [];
  await readCaptureFile(f, { packet(r) { kept.push({ view: r.data, copy: Buffer.from(r.data) }); } }, { chunkSize: CHUNK_BYTES });
  const changed = kept.filter((k) => !Buffer.from(k.view).equals(k.copy)).length;
  assert.ok(changed > kept.length / 4, `${changed} of ${kept.length} kept views changed`);
});

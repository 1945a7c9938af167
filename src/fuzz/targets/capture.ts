/**
 * The capture-file readers (src/capture): classic pcap, pcapng, and either
 * under gzip. Each input is a whole file, pushed in chunks of a size chosen
 * from the input (1 byte to the whole file, so records straddle chunks) into
 * the push-based reader and on through a real Pipeline, then finished the way
 * processCaptureFile does even when the file breaks part-way. The gzip target
 * streams through readCaptureStream, the path `podtap read -` takes.
 *
 * Expected: CaptureFormatError (not a capture, corrupt, truncated). Nothing else.
 */
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { createCaptureReader, readCaptureBuffer, readCaptureStream } from '../../capture/open.js';
import { CaptureFormatError, type PacketRecord } from '../../capture/types.js';
import { pcapFile, pcapngFile, type WriteRecord } from '../../capture/writer.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { fixturePath } from '../../util/paths.js';
import { type MutateContext, mutateBytes } from '../bytes-mutate.js';
import { joinCapture, splitCapture } from '../capture-layout.js';
import { mutateCapture } from '../capture-mutate.js';
import { captureFixtures, spread } from '../library.js';
import { MAX_SEED_BYTES } from '../limits.js';
import type { FuzzTarget } from '../target.js';
import { consumeEntry } from './entries.js';
import { Redactor } from '../../hub/redact.js';
import { redactPackets } from '../../hub/redact-packets/index.js';

/** Push sizes; one is picked from the input's length and first bytes. */
const CHUNK_SIZES = [1, 3, 16, 100, 1000, 4096, 65536];
/** Compressed inputs are kept below this, so a well-compressed mutant stays a small file once inflated. */
const GZIP_MAX_INPUT_BYTES = 64 * 1024;
/** pcap files rewritten as pcapng (and in other pcap flavours) for seeds. */
const CONVERTED_SEEDS = 12;

const chunkFor = (b: Uint8Array): number => CHUNK_SIZES[(b.length + (b[b.length - 1] ?? 0)) % CHUNK_SIZES.length];
const isCaptureError = (e: unknown): boolean => e instanceof CaptureFormatError;

/** A capture cut after its last whole frame below MAX_SEED_BYTES. */
function cut(b: Uint8Array): Uint8Array {
  const l = splitCapture(b);
  if (l === null) return b.subarray(0, MAX_SEED_BYTES);
  let size = 0;
  const keep = l.frames.filter((f) => (size += f.length) <= MAX_SEED_BYTES || f === l.frames[0]);
  return joinCapture({ ...l, frames: keep }, false);
}

function records(b: Uint8Array): { linkType: number; recs: WriteRecord[] } {
  const recs: WriteRecord[] = [];
  let linkType = 1;
  readCaptureBuffer(b, { packet: (r: PacketRecord) => { linkType = r.linkType; recs.push({ ts: r.ts, data: Buffer.from(r.data), origLength: r.origLength }); } }, { tolerateTruncation: true });
  return { linkType, recs };
}

const isPcapng = (b: Uint8Array): boolean => b[0] === 0x0a && b[1] === 0x0d && b[2] === 0x0d && b[3] === 0x0a;
const fixtures = (ng: boolean): Uint8Array[] => captureFixtures().filter((c) => isPcapng(c.bytes) === ng).map((c) => cut(c.bytes));

function converted(ng: boolean): Uint8Array[] {
  return spread(fixtures(false), CONVERTED_SEEDS).map((b, i) => {
    const { linkType, recs } = records(b);
    if (!ng) return pcapFile(recs, { linkType, nanosecond: i % 2 === 0, bigEndian: i % 3 === 0, snaplen: i % 4 === 0 ? 96 : undefined });
    const ifs = [{ linkType, tsresol: i % 2 === 0 ? 9 : undefined, snaplen: i % 3 === 0 ? 128 : 0, name: 'eth0' }, { linkType: 101 }];
    return pcapngFile(ifs, recs, { bigEndian: i % 3 === 1, useSpb: i % 4 === 3 });
  });
}

function runReader(input: Uint8Array): void {
  const p = new Pipeline(consumeEntry);
  try {
    const reader = createCaptureReader(input.subarray(0, 64), p, { tolerateTruncation: (input.length & 1) === 0 });
    const step = chunkFor(input);
    for (let o = 0; o < input.length; o += step) reader.push(Buffer.from(input.buffer, input.byteOffset + o, Math.min(step, input.length - o)));
    reader.end();
  } finally {
    p.finish();
  }
}

function captureTarget(name: 'pcap' | 'pcapng', about: string): FuzzTarget {
  const ng = name === 'pcapng';
  return {
    name,
    about,
    seeds: () => spread([...fixtures(ng), ...converted(ng)]),
    mutate: (input, cx, rounds) => mutateCapture(input, cx, rounds),
    run: runReader,
    expected: isCaptureError,
  };
}

function mutateGzip(input: Uint8Array, cx: MutateContext, rounds: number): Uint8Array {
  let out: Uint8Array;
  let plain: Uint8Array | null = null;
  try { plain = gunzipSync(input, { maxOutputLength: GZIP_MAX_INPUT_BYTES * 4 }); } catch { /* not whole gzip: mutate the raw bytes */ }
  if (plain !== null && cx.rng.chance(0.75)) out = gzipSync(mutateCapture(plain, cx, rounds), { level: cx.rng.range(1, 9) });
  else {
    out = input;
    for (let k = 0; k < rounds; k++) out = mutateBytes(out, cx);
  }
  if (cx.rng.chance(0.05)) out = Buffer.concat([out, cx.other()]); // a second gzip member (or garbage after the first)
  return out.subarray(0, GZIP_MAX_INPUT_BYTES);
}

const gzipTarget: FuzzTarget = {
  name: 'gzip',
  about: 'gzipped pcap/pcapng streamed through gunzip into the readers (readCaptureStream)',
  seeds() {
    const raw = captureFixtures().filter((c) => c.gzipped).map((c) => readFileSync(fixturePath(c.path)));
    return spread([...raw, ...spread([...fixtures(false), ...fixtures(true)], 24).map((b) => gzipSync(b))]);
  },
  mutate: mutateGzip,
  async run(input) {
    const p = new Pipeline(consumeEntry);
    const half = input.length >> 1;
    const chunks = [Buffer.from(input.subarray(0, half)), Buffer.from(input.subarray(half))];
    try {
      await readCaptureStream(Readable.from(chunks, { objectMode: false }), 'fuzz input', p, { tolerateTruncation: (input.length & 1) === 0 });
    } finally {
      p.finish();
    }
  },
  expected: isCaptureError,
};

const exportRedactor = new Redactor();

/**
 * The packet export's redaction (`hub/redact-packets`): the records of a capture file, as a
 * worker's ring would answer them, rebuilt into streams, scanned by every masker and written
 * back. Besides not throwing, it must never change a record's length.
 */
const exportRedactTarget: FuzzTarget = {
  name: 'export-redact',
  about: 'pcapng export redaction: TCP streams rebuilt from the packets, every secret scanner (HTTP/1, HTTP/2 HPACK, PostgreSQL, MySQL, AMQP, MQTT, Redis, MongoDB), masks written back',
  seeds: () => spread(fixtures(false)),
  mutate: (input, cx, rounds) => mutateCapture(input, cx, rounds),
  run(input) {
    const recs: Array<{ ts: number; linkType: number; data: Buffer; origLength: number }> = [];
    try {
      readCaptureBuffer(input, { packet: (r: PacketRecord) => { recs.push({ ts: r.ts, linkType: r.linkType, data: Buffer.from(r.data), origLength: r.origLength }); } }, { tolerateTruncation: true });
    } catch (e) {
      if (!isCaptureError(e)) throw e;
    }
    const lengths = recs.map((r) => r.data.length);
    redactPackets(recs, exportRedactor);
    recs.forEach((r, i) => { if (r.data.length !== lengths[i]) throw new Error(`redaction changed record ${i}'s length`); });
  },
  expected: isCaptureError,
};

export const CAPTURE_TARGETS: readonly FuzzTarget[] = [
  captureTarget('pcap', 'classic pcap reader (both byte orders, µs/ns), records straddling chunks, into the pipeline'),
  captureTarget('pcapng', 'pcapng reader (SHB/IDB/EPB/SPB/PB, options, byte-order switches), into the pipeline'),
  gzipTarget,
  exportRedactTarget,
];

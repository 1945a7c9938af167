/**
 * The seed library: every capture file under fixtures/ (the ones the tests
 * use: per-protocol fixtures and the zeek/suricata/tcpdump corpora), read
 * once, deduplicated by content, and cut into the pieces targets start from.
 * Nothing is fetched from outside the repository.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fixturePath } from '../util/paths.js';
import { type Conversation, Option, decodeConversation, encodeConversation } from './conversation.js';
import { extractCapture, labelsOf, type Extracted } from './extract.js';
import { feedTcp, feedUdp } from './feed.js';
import { MAX_SEEDS_PER_TARGET, SEED_WINDOW_BYTES } from './limits.js';

/** Capture fixtures larger than this are skipped (none is today; a guard on start-up time). */
const MAX_FIXTURE_BYTES = 4 * 1024 * 1024;
const CAPTURE_NAME = /\.(pcap|pcapng|cap)(\.gz)?$/;

export interface CaptureFixture { path: string; gzipped: boolean; bytes: Uint8Array }
export interface LabeledConversation { labels: string[]; input: Uint8Array }

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'fuzz') walk(p, out); } else if (CAPTURE_NAME.test(name)) out.push(p);
  }
  return out;
}

let captures: CaptureFixture[] | undefined;

/** Every capture fixture (decompressed), once per distinct content, in path order. */
export function captureFixtures(): CaptureFixture[] {
  if (captures !== undefined) return captures;
  const root = fixturePath();
  const seen = new Set<string>();
  captures = [];
  for (const p of walk(root, [])) {
    if (statSync(p).size > MAX_FIXTURE_BYTES) continue;
    const raw = readFileSync(p);
    const gzipped = p.endsWith('.gz');
    let bytes: Uint8Array;
    try { bytes = gzipped ? gunzipSync(raw) : raw; } catch { continue; }
    const h = createHash('sha1').update(bytes).digest('hex');
    if (seen.has(h)) continue;
    seen.add(h);
    captures.push({ path: relative(root, p), gzipped, bytes });
  }
  return captures;
}

let extracted: Extracted[] | undefined;
const allExtracted = (): Extracted[] => (extracted ??= captureFixtures().map((c) => extractCapture(c.bytes)));

let tcpLabeled: LabeledConversation[] | undefined;
let udpLabeled: LabeledConversation[] | undefined;

const label = (cs: Conversation[], feed: typeof feedTcp): LabeledConversation[] =>
  cs.map((c) => ({ labels: labelsOf(c, feed), input: encodeConversation(c) }));

/**
 * A long conversation as windows of about SEED_WINDOW_BYTES: the first from the start (handshake
 * included), the others starting mid-stream as a capture that began late would. Small seeds make
 * fast executions; the later windows reach the dissectors' mid-stream paths.
 */
function windows(c: Conversation): Conversation[] {
  const out: Conversation[] = [];
  let current: Conversation | undefined;
  let bytes = 0;
  // Loopback captures carry segments of up to 64 KiB: cut those first.
  const pieces = c.segments.flatMap((s) => Array.from({ length: Math.max(1, Math.ceil(s.data.length / SEED_WINDOW_BYTES)) },
    (_, i) => ({ ...s, seq: (s.seq + i * SEED_WINDOW_BYTES) >>> 0, data: s.data.subarray(i * SEED_WINDOW_BYTES, (i + 1) * SEED_WINDOW_BYTES) })));
  for (const s of pieces) {
    if (current === undefined || bytes >= SEED_WINDOW_BYTES) {
      current = { ...c, options: out.length === 0 ? c.options : c.options & ~Option.HANDSHAKE, segments: [] };
      out.push(current);
      bytes = 0;
    }
    current.segments.push(s);
    bytes += s.data.length;
  }
  return out;
}

export function tcpConversations(): LabeledConversation[] {
  return (tcpLabeled ??= label(allExtracted().flatMap((e) => e.tcp), feedTcp)
    .flatMap((l) => windows(decodeConversation(l.input)).map((w) => ({ labels: l.labels, input: encodeConversation(w) }))));
}

export function udpConversations(): LabeledConversation[] {
  return (udpLabeled ??= label(allExtracted().flatMap((e) => e.udp), feedUdp));
}

export function icmpConversations(): Uint8Array[] {
  return allExtracted().flatMap((e) => e.icmp).map(encodeConversation);
}

export function fixtureFrames(): Extracted['frames'][] {
  return allExtracted().map((e) => e.frames).filter((f) => f.length > 0);
}

/** At most MAX_SEEDS_PER_TARGET distinct inputs, spread evenly over the list (so over the fixtures). */
export function spread(inputs: readonly Uint8Array[], max = MAX_SEEDS_PER_TARGET): Uint8Array[] {
  const seen = new Set<string>();
  const distinct = inputs.filter((b) => {
    const h = createHash('sha1').update(b).digest('hex');
    return !seen.has(h) && (seen.add(h), true);
  });
  if (distinct.length <= max) return distinct;
  return Array.from({ length: max }, (_, i) => distinct[Math.floor((i * distinct.length) / max)]);
}

/** TCP conversations that gave entries of any of `protocols`. */
export function tcpSeeds(protocols: readonly string[]): Uint8Array[] {
  return spread(tcpConversations().filter((c) => c.labels.some((l) => protocols.includes(l))).map((c) => c.input));
}

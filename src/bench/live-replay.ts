/**
 * The replay load of the live benchmark: wrk and nginx share one core with
 * the kernel's veth work and top out below the rate the issue asks for, so
 * this row replays the recorded keep-alive HTTP capture (real nginx ← wrk
 * traffic, see record-http.ts) with tcpreplay out of a client pod's eth0 at
 * a chosen rate. Each repetition of the recording becomes fresh connections
 * (ports remapped, see rewrite.ts) between the lab's `replay-client` and
 * `replay-server` pods. Every frame is addressed to the server pod's MAC, so
 * the node bridge forwards it to the server's veth: both veths see every
 * packet, as in a real same-node call. The bridge gets the server's MAC as
 * a static entry: a silent pod's MAC is never learned, and the bridge would
 * flood its frames to every port, back out of the client's too (the lab's
 * ports are in hairpin mode, as kubenet sets them), where the dedup layer
 * counts each of them as a duplicate. The server pod drops the frames: inbound TCP in iptables (no RSTs for
 * connections it never opened), the rest is not addressed to it. Ground
 * truth for entries: the recording's wrk counts times the repetitions.
 */
import { open } from 'node:fs/promises';
import type { ClusterLab } from '../lab/cluster/lab.js';
import { which } from '../lab/proc.js';
import { ipv4ToUint32 } from '../cluster/ip-text.js';
import { repeatCapture } from './big.js';
import { PCAP_HEADER_BYTES, RECORD_HEADER_BYTES, parsePcapHeader } from './pcap-file.js';
import type { WrkCounts } from './http-load.js';

/** Extra wall time tcpreplay gets beyond packets ÷ rate before it is killed. */
const REPLAY_GRACE_MS = 60_000;
/** Bytes read from the start of the recording to find its two addresses. */
const PROBE_BYTES = 1 << 20;

export function replaySkipReason(): string | undefined {
  return which('tcpreplay') === undefined ? 'missing tools: tcpreplay (npm run bench:deps)' : undefined;
}

/** Client and server IPv4 of a recording of one client talking to `serverPort` on one server. */
export async function recordingEndpoints(file: string, serverPort: number): Promise<{ client: string; server: string }> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(PROBE_BYTES);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    const h = parsePcapHeader(b.subarray(0, bytesRead));
    if (h.linkType !== 1) throw new Error(`${file}: replay needs an Ethernet capture (link type ${h.linkType})`);
    const u32 = (o: number): number => (h.littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const ip = (o: number): string => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
    for (let off = PCAP_HEADER_BYTES; off + RECORD_HEADER_BYTES <= bytesRead;) {
      const p = off + RECORD_HEADER_BYTES;
      const caplen = u32(off + 8);
      off = p + caplen;
      if (off > bytesRead || caplen < 14 + 20 + 4 || b.readUInt16BE(p + 12) !== 0x0800 || b[p + 23] !== 6) continue;
      const l4 = p + 14 + (b[p + 14]! & 0x0f) * 4;
      if (b.readUInt16BE(l4 + 2) === serverPort) return { client: ip(p + 26), server: ip(p + 30) };
      if (b.readUInt16BE(l4) === serverPort) return { client: ip(p + 30), server: ip(p + 26) };
    }
    throw new Error(`${file}: no TCP packet to or from port ${serverPort} in its first ${PROBE_BYTES} bytes`);
  } finally {
    await fh.close();
  }
}

export interface ReplayFile {
  file: string;
  repetitions: number;
  packets: number;
  bytes: number;
  /** The recording's wrk counts times the repetitions: what the workers must find. */
  expected: WrkCounts;
}

async function macOf(lab: ClusterLab, pod: string): Promise<Buffer> {
  const p = lab.pod(pod);
  const r = await lab.exec(pod, ['cat', `/sys/class/net/${p.iface}/address`]);
  const mac = Buffer.from(r.stdout.trim().replace(/:/g, ''), 'hex');
  if (mac.length !== 6) throw new Error(`${pod}: cannot read the MAC of ${p.iface} (${r.stdout.trim()})`);
  return mac;
}

/**
 * Writes the replay file: enough whole repetitions of `recording` for
 * `packets` packets, addresses rewritten to `clientPod` ↔ `serverPod`,
 * every frame to the server pod's MAC.
 */
export async function buildReplayFile(lab: ClusterLab, o: {
  recording: string; recordingPackets: number; wrk: WrkCounts; serverPort: number;
  clientPod: string; serverPod: string; serverMac: Buffer; packets: number; file: string; log: (l: string) => void;
}): Promise<ReplayFile> {
  const ends = await recordingEndpoints(o.recording, o.serverPort);
  const client = ipv4ToUint32(lab.pod(o.clientPod).ip);
  const server = ipv4ToUint32(lab.pod(o.serverPod).ip);
  const ipMap = new Map([[ipv4ToUint32(ends.client), client], [ipv4ToUint32(ends.server), server]]);
  const dstMac = new Map([[server, o.serverMac], [client, o.serverMac]]);
  const repetitions = Math.max(1, Math.ceil(o.packets / Math.max(1, o.recordingPackets)));
  const info = await repeatCapture(o.recording, o.file, { repetitions, rewrite: { ipMap, dstMac }, log: o.log });
  if (info.notRewritten > 0) throw new Error(`${o.recording}: ${info.notRewritten} packets are not Ethernet/IPv4 TCP and cannot be replayed`);
  const w = o.wrk;
  const n = info.repetitions;
  const expected: WrkCounts = { sent: w.sent * n, completed: w.completed * n, reported: w.reported * n, non2xx: w.non2xx * n, socketErrors: w.socketErrors };
  return { file: o.file, repetitions: n, packets: info.packets, bytes: info.bytes, expected };
}

/**
 * Makes `serverPod` drop inbound TCP (it answers replayed segments with
 * nothing, not RSTs) and pins its MAC to its veth in the node's bridge.
 * Returns that MAC (the replay file's frames go to it).
 */
export async function prepareReplayServer(lab: ClusterLab, serverPod: string): Promise<Buffer> {
  const p = lab.pod(serverPod);
  await lab.exec(serverPod, ['iptables', '-w', '-A', 'INPUT', '-p', 'tcp', '-j', 'DROP']);
  const mac = await macOf(lab, serverPod);
  const text = [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
  await lab.exec(p.node, ['bridge', 'fdb', 'replace', text, 'dev', p.hostVeth, 'master', 'static']);
  return mac;
}

export interface ReplayRun {
  pps: number;
  argv: string[];
  wallSeconds: number;
  /** tcpreplay's own counts. */
  sent: number;
  failed: number;
}

/** Parses tcpreplay's summary ("Actual: N packets … sent in S seconds", "Failed packets: F"). */
export function parseTcpreplay(out: string): { sent: number; failed: number; seconds: number } {
  const actual = /Actual: (\d+) packets \(\d+ bytes\) sent in ([\d.]+) seconds/.exec(out);
  if (!actual) throw new Error(`tcpreplay printed no summary: ${out.trim().slice(0, 400)}`);
  const failed = /Failed packets:\s+(\d+)/.exec(out);
  return { sent: Number(actual[1]), seconds: Number(actual[2]), failed: failed ? Number(failed[1]) : 0 };
}

/** Replays `file` out of `pod`'s interface at `pps`, pinned to `cpu`. */
export async function runTcpreplay(lab: ClusterLab, pod: string, file: ReplayFile, o: { pps: number; cpu: string }): Promise<ReplayRun> {
  const argv = ['taskset', '-c', o.cpu, 'tcpreplay', '-i', lab.pod(pod).iface, `--pps=${o.pps}`, '--no-flow-stats', file.file];
  const started = process.hrtime.bigint();
  const r = await lab.exec(pod, argv, { timeoutMs: (1000 * file.packets) / o.pps + REPLAY_GRACE_MS });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const s = parseTcpreplay(`${r.stdout}\n${r.stderr}`);
  return { pps: o.pps, argv, wallSeconds, sent: s.sent, failed: s.failed };
}

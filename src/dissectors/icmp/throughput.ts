/**
 * Throughput of ICMP entries through the whole pipeline:
 * `node dist/dissectors/icmp/throughput.js [rounds]`. Replays the real
 * capture (fixtures/icmp/lo-ping.pcap, 13 packets) `rounds` times into one
 * pipeline, each round 1 ms later (its unanswered request repeats, so each
 * round also takes the repeated-request path); then 200,000 synthetic echo
 * pairs (64-byte payloads). Prints packets/s.
 */
import { readCaptureFile } from '../../capture/open.js';
import type { PacketRecord } from '../../capture/types.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { icmpFrame } from './test-packets.js';

function replay(records: PacketRecord[], rounds: number, label: string): void {
  let entries = 0;
  const p = new Pipeline(() => { entries++; });
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (const rec of records) p.packet({ ...rec, ts: rec.ts + r });
  }
  p.finish();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const packets = records.length * rounds;
  console.log(`${label}: ${packets} packets, ${entries} entries, ${(packets / s / 1e6).toFixed(2)} M packets/s`);
}

const rounds = Number(process.argv[2] ?? 20_000);
const real: PacketRecord[] = [];
await readCaptureFile(new URL('../../../fixtures/icmp/lo-ping.pcap', import.meta.url).pathname, {
  packet: (r: PacketRecord) => { real.push({ ...r, data: Uint8Array.from(r.data) }); }, // copy: the reader reuses its buffer
});
replay(real, rounds, 'lo-ping.pcap');
const synth: PacketRecord[] = [];
for (let i = 0; i < 200_000; i++) {
  const id = i >> 16, seq = i & 0xffff;
  for (const [src, dst, type] of [['10.0.0.1', '10.0.0.2', 8], ['10.0.0.2', '10.0.0.1', 0]] as const) {
    const data = icmpFrame({ src, dst, type, identifier: id, sequence: seq, payload: Buffer.alloc(56) });
    synth.push({ ts: 1_700_000_000_000 + i * 0.01, linkType: 1, iface: 0, data, origLength: data.length });
  }
}
replay(synth, 1, 'synthetic echo pairs');

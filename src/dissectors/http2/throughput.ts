/**
 * Throughput of the HTTP/2 dissector through the whole pipeline:
 * `node dist/dissectors/http2/throughput.js [rounds]`.
 *   1. real captures (fixtures/http2/*.pcap) read once into memory, replayed
 *      `rounds` times into fresh pipelines (Huffman-coded HPACK from nghttp2
 *      and Node, large DATA);
 *   2. a synthetic connection of 20,000 small exchanges (HPACK indexed
 *      repeats, one DATA frame each), 1460-byte segments.
 * Prints packets/s and MB/s of captured bytes for each.
 */
import { join } from 'node:path';
import { readCaptureFile } from '../../capture/open.js';
import type { PacketRecord } from '../../capture/types.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { tcpConversation } from '../../testing/packets.js';
import { TestEncoder, exchange, http2Registry } from './test-support.js';

function run(records: PacketRecord[], rounds: number): { packets: number; bytes: number; entries: number; seconds: number } {
  let entries = 0;
  let bytes = 0;
  const registry = http2Registry();
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    const p = new Pipeline(() => { entries++; }, {}, registry);
    for (const rec of records) { p.packet(rec); bytes += rec.data.length; }
    p.finish();
  }
  return { packets: records.length * rounds, bytes, entries, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

function report(name: string, x: ReturnType<typeof run>): void {
  console.log(`${name}: ${x.packets} packets, ${x.entries} entries in ${x.seconds.toFixed(3)} s = ${Math.round(x.packets / x.seconds)} packets/s, ${(x.bytes / x.seconds / 1e6).toFixed(1)} MB/s`);
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 200);
  for (const name of ['node-h2c', 'sv-http2-keywords', 'grpc-js']) {
    const records: PacketRecord[] = [];
    await readCaptureFile(join(process.cwd(), 'fixtures', 'http2', `${name}.pcap`), {
      packet: (rec) => records.push({ ...rec, data: Uint8Array.prototype.slice.call(rec.data) }), // copy: the reader reuses its buffer
    });
    run(records, 5); // warm-up
    report(`${name}.pcap x${rounds}`, run(records, rounds));
  }
  const ce = new TestEncoder();
  const se = new TestEncoder();
  const exchanges: Array<[Buffer, Buffer]> = [];
  for (let i = 0; i < 20_000; i++) {
    const x = exchange(ce, se, 1 + 2 * i, { first: i === 0, path: `/api/items/${i % 50}`, resBody: `{"id":${i % 50},"name":"item"}`, ctype: 'application/json' });
    exchanges.push([x.client, x.server]);
  }
  const frames = tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40_000, sport: 80, exchanges });
  const records = frames.map((data, i): PacketRecord => ({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }));
  run(records, 1);
  report('synthetic 20,000 exchanges x3', run(records, 3));
}

await main();

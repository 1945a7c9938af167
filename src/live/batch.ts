/**
 * Turns one batch from the addon into PacketRecords for a PacketSink.
 *
 * Layout (native/pcap/src/batch.h; host byte order, little-endian): `count`
 * records back to back, each starting at an 8-byte aligned offset:
 *
 *   +0  u32 caplen   +4 u32 origlen   +8 f64 ts (ms since epoch)   +16 caplen bytes, pad to 8
 *
 * Allocation per packet: only the `data` view (as in the file readers); the
 * record object is reused. Records are delivered synchronously and in order;
 * `rec.data` is valid only during `sink.packet()` (the batch is detached or
 * reused afterwards), so a sink that keeps bytes copies them.
 */
import type { PacketRecord, PacketSink } from '../capture/types.js';

export const RECORD_HEADER_BYTES = 16;

export interface BatchCounters {
  packets: number;
  /** Captured bytes delivered. */
  bytes: number;
  /** Batches whose framing did not add up (never expected; delivery stops at the bad record). */
  malformedBatches: number;
}

export class BatchDecoder {
  private readonly rec: PacketRecord = { ts: 0, linkType: 0, iface: 0, data: new Uint8Array(0), origLength: 0 };

  constructor(private readonly sink: PacketSink, readonly counters: BatchCounters, iface = 0) {
    this.rec.iface = iface;
  }

  deliver(batch: ArrayBuffer, count: number, linkType: number): void {
    const len = batch.byteLength;
    const u8 = new Uint8Array(batch);
    const u32 = new Uint32Array(batch, 0, len >>> 2);
    const f64 = new Float64Array(batch, 0, len >>> 3);
    const rec = this.rec;
    const c = this.counters;
    rec.linkType = linkType;
    let o = 0;
    for (let i = 0; i < count; i++) {
      if (o + RECORD_HEADER_BYTES > len) { c.malformedBatches++; return; }
      const caplen = u32[o >>> 2]!;
      const start = o + RECORD_HEADER_BYTES;
      if (start + caplen > len) { c.malformedBatches++; return; }
      rec.origLength = u32[(o >>> 2) + 1]!;
      rec.ts = f64[(o >>> 3) + 1]!;
      rec.data = u8.subarray(start, start + caplen);
      c.packets++;
      c.bytes += caplen;
      this.sink.packet(rec);
      o = (start + caplen + 7) & ~7;
    }
  }
}

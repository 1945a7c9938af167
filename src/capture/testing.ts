/** Test helpers for capture readers: a sink that keeps copies of what it is given. */
import type { PacketRecord, PacketSink } from './types.js';

export interface CollectedRecord {
  ts: number;
  linkType: number;
  iface: number;
  data: Buffer;
  origLength: number;
}

/** A sink that copies every record (the reader's record and bytes are only valid during the call). */
export function collector(): PacketSink & { records: CollectedRecord[]; seen: Set<PacketRecord> } {
  const records: CollectedRecord[] = [];
  const seen = new Set<PacketRecord>();
  return {
    records,
    seen,
    packet(r) {
      seen.add(r);
      records.push({ ts: r.ts, linkType: r.linkType, iface: r.iface, data: Buffer.from(r.data), origLength: r.origLength });
    },
  };
}

/** `n` distinct payloads of varied lengths (0..maxLen), deterministic. */
export function payloads(n: number, maxLen = 300): Buffer[] {
  const out: Buffer[] = [];
  let x = 12345;
  for (let i = 0; i < n; i++) {
    const len = i === 0 ? 0 : (i * 37) % (maxLen + 1);
    const b = Buffer.alloc(len);
    for (let j = 0; j < len; j++) b[j] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    out.push(b);
  }
  return out;
}

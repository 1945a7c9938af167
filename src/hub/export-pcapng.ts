/**
 * `GET /api/export.pcapng`: the original packets of the connections behind
 * the matching entries, fetched from the workers' packet rings, as one
 * pcapng file: one interface per (node, link type), named after the node,
 * packets in time order across nodes.
 */
import type { Entry } from '../entries/types.js';
import type { FlowQuery } from '../worker/packet-ring.js';
import { ringRecords } from '../worker/packet-ring.js';
import { epbBlock, idbBlock, shbBlock, type PcapngInterface } from '../capture/writer.js';
import type { Redactor } from './redact.js';
import { redactPackets, type PacketRedaction } from './redact-packets/index.js';

/** Connections one export asks for at most. */
export const MAX_EXPORT_FLOWS = 20_000;
/** A connection's packets are looked for this long before its first entry and after its last (handshake, close). */
export const FLOW_MARGIN_MS = 60_000;

/** Group the entries' connections by the node that captured them, with a time window each. */
export function flowsByNode(rows: Iterable<{ entry: Entry; node: string }>): { byNode: Map<string, FlowQuery[]>; truncated: boolean } {
  const flows = new Map<string, { node: string; q: FlowQuery }>();
  let truncated = false;
  for (const { entry: e, node } of rows) {
    if (node === '') continue; // not from a worker: no packets to fetch
    if (e.transport === 'icmp') continue; // the worker's packet ring keeps TCP and UDP only (worker/packet-ring.ts)
    const key = `${node}\u0000${e.connectionId}\u0000${e.src.ip}:${e.src.port}\u0000${e.dst.ip}:${e.dst.port}`;
    const end = e.timestamp + e.elapsedTime;
    const f = flows.get(key);
    if (f !== undefined) {
      f.q.from = Math.min(f.q.from, e.timestamp - FLOW_MARGIN_MS);
      f.q.to = Math.max(f.q.to, end + FLOW_MARGIN_MS);
      continue;
    }
    if (flows.size >= MAX_EXPORT_FLOWS) { truncated = true; break; }
    flows.set(key, { node, q: { a: e.src.ip, ap: e.src.port, b: e.dst.ip, bp: e.dst.port, proto: e.transport, from: e.timestamp - FLOW_MARGIN_MS, to: end + FLOW_MARGIN_MS } });
  }
  const byNode = new Map<string, FlowQuery[]>();
  for (const { node, q } of flows.values()) (byNode.get(node) ?? byNode.set(node, []).get(node)!).push(q);
  return { byNode, truncated };
}

/**
 * The pcapng file of the workers' answers. With a redactor that is on, the
 * packets' secrets are masked first (`redact-packets/`), in place.
 */
export function buildPcapng(answers: ReadonlyArray<{ node: string; records: Buffer }>, redactor?: Redactor): { file: Buffer; redaction: PacketRedaction } {
  const ifaces: PcapngInterface[] = [];
  const ifaceIndex = new Map<string, number>();
  const recs: Array<{ ts: number; linkType: number; data: Buffer; origLength: number; iface: number }> = [];
  for (const a of answers) {
    for (const r of ringRecords(a.records)) {
      const key = `${a.node}\u0000${r.linkType}`;
      let i = ifaceIndex.get(key);
      if (i === undefined) {
        i = ifaces.length;
        ifaces.push({ linkType: r.linkType, name: a.node, tsresol: 9 });
        ifaceIndex.set(key, i);
      }
      recs.push({ ts: r.ts, linkType: r.linkType, data: r.data, origLength: r.origLength, iface: i });
    }
  }
  recs.sort((x, y) => x.ts - y.ts);
  const redaction = redactor === undefined ? { values: 0, packets: 0 } : redactPackets(recs, redactor);
  const parts: Buffer[] = [shbBlock(), ...ifaces.map((i) => idbBlock(i))];
  for (const r of recs) parts.push(epbBlock({ ts: r.ts, data: r.data, origLength: r.origLength, iface: r.iface }, ifaces[r.iface]!));
  return { file: Buffer.concat(parts), redaction };
}

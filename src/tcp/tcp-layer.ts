/**
 * The TCP layer: finds or creates the connection of each segment, feeds the
 * two half-streams, and tears connections down on FIN/RST, idle timeout,
 * the connection limit, or the end of the capture.
 *
 * A connection is created only by a SYN or a segment carrying payload, so
 * stray ACKs after a close never resurrect one. A SYN on a tuple whose
 * connection already carried data starts a new connection (port reuse).
 *
 * Past `maxConnections` one connection is evicted per new one, chosen by
 * second chance (CLOCK): from the oldest, a connection that saw a packet
 * after its first since the last pass is moved to the young end and spared
 * once. A flood of SYNs or single segments (one packet per tuple) thus
 * evicts its own half-open connections before any live one. Evictions are
 * counted as `limitsHit.maxConnections`.
 */
import type { IpPacket } from '../layers/ip.js';
import { FlowTable, flowHash, type Dir } from '../flows/flow-table.js';
import { Reassembler, type ReassemblyLimits, type ReassemblyStats } from './reassembly.js';
import { ConnState, TcpConnection, type ConnectionHost } from './connection.js';

export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export interface TcpLayerLimits extends ReassemblyLimits {
  tcpIdleTimeoutMs: number;
  maxConnections: number;
}

export interface TcpLayerStats extends ReassemblyStats {
  tcp: number;
  connections: number;
  decodeErrors: number;
}

export class TcpLayer {
  readonly table = new FlowTable<TcpConnection>();
  private readonly reassembler: Reassembler;
  private nextId = 0;

  constructor(private readonly limits: TcpLayerLimits, private readonly stats: TcpLayerStats,
              private readonly host: ConnectionHost, private readonly idPrefix = 'c') {
    this.reassembler = new Reassembler(limits, stats);
  }

  /** One TCP segment: the header starts at p.l4Off in p.l4Buf. `wireL4Len` counts bytes the snap length cut. */
  segment(p: IpPacket, wireL4Len: number, ts: number): void {
    const d = p.l4Buf;
    const o = p.l4Off;
    const end = o + p.l4Len;
    this.stats.tcp++;
    if (p.l4Len < 20) { this.stats.decodeErrors++; return; }
    const hdr = (d[o + 12] >> 4) * 4;
    if (hdr < 20 || o + hdr > end) { this.stats.decodeErrors++; return; }
    const sport = (d[o] << 8) | d[o + 1];
    const dport = (d[o + 2] << 8) | d[o + 3];
    const seq = ((d[o + 4] << 24) | (d[o + 5] << 16) | (d[o + 6] << 8) | d[o + 7]) >>> 0;
    const ack = ((d[o + 8] << 24) | (d[o + 9] << 16) | (d[o + 10] << 8) | d[o + 11]) >>> 0;
    const flags = d[o + 13];
    const payloadLen = p.l4Len - hdr;
    const missing = Math.max(0, wireL4Len - p.l4Len);

    const hash = flowHash(p, sport, dport);
    let conn = this.table.find(hash, p, sport, dport);
    let dir: Dir = this.table.lastDir;
    const syn = (flags & TcpFlag.SYN) !== 0;
    if (conn !== null && syn && (flags & TcpFlag.ACK) === 0 && (conn.halves[0].delivered > 0 || conn.halves[1].delivered > 0
      || conn.halves[dir].ended)) {
      this.close(conn, ts); // port reuse: a new connection on the same tuple
      conn = null;
    }
    if (conn === null) {
      if (!syn && payloadLen + missing === 0) return; // stray ACK/FIN/RST of a connection we do not track
      conn = this.open(hash, p, sport, dport, ts);
      dir = 0;
    } else conn.recent = true;
    conn.lastSeen = ts;
    const h = conn.halves[dir];
    if (syn) {
      if (conn.clientDir === -1) conn.clientDir = (flags & TcpFlag.ACK) === 0 ? dir : dir === 0 ? 1 : 0;
      this.reassembler.syn(h, seq);
    }
    const r = this.reassembler;
    if (payloadLen + missing > 0 || (flags & TcpFlag.FIN) !== 0) {
      const dataSeq = syn ? (seq + 1) >>> 0 : seq;
      r.segment(h, dir, dataSeq, d.subarray(o + hdr, end), missing, (flags & TcpFlag.FIN) !== 0, ts, conn);
    }
    if ((flags & TcpFlag.ACK) !== 0) {
      const other = conn.halves[dir === 0 ? 1 : 0];
      if (other.pending.length > 0) r.acked(other, dir === 0 ? 1 : 0, ack, ts, conn);
    }
    if ((flags & TcpFlag.RST) !== 0 || (conn.halves[0].ended && conn.halves[1].ended)) this.close(conn, ts);
  }

  private open(hash: number, p: IpPacket, sport: number, dport: number, ts: number): TcpConnection {
    if (this.table.size >= this.limits.maxConnections) {
      const victim = this.victim();
      if (victim !== undefined) {
        this.stats.limitsHit.maxConnections = (this.stats.limitsHit.maxConnections ?? 0) + 1;
        this.close(victim, ts);
      }
    }
    const conn = new TcpConnection(hash, p, sport, dport, ts, `${this.idPrefix}${++this.nextId}`, this.host);
    this.table.add(conn);
    this.stats.connections++;
    return conn;
  }

  /** The connection to evict: the oldest not seen again since the last pass (second chance). */
  private victim(): TcpConnection | undefined {
    for (let n = this.table.size; n > 0; n--) {
      const c = this.table.oldest()!;
      if (!c.recent) return c;
      c.recent = false;
      this.table.requeue(c);
    }
    return this.table.oldest();
  }

  /**
   * Memory pressure: deliver the out-of-order bytes buffered by the oldest
   * connections (holes become gaps) until at least `bytes` are freed.
   * Returns the bytes freed.
   */
  shedBuffered(bytes: number): number {
    const before = this.reassembler.bufferedBytes;
    for (const conn of this.table.all) {
      if (before - this.reassembler.bufferedBytes >= bytes) break;
      for (const dir of [0, 1] as const) {
        const h = conn.halves[dir];
        if (h.pending.length > 0) this.reassembler.flush(h, dir, conn.lastSeen, conn);
      }
      if (conn.halves[0].ended && conn.halves[1].ended) this.close(conn, conn.lastSeen); // deleting while iterating a Set is safe
    }
    return before - this.reassembler.bufferedBytes;
  }

  /**
   * Memory pressure: close the `n` connections that have been quiet the
   * longest (their pending exchanges become entries). A sort of every
   * connection: called at most once per memory check, not per packet.
   */
  closeIdlest(n: number, ts: number): number {
    if (n <= 0) return 0;
    const quiet = [...this.table.all].sort((a, b) => a.lastSeen - b.lastSeen).slice(0, n);
    for (const conn of quiet) this.close(conn, ts);
    return quiet.length;
  }

  /** Flush both directions (holes become gaps), tell the dissector, forget the connection. */
  close(conn: TcpConnection, ts: number): void {
    if (conn.state === ConnState.Closed) return;
    this.table.remove(conn);
    for (const dir of [0, 1] as const) this.reassembler.flush(conn.halves[dir], dir, ts, conn);
    conn.finish(ts);
  }

  /** Close connections idle for longer than the timeout (capture time). */
  expire(now: number): void {
    for (const conn of this.table.all) {
      if (now - conn.lastSeen > this.limits.tcpIdleTimeoutMs) this.close(conn, now);
    }
  }

  /** End of capture: close everything still open, oldest first. */
  closeAll(ts: number): void {
    for (const conn of [...this.table.all]) this.close(conn, ts);
  }

  get bufferedBytes(): number { return this.reassembler.bufferedBytes; }
}

/**
 * ICMP binding: echo requests wait in a pending map for their reply (paired
 * by identifier, sequence and the two addresses, reversed); errors become an
 * entry each. Lifecycle:
 *  1. `packet()` for every unfragmented or reassembled ICMP/ICMPv6 datagram.
 *  2. A reply takes its request out of the map → one entry with both.
 *     A reply with no request → an entry with `no-request`.
 *  3. A request waits until its reply, `expire()` (idle longer than
 *     `udpIdleTimeoutMs`), `closeAll()` at the end, or eviction when the map
 *     is full (MAX_PENDING_ECHOES, counted in limitsHit.icmp_pending_echoes):
 *     then it becomes an entry with `no-response`.
 * Other messages (neighbor discovery, router adverts, timestamps) are only
 * counted by the pipeline. ICMP volume is low: keys are strings made per packet.
 */
import type { Endpoint, Entry, EntryFlag } from '../../entries/types.js';
import type { IpPacket } from '../../layers/ip.js';
import { IpProto } from '../../layers/ip.js';
import { formatIp } from '../../layers/address.js';
import { elapsedMs } from '../../entries/time.js';
import type { IcmpEntry, IcmpMessage } from './entry.js';
import { ICMP_HEADER_BYTES, decodeIcmp, kindOf } from './parser.js';

/** Echo requests waiting for a reply, across all hosts; the oldest is emitted as no-response past it. */
export const MAX_PENDING_ECHOES = 4096;

export interface IcmpHost {
  /** Idle time (ms, capture time) after which an unanswered request is emitted. */
  readonly timeoutMs: number;
  readonly idPrefix: string;
  emit(e: Entry): void;
  weird(name: string): void;
  limitHit(name: string): void;
}

interface PendingEcho {
  ts: number;
  request: IcmpMessage;
  src: string;
  dst: string;
  flags: EntryFlag[];
}

export class IcmpLayer {
  private readonly pending = new Map<string, PendingEcho>();
  private nextId = 0;

  constructor(private readonly host: IcmpHost) {}

  /** Entries waiting for a reply (for tests and stats). */
  get pendingCount(): number { return this.pending.size; }

  /** One ICMP or ICMPv6 message: `p` as decoded by the IP layer; `wireLen` is its length on the wire. */
  packet(p: IpPacket, wireLen: number, ts: number): void {
    const v6 = p.protocol === IpProto.ICMPV6;
    if (p.l4Len < ICMP_HEADER_BYTES) { this.host.weird('icmp_truncated_header'); return; }
    const d = p.l4Buf.subarray(p.l4Off, p.l4Off + p.l4Len); // view; decodeIcmp copies what it keeps
    const kind = kindOf(v6, d[0]);
    if (kind === 'other') return;
    const msg = decodeIcmp(d, v6, wireLen, kind);
    const src = formatIp(p.addrBuf, p.srcOff, p.addrLen);
    const dst = formatIp(p.addrBuf, p.dstOff, p.addrLen);
    const flags: EntryFlag[] = p.truncated ? ['truncated'] : [];
    if (kind === 'echo-request') {
      const key = `${src}>${dst}#${msg.identifier}:${msg.sequence}`;
      const old = this.pending.get(key);
      if (old !== undefined) { this.pending.delete(key); this.noResponse(old); this.host.weird('icmp_repeated_echo_request'); }
      if (this.pending.size >= MAX_PENDING_ECHOES) this.evictOldest();
      this.pending.set(key, { ts, request: msg, src, dst, flags });
      return;
    }
    if (kind === 'echo-reply') {
      const key = `${dst}>${src}#${msg.identifier}:${msg.sequence}`;
      const req = this.pending.get(key);
      if (req === undefined) {
        flags.push('no-request');
        this.emit(ts, 0, dst, src, msg.identifier, null, msg, flags);
        return;
      }
      this.pending.delete(key);
      for (const f of flags) if (!req.flags.includes(f)) req.flags.push(f);
      this.emit(req.ts, elapsedMs(req.ts, ts), req.src, req.dst, msg.identifier, req.request, msg, req.flags);
      return;
    }
    // Error: the host that sent the original packet is the client, the reporter the server.
    this.emit(ts, 0, dst, src, null, null, msg, flags);
  }

  /** Emit requests idle longer than the timeout (insertion order is age order). */
  expire(ts: number): void {
    for (const [key, p] of this.pending) {
      if (ts - p.ts < this.host.timeoutMs) break;
      this.pending.delete(key);
      this.noResponse(p);
    }
  }

  /** End of input: every waiting request becomes a no-response entry. */
  closeAll(): void {
    for (const p of this.pending.values()) this.noResponse(p);
    this.pending.clear();
  }

  private evictOldest(): void {
    for (const [key, p] of this.pending) {
      this.pending.delete(key);
      this.noResponse(p);
      this.host.limitHit('icmp_pending_echoes');
      return;
    }
  }

  private noResponse(p: PendingEcho): void {
    if (!p.flags.includes('no-response')) p.flags.push('no-response');
    this.emit(p.ts, 0, p.src, p.dst, p.request.identifier, p.request, null, p.flags);
  }

  private emit(ts: number, elapsed: number, client: string, server: string, identifier: number | null,
    request: IcmpMessage | null, response: IcmpMessage | null, flags: EntryFlag[]): void {
    const src: Endpoint = { ip: client, port: 0 };
    const dst: Endpoint = { ip: server, port: 0 };
    const connectionId = `${this.host.idPrefix}i:${client}>${server}${identifier === null ? '' : `#${identifier}`}`;
    const e: IcmpEntry = {
      id: `${this.host.idPrefix}i${this.nextId++}`,
      protocol: 'icmp',
      transport: 'icmp',
      timestamp: ts,
      elapsedTime: elapsed,
      src, dst, connectionId, flags, request, response,
    };
    this.host.emit(e);
  }
}

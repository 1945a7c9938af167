import type { Entry } from '../entries/types.js';
import type { DissectorOptions } from '../dissectors/types.js';

export interface PipelineOptions extends DissectorOptions {
  /** Close TCP connections idle for this long (ms of capture time). */
  tcpIdleTimeoutMs: number;
  /** Forget UDP flows (and pending DNS queries) idle for this long (ms). */
  udpIdleTimeoutMs: number;
  /** Out-of-order bytes buffered per connection direction before a gap is declared (each segment also counts SEGMENT_OVERHEAD_BYTES). */
  maxBufferedBytesPerStream: number;
  /** Out-of-order bytes buffered across all connections (overheads included). */
  maxBufferedBytesTotal: number;
  /** Open TCP connections (and, apart, UDP flows) tracked at once; past it one is evicted per new one (tcp-layer.ts). */
  maxConnections: number;
  /** Incomplete IP datagrams kept for fragment reassembly. */
  maxFragmentDatagrams: number;
  /** Bytes held in incomplete IP datagrams, all together (buffers and bookkeeping). */
  maxFragmentBytesTotal: number;
  /** Put before every connection id (and so every entry id): a worker's `<node>.<run>.` makes ids unique cluster-wide. */
  idPrefix: string;
}

/** Counters of one run; every limit hit and every anomaly shows up here. */
export interface PipelineStats {
  packets: number;
  bytes: number;
  /** Records whose link type we cannot decode (skipped, counted per type). */
  unknownLinkType: Record<string, number>;
  decodeErrors: number;
  ipv4: number;
  ipv6: number;
  tcp: number;
  udp: number;
  icmp: number;
  icmpv6: number;
  otherIp: number;
  fragments: number;
  fragmentsReassembled: number;
  fragmentsDropped: number;
  connections: number;
  udpFlows: number;
  /** Bytes retransmitted or overlapping data already delivered (first copy wins). */
  tcpRetransmittedBytes: number;
  tcpOverlapBytes: number;
  tcpOutOfOrderSegments: number;
  gaps: number;
  gapBytes: number;
  /** Connections with no dissector matched. */
  undetectedStreams: number;
  entries: number;
  entriesByProtocol: Record<string, number>;
  /** Named anomalies (Zeek "weirds") and limits hit, by name. */
  weirds: Record<string, number>;
  limitsHit: Record<string, number>;
}

export interface PipelineResult {
  entries: Entry[];
  stats: PipelineStats;
}

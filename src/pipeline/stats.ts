import type { PipelineOptions, PipelineStats } from './types.js';
import { DEFAULT_DISSECTOR_OPTIONS } from '../dissectors/types.js';
import { MAX_FRAGMENT_BYTES_TOTAL, MAX_FRAGMENT_DATAGRAMS } from '../layers/fragments.js';

export const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = {
  ...DEFAULT_DISSECTOR_OPTIONS,
  tcpIdleTimeoutMs: 5 * 60_000,
  udpIdleTimeoutMs: 30_000,
  maxBufferedBytesPerStream: 4 * 1024 * 1024,
  maxBufferedBytesTotal: 256 * 1024 * 1024,
  maxConnections: 200_000,
  maxFragmentDatagrams: MAX_FRAGMENT_DATAGRAMS,
  maxFragmentBytesTotal: MAX_FRAGMENT_BYTES_TOTAL,
  idPrefix: '',
};

export function emptyStats(): PipelineStats {
  return {
    packets: 0, bytes: 0, unknownLinkType: {}, decodeErrors: 0,
    ipv4: 0, ipv6: 0, tcp: 0, udp: 0, icmp: 0, icmpv6: 0, otherIp: 0,
    fragments: 0, fragmentsReassembled: 0, fragmentsDropped: 0,
    connections: 0, udpFlows: 0,
    tcpRetransmittedBytes: 0, tcpOverlapBytes: 0, tcpOutOfOrderSegments: 0, gaps: 0, gapBytes: 0,
    undetectedStreams: 0, entries: 0, entriesByProtocol: {}, weirds: {}, limitsHit: {},
  };
}

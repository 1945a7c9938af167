/**
 * DNS over UDP (one message per datagram) and over TCP (2-byte length
 * prefixed, RFC 1035 §4.2.2). The binding: bytes of a flow to parsed
 * messages (parser.ts), messages to entries (exchanges.ts, entry.ts).
 *
 * Anomalies are counted with ctx.weird():
 *   dns_short_message        message shorter than the 12-byte header (dropped)
 *   dns_<reason>             a malformed message (see DnsMalformedReason); still paired
 *   dns_record_limit         MAX_RECORDS_PER_MESSAGE reached
 *   dns_trailing_bytes       bytes after the last section
 *   dns_gap_partial_message  a TCP message cut by a gap (dropped)
 *   dns_resync_dropped       bytes dropped after a gap until a message starts
 *   dns_partial_message_at_end  a TCP message cut by the end of its direction
 * and by exchanges.ts: dns_duplicate_query, dns_question_mismatch, dns_pending_limit.
 */
import type {
  ConnectionContext, DatagramDissector, DatagramDissectorSpec, StreamDissector, StreamDissectorSpec,
} from '../types.js';
import { detectDnsDatagram, detectDnsStream } from './detect.js';
import { DnsExchanges } from './exchanges.js';
import { LengthPrefixFramer } from './framer.js';
import { DNS_HEADER_LENGTH, parseDnsMessage } from './parser.js';

export { parseDnsMessage } from './parser.js';
export type { DnsMessage, DnsMalformedReason } from './parser.js';

/**
 * Parse one message and pass it on for pairing, counting what was odd about
 * it. A query is timed by its first byte, a response by its last.
 */
function handleMessage(
  ctx: ConnectionContext, exchanges: DnsExchanges, bytes: Uint8Array, fromClient: boolean, startTs: number, endTs: number,
): void {
  if (bytes.length < DNS_HEADER_LENGTH) {
    ctx.weird('dns_short_message');
    return;
  }
  const m = parseDnsMessage(bytes);
  if (m.reason !== null) ctx.weird(`dns_${m.reason.replace(/-/g, '_')}`);
  if (m.recordsSkipped > 0) ctx.weird('dns_record_limit');
  if (m.trailingBytes > 0) ctx.weird('dns_trailing_bytes');
  exchanges.message(m, fromClient, m.header.qr ? endTs : startTs);
}

class DnsDatagramDissector implements DatagramDissector {
  private readonly exchanges: DnsExchanges;

  constructor(private readonly ctx: ConnectionContext) {
    this.exchanges = new DnsExchanges(ctx);
  }

  datagram(data: Uint8Array, isClient: boolean, ts: number): void {
    handleMessage(this.ctx, this.exchanges, data, isClient, ts, ts);
  }

  close(): void {
    this.exchanges.close();
  }
}

class DnsStreamDissector implements StreamDissector {
  private readonly exchanges: DnsExchanges;
  /** Index 1: bytes sent by ctx.client; index 0: by ctx.server. */
  private readonly framers: [LengthPrefixFramer, LengthPrefixFramer];
  private readonly lastTs = [0, 0];
  private readonly ended = [false, false];

  constructor(private readonly ctx: ConnectionContext) {
    this.exchanges = new DnsExchanges(ctx);
    const framer = (fromClient: boolean): LengthPrefixFramer => new LengthPrefixFramer(
      (message, startTs) => handleMessage(ctx, this.exchanges, message, fromClient, startTs, this.lastTs[fromClient ? 1 : 0]),
      (data) => detectDnsStream(data, fromClient),
    );
    this.framers = [framer(false), framer(true)];
  }

  deliver(data: Uint8Array, isClient: boolean, ts: number): void {
    const side = isClient ? 1 : 0;
    this.lastTs[side] = ts;
    const framer = this.framers[side];
    const dropped = framer.counters.droppedBytes;
    framer.push(data, ts);
    if (framer.counters.droppedBytes > dropped) this.ctx.weird('dns_resync_dropped');
  }

  gap(_length: number, isClient: boolean): void {
    const framer = this.framers[isClient ? 1 : 0];
    const partials = framer.counters.droppedPartials;
    framer.gap();
    if (framer.counters.droppedPartials > partials) this.ctx.weird('dns_gap_partial_message');
    this.exchanges.gap(isClient);
  }

  end(isClient: boolean, ts: number): void {
    const side = isClient ? 1 : 0;
    if (this.ended[side]) return;
    this.ended[side] = true;
    const framer = this.framers[side];
    const partial = framer.partial();
    framer.reset();
    if (partial === null) return;
    // A message cut by the end of the stream: parse what arrived ('truncated').
    this.ctx.weird('dns_partial_message_at_end');
    if (partial.bytes.length >= DNS_HEADER_LENGTH) {
      handleMessage(this.ctx, this.exchanges, partial.bytes, isClient, partial.startTs, this.lastTs[side] || ts);
    }
  }

  close(ts: number): void {
    this.end(true, ts);
    this.end(false, ts);
    this.exchanges.close();
  }
}

export const dnsUdpSpec: DatagramDissectorSpec = {
  name: 'dns',
  transport: 'udp',
  ports: [53, 5353, 5355], // DNS, mDNS (RFC 6762), LLMNR (RFC 4795)
  detect: detectDnsDatagram,
  create: (ctx) => new DnsDatagramDissector(ctx),
};

export const dnsTcpSpec: StreamDissectorSpec = {
  name: 'dns',
  transport: 'tcp',
  ports: [53, 5353], // plaintext only: 853 is DNS over TLS
  detect: detectDnsStream,
  create: (ctx) => new DnsStreamDissector(ctx),
};

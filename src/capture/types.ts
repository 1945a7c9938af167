/**
 * Capture-file readers turn a byte stream into packet records.
 *
 * Contract: a reader is push-based. `push(chunk)` may be called with chunks of
 * any size, split anywhere; for every complete record the reader calls
 * `sink.packet(rec)` synchronously. `rec` is one object reused for every
 * record and `rec.data` is a view into the chunk (or into the reader's
 * carry-over buffer for records that straddle chunks): both are valid only
 * during the call. `end()` reports a truncated last record as a
 * `CaptureFormatError` unless `tolerateTruncation` is set.
 */

/** DLT_/LINKTYPE_ values we decode (https://www.tcpdump.org/linktypes.html). */
export const LinkType = {
  NULL: 0,          // BSD loopback, host byte order family
  ETHERNET: 1,
  RAW: 101,         // raw IPv4/IPv6
  LINUX_SLL: 113,
  LOOP: 108,        // OpenBSD loopback, network byte order family
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
  RAW_ALT: 12,      // DLT_RAW on some BSDs
  RAW_ALT2: 14,     // DLT_RAW on OpenBSD
} as const;

export interface PacketRecord {
  /** Capture timestamp, milliseconds since the Unix epoch (fractional). */
  ts: number;
  /** LINKTYPE_* of the interface that captured it. */
  linkType: number;
  /** Interface index (pcapng) or 0. */
  iface: number;
  /** Captured bytes (view; valid only during the callback). */
  data: Uint8Array;
  /** Length on the wire; greater than data.length when the snap length cut it. */
  origLength: number;
}

export interface PacketSink {
  packet(rec: PacketRecord): void;
}

export interface CaptureReader {
  readonly format: 'pcap' | 'pcapng';
  push(chunk: Uint8Array): void;
  end(): void;
  /** Counters: records, skipped blocks, truncated records. */
  readonly stats: CaptureReaderStats;
}

export interface CaptureReaderStats {
  /** Records delivered to the sink. */
  records: number;
  /** Captured bytes delivered (sum of `rec.data.length`). */
  bytes: number;
  /** pcapng blocks of types we do not use (NRB, ISB, custom…), skipped. */
  skippedBlocks: number;
  /**
   * Records whose captured length exceeded the snap length (delivered) or, in
   * pcapng, MAX_RECORD_BYTES (skipped; the block framing is still intact).
   */
  oversizedRecords: number;
  /** A truncated last record dropped at `end()` under `tolerateTruncation`. */
  truncatedRecords: number;
  /** Interfaces described (pcap: 1; pcapng: IDBs seen, over all sections). */
  interfaces: number;
}

/** A file that is not a capture, or one whose structure is broken. */
export class CaptureFormatError extends Error {
  override readonly name = 'CaptureFormatError';
  constructor(message: string, readonly offset?: number) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
  }
}

/** Largest record we accept; larger ones mean a corrupt length field. */
export const MAX_RECORD_BYTES = 256 * 1024;
/** Largest pcapng block we accept (SHB options can be long, but not this long). */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

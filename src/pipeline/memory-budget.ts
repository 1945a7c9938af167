/**
 * Pipeline limits derived from one memory cap (`podtap worker --memory-cap`).
 *
 * The cap is split in shares: out-of-order TCP bytes, incomplete IP
 * fragments, and tracked connections (each costs its flow entry, both
 * half-streams and its dissector's state: ~1 KiB half-open, 3–6 KiB with a
 * dissector holding a partial message, measured by src/adversarial). The
 * rest is headroom for V8, bodies kept up to the cap, entries waiting for
 * the writer and the packet ring. A memory guard (memory-guard.ts) sheds
 * state when the process comes near the cap anyway.
 */
import type { PipelineOptions } from './types.js';

const MiB = 1024 * 1024;

/** `podtap worker --memory-cap` default. */
export const DEFAULT_MEMORY_CAP_BYTES = 512 * MiB;
/** Smallest cap accepted: below it the shares are too small to hold one busy connection. */
export const MIN_MEMORY_CAP_BYTES = 32 * MiB;
/** Share of the cap for out-of-order TCP bytes, all connections together. */
export const REASSEMBLY_SHARE = 1 / 8;
/** Share for one direction of one connection (never more than the pipeline default, 4 MiB). */
export const STREAM_SHARE = 1 / 128;
/** Share for incomplete IP datagrams. */
export const FRAGMENT_SHARE = 1 / 16;
/** Share for tracked TCP connections and UDP flows. */
export const CONNECTION_SHARE = 1 / 2;
/** Bytes budgeted per tracked connection (a bound dissector with a partial message). */
export const CONNECTION_COST_BYTES = 4096;
/** Bytes budgeted per incomplete IP datagram (a 64 KiB datagram in 8 pieces). */
export const FRAGMENT_DATAGRAM_COST_BYTES = 32 * 1024;

export type MemoryLimits = Pick<PipelineOptions,
  'maxBufferedBytesTotal' | 'maxBufferedBytesPerStream' | 'maxConnections' | 'maxFragmentDatagrams' | 'maxFragmentBytesTotal'>;

/** The pipeline limits that keep its state within `capBytes` (see the shares above). */
export function memoryBudget(capBytes: number): MemoryLimits {
  const cap = Math.max(capBytes, MIN_MEMORY_CAP_BYTES);
  const fragments = Math.floor(cap * FRAGMENT_SHARE);
  return {
    maxBufferedBytesTotal: Math.floor(cap * REASSEMBLY_SHARE),
    maxBufferedBytesPerStream: Math.min(4 * MiB, Math.floor(cap * STREAM_SHARE)),
    maxConnections: Math.floor((cap * CONNECTION_SHARE) / CONNECTION_COST_BYTES),
    maxFragmentDatagrams: Math.max(16, Math.floor(fragments / FRAGMENT_DATAGRAM_COST_BYTES)),
    maxFragmentBytesTotal: fragments,
  };
}

/**
 * The dissector contract. A dissector is registered once (a `DissectorSpec`)
 * and instantiated per connection (TCP) or per flow (UDP).
 *
 * Byte ownership: every `Uint8Array` passed to a dissector is a view into a
 * buffer the caller reuses. It is valid only during the call; copy what you
 * keep (`Buffer.from(view)`), and say so where you do.
 *
 * Call order for a TCP connection, per direction:
 *   1. `detect()` on the first bytes of each direction until one spec matches;
 *   2. `create(ctx)` once, then `deliver()` with in-order bytes (client and
 *      server directions interleaved in capture order);
 *   3. `gap()` where bytes were never captured: the stream resumes after it;
 *   4. `end(isClient)` when that direction closes (FIN/RST);
 *   5. `close()` exactly once when the connection is torn down (both FINs,
 *      RST, idle timeout or end of capture): flush pending exchanges as entries.
 * Dissectors never throw on traffic: protocol violations are recorded with
 * `ctx.weird()` and on the entries they affect.
 */
import type { Endpoint, Entry, Transport } from '../entries/types.js';

export type DetectResult = 'match' | 'no' | 'more';

export interface DissectorOptions {
  /** Body bytes kept per message; the true size is still recorded. */
  maxBodyBytes: number;
  /** Decode gzip/deflate/br bodies for display. */
  decodeBodies: boolean;
}

export const DEFAULT_DISSECTOR_OPTIONS: DissectorOptions = {
  maxBodyBytes: 64 * 1024,
  decodeBodies: true,
};

/** What a dissector knows about the connection it is bound to. */
export interface ConnectionContext {
  readonly id: string;
  readonly transport: Transport;
  /** The client end (initiator of the connection or sender of the query). */
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly options: DissectorOptions;
  /** Hand a finished entry to the pipeline. The entry is owned by the receiver. */
  emit(entry: Entry): void;
  /** Next entry id for this connection. */
  nextEntryId(): string;
  /** Record a named anomaly (counted per name, never thrown). */
  weird(name: string): void;
}

export interface StreamDissector {
  /** In-order payload of one direction; `ts` is the capture time (ms) of the segment. */
  deliver(data: Uint8Array, isClient: boolean, ts: number): void;
  /** `length` bytes of this direction were lost; the next deliver() resumes after them. */
  gap(length: number, isClient: boolean, ts: number): void;
  /** This direction is finished (FIN or RST). */
  end(isClient: boolean, ts: number): void;
  /** The connection is over: emit whatever is pending. Called exactly once. */
  close(ts: number): void;
}

export interface DatagramDissector {
  /** One datagram payload. */
  datagram(data: Uint8Array, isClient: boolean, ts: number): void;
  /** Flow expired or capture ended: emit pending exchanges. Called exactly once. */
  close(ts: number): void;
}

interface SpecBase {
  /** Protocol name, as in `Entry['protocol']`. */
  name: string;
  /** Well-known ports: hints for detection order and for picking the client side, never a verdict. */
  ports: readonly number[];
  /**
   * Cheap content check on the first bytes of one direction. Never throws,
   * never reads past `data.length`; answers 'more' when it needs more bytes.
   */
  detect(data: Uint8Array, isClient: boolean): DetectResult;
}

export interface StreamDissectorSpec extends SpecBase {
  transport: 'tcp';
  create(ctx: ConnectionContext): StreamDissector;
}

export interface DatagramDissectorSpec extends SpecBase {
  transport: 'udp';
  create(ctx: ConnectionContext): DatagramDissector;
}

export type DissectorSpec = StreamDissectorSpec | DatagramDissectorSpec;

/**
 * One TCP connection written frame by frame, for attacks that stream far
 * more bytes than `tcpConversation` should hold in memory: the handshake,
 * each side's data cut into segments (acknowledged by the other side's
 * next segment), and the FIN exchange, all as generators.
 */
import { tcpFrame } from '../testing/packets.js';

export class TcpStream {
  private cs: number;
  private ss: number;

  constructor(readonly client: string, readonly server: string, readonly cport: number, readonly sport: number, isn = 1000) {
    this.cs = isn;
    this.ss = isn + 50_000;
  }

  private c(seq: number, flags: string, payload?: Uint8Array): Buffer {
    return tcpFrame({ src: this.client, dst: this.server, sport: this.cport, dport: this.sport, seq, ack: this.ss, flags, payload });
  }

  private s(seq: number, flags: string, payload?: Uint8Array): Buffer {
    return tcpFrame({ src: this.server, dst: this.client, sport: this.sport, dport: this.cport, seq, ack: this.cs, flags, payload });
  }

  *open(): Generator<Buffer> {
    yield this.c(this.cs, 'S');
    yield this.s(this.ss, 'SA');
    this.cs++; this.ss++;
    yield this.c(this.cs, 'A');
  }

  /** Client bytes in segments of at most `mss`. */
  *fromClient(data: Uint8Array, mss = 1460): Generator<Buffer> {
    for (let off = 0; off < data.length; off += mss) {
      const part = data.subarray(off, off + mss);
      yield this.c(this.cs, 'PA', part);
      this.cs = (this.cs + part.length) >>> 0;
    }
  }

  *fromServer(data: Uint8Array, mss = 1460): Generator<Buffer> {
    for (let off = 0; off < data.length; off += mss) {
      const part = data.subarray(off, off + mss);
      yield this.s(this.ss, 'PA', part);
      this.ss = (this.ss + part.length) >>> 0;
    }
  }

  /** The same bytes again and again (`times` × `chunk`), without building them whole. */
  *repeatFromClient(chunk: Uint8Array, times: number): Generator<Buffer> {
    for (let i = 0; i < times; i++) yield* this.fromClient(chunk);
  }

  *repeatFromServer(chunk: Uint8Array, times: number): Generator<Buffer> {
    for (let i = 0; i < times; i++) yield* this.fromServer(chunk);
  }

  /** Both FINs and the last ACK. */
  *close(): Generator<Buffer> {
    yield this.c(this.cs, 'FA');
    this.cs++;
    yield this.s(this.ss, 'FA');
    this.ss++;
    yield this.c(this.cs, 'A');
  }

  /** Client sequence number of the next byte (for hand-made segments). */
  get clientSeq(): number { return this.cs; }
  get serverSeq(): number { return this.ss; }

  /** A client segment at any sequence number (out of order, overlapping). */
  clientAt(seq: number, payload: Uint8Array, flags = 'PA'): Buffer {
    return this.c(seq >>> 0, flags, payload);
  }
}

/**
 * MQTT framing (§2.1): a fixed header byte (type, flags), the remaining
 * length as a variable byte integer, then that many bytes.
 *
 * `PacketReader.push()` takes views; a packet wholly inside one push is
 * handed on as a view, a split one is copied into the reader's buffer
 * (bounded by MAX_PACKET_BYTES). After a gap or a header that breaks the
 * grammar the reader hunts: it skips bytes until a well-formed packet that
 * this side may send is followed by another one or by the end of the bytes
 * at hand, keeping at most MAX_HUNT_PACKET_BYTES.
 */

export const CONNECT = 1, CONNACK = 2, PUBLISH = 3, PUBACK = 4, PUBREC = 5, PUBREL = 6, PUBCOMP = 7;
export const SUBSCRIBE = 8, SUBACK = 9, UNSUBSCRIBE = 10, UNSUBACK = 11, PINGREQ = 12, PINGRESP = 13, DISCONNECT = 14, AUTH = 15;
export const PACKET_NAMES = ['', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH'];

/** Largest packet accepted; a larger one is a violation (Mosquitto's default message_size_limit is larger, but captures of such are rare). */
export const MAX_PACKET_BYTES = 4 * 1024 * 1024;
/** Largest packet accepted as a resynchronisation point. */
export const MAX_HUNT_PACKET_BYTES = 64 * 1024;

/** Bit i set: a client (CLIENT_TYPES) or a server (SERVER_TYPES) may send packet type i. */
const CLIENT_TYPES = 0b1101_0101_1111_1010;
const SERVER_TYPES = 0b1110_1010_1111_1100;

/** Are these fixed-header flags legal for the type (§2.1.3)? */
export function flagsOk(type: number, flags: number): boolean {
  if (type === PUBLISH) return (flags & 0x6) !== 0x6;
  if (type === PUBREL || type === SUBSCRIBE || type === UNSUBSCRIBE) return flags === 2;
  return type !== 0 && flags === 0;
}

export function maySend(type: number, fromClient: boolean): boolean {
  return ((fromClient ? CLIENT_TYPES : SERVER_TYPES) & (1 << type)) !== 0;
}

export interface Head { type: number; flags: number; headerBytes: number; length: number }

/** Fixed header at `p`: the head, 'more' when the bytes end inside it, 'no' when malformed. */
export function readHead(b: Uint8Array, p: number, end: number): Head | 'more' | 'no' {
  if (p >= end) return 'more';
  const type = b[p] >> 4;
  const flags = b[p] & 0x0f;
  if (!flagsOk(type, flags)) return 'no';
  let length = 0;
  for (let i = 0; i < 4; i++) {
    if (p + 1 + i >= end) return 'more';
    const v = b[p + 1 + i];
    length += (v & 0x7f) * 128 ** i;
    if ((v & 0x80) === 0) {
      if (i > 0 && v === 0) return 'no'; // non-minimal encoding
      return { type, flags, headerBytes: 2 + i, length };
    }
  }
  return 'no';
}

/** Fixed remaining lengths (3.1.1 and the short forms of 5.0). */
function lengthPlausible(h: Head): boolean {
  switch (h.type) {
    case PINGREQ: case PINGRESP: return h.length === 0;
    case CONNACK: return h.length >= 2;
    case PUBACK: case PUBREC: case PUBREL: case PUBCOMP: case UNSUBACK: return h.length >= 2;
    case SUBSCRIBE: case SUBACK: case UNSUBSCRIBE: return h.length >= 3;
    case PUBLISH: return h.length >= 2;
    case CONNECT: return h.length >= 10;
    default: return true;
  }
}

/** A complete plausible packet this side may send at `p`: its end offset, or 'more' / 'no'. */
export function packetAt(b: Uint8Array, p: number, end: number, fromClient: boolean, maxBytes = MAX_HUNT_PACKET_BYTES): number | 'more' | 'no' {
  const h = readHead(b, p, end);
  if (h === 'more' || h === 'no') return h;
  if (!maySend(h.type, fromClient) || !lengthPlausible(h) || h.length > maxBytes) return 'no';
  const stop = p + h.headerBytes + h.length;
  if (stop > end) return 'more';
  if (h.type === PUBLISH) {
    const topicLen = (b[p + h.headerBytes] << 8) | b[p + h.headerBytes + 1];
    if (topicLen + 2 + (h.flags & 0x6 ? 2 : 0) > h.length) return 'no';
  }
  if (h.type === CONNECT) {
    const q = p + h.headerBytes; // "\0\4MQTT" or "\0\6MQIsdp"
    if (b[q] !== 0 || (b[q + 1] !== 4 && b[q + 1] !== 6) || b[q + 2] !== 0x4d) return 'no';
  }
  return stop;
}

export interface PacketSink {
  packet(type: number, flags: number, body: Uint8Array): void;
  violation(why: string): void;
  /**
   * May the reader resynchronise on this packet? Random bytes hold short
   * acknowledgements and pings often, so the dissector accepts an
   * acknowledgement only when a request waits for it.
   */
  resyncOk(type: number, flags: number, body: Uint8Array): boolean;
}

export class PacketReader {
  readonly counters = { packets: 0, huntedBytes: 0, oversized: 0 };
  private buf = new Uint8Array(0);
  private len = 0;
  private hunting = false;

  constructor(private readonly sink: PacketSink, private readonly fromClient: boolean) {}

  push(data: Uint8Array): void {
    if (this.len === 0) {
      const used = this.parse(data, data.length);
      if (used < data.length) this.keep(data.subarray(used));
      return;
    }
    this.keep(data);
    const used = this.parse(this.buf, this.len);
    this.buf.copyWithin(0, used, this.len);
    this.len -= used;
  }

  gap(): void {
    this.len = 0;
    this.hunting = true;
  }

  get pending(): number { return this.len; }

  private keep(data: Uint8Array): void {
    const need = this.len + data.length;
    if (need > this.buf.length) {
      const next = new Uint8Array(Math.max(need, this.buf.length * 2, 1024));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(data, this.len); // copy: the caller reuses `data`
    this.len = need;
  }

  private parse(b: Uint8Array, end: number): number {
    let p = 0;
    while (p < end) {
      if (this.hunting) {
        const start = p;
        let found = false;
        while (p < end) {
          const stop = packetAt(b, p, end, this.fromClient);
          if (stop === 'more') break;
          if (stop !== 'no' && this.sink.resyncOk(b[p] >> 4, b[p] & 15, b.subarray(stop - (readHead(b, p, end) as Head).length, stop))) {
            const next = stop === end ? stop : packetAt(b, stop, end, this.fromClient);
            if (next === 'more' || next !== 'no') { found = true; break; }
          }
          p++;
        }
        this.counters.huntedBytes += p - start;
        if (!found) return p;
        this.hunting = false;
      }
      const h = readHead(b, p, end);
      if (h === 'more') return p;
      if (h === 'no' || !maySend(h.type, this.fromClient)) { this.fail('malformed fixed header'); continue; }
      if (h.length > MAX_PACKET_BYTES) { this.counters.oversized++; this.fail('packet larger than MAX_PACKET_BYTES'); continue; }
      const stop = p + h.headerBytes + h.length;
      if (stop > end) return p;
      this.counters.packets++;
      this.sink.packet(h.type, h.flags, b.subarray(p + h.headerBytes, stop));
      p = stop;
    }
    return p;
  }

  /** The last packet's body broke the grammar: look for the next sound packet. */
  resync(): void {
    this.hunting = true;
  }

  private fail(why: string): void {
    this.hunting = true;
    this.sink.violation(why);
  }
}

/**
 * A read position in one DNS message plus the first problem met. Offsets are
 * relative to the message start, as compression pointers are.
 */

/** Why a message did not parse cleanly. */
export type DnsMalformedReason =
  | 'truncated'      // the message ends inside a field (snap length, cut TCP stream)
  | 'bad-label'      // a label type other than plain or pointer
  | 'bad-pointer'    // a compression pointer leads outside the message
  | 'pointer-loop'   // more than MAX_NAME_POINTER_HOPS pointers in one name
  | 'name-too-long'  // a name longer than 255 bytes
  | 'bad-rdata'      // RR data that does not fit its type (kept as RFC 3597 hex)
  | 'duplicate-opt'; // more than one OPT record (RFC 6891 §6.1.1)

export class Cursor {
  pos = 0;
  /** First problem met; later ones are not recorded. */
  reason: DnsMalformedReason | null = null;

  /** `buf` is the whole message and nothing after it. */
  constructor(readonly buf: Uint8Array) {}

  /** Records `reason` (if it is the first) and returns null for the caller to pass on. */
  fail(reason: DnsMalformedReason): null {
    if (this.reason === null) this.reason = reason;
    return null;
  }

  /** Are `n` more bytes there? */
  has(n: number): boolean {
    return this.pos + n <= this.buf.length;
  }

  u8(): number {
    return this.buf[this.pos++];
  }

  u16(): number {
    const b = this.buf;
    const v = (b[this.pos] << 8) | b[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u32(): number {
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }
}

/**
 * TLS binding: one record reader per direction, the hellos decoded from the
 * handshake messages, then only record framing and byte counts.
 *
 * 1. Handshake records (type 22) are reassembled into handshake messages
 *    (copied into a per-direction buffer, MAX_HANDSHAKE_BYTES) only while
 *    that direction's hello is still wanted: ClientHello from the client,
 *    ServerHello from the server. A HelloRetryRequest makes both wanted again
 *    (the second ClientHello replaces the first, the final ServerHello wins).
 * 2. After the hellos every record is only framed: application-data payload
 *    bytes are counted per direction, plaintext alerts (2-byte alert records
 *    before ChangeCipherSpec) are named; nothing else is read or kept.
 * 3. A gap or a bad record header ends framing for that direction ('gap' or
 *    'violation' on the entry); the byte counts then stop growing.
 * 4. close() emits the connection's one entry.
 */
import type { ConnectionContext, DetectResult, StreamDissector, StreamDissectorSpec } from '../types.js';
import type { Entry, EntryFlag } from '../../entries/types.js';
import { buildTlsEntry, type TlsSession } from './entry.js';
import { alertName } from './names.js';
import { parseClientHello, parseServerHello } from './parser.js';
import { ContentType, RecordReader } from './records.js';

export type { TlsEntry, TlsRequest, TlsResponse } from './entry.js';

function addFlag(flags: EntryFlag[], flag: EntryFlag): void {
  if (!flags.includes(flag)) flags.push(flag);
}

/** A handshake message (ClientHello with many extensions, or a ServerHello) buffered until whole. */
export const MAX_HANDSHAKE_BYTES = 64 * 1024;

const HS_CLIENT_HELLO = 1;
const HS_SERVER_HELLO = 2;

class Side {
  readonly reader: RecordReader;
  want = true;
  ccs = false;
  hs: Uint8Array | null = null;
  hsLen = 0;
  alert = new Uint8Array(2);
  alertLen = 0;

  constructor(readonly isClient: boolean, private readonly d: TlsDissector) {
    this.reader = new RecordReader({
      payload: (type, view, len, last, ts) => d.payload(this, type, view, len, last, ts),
      lost: (reason) => d.lost(this, reason),
    });
  }

  /** Append handshake bytes (copy: they outlive the caller's buffer). */
  append(view: Uint8Array): boolean {
    const need = this.hsLen + view.length;
    if (need > MAX_HANDSHAKE_BYTES) return false;
    if (this.hs === null || this.hs.length < need) {
      const nb = new Uint8Array(Math.min(MAX_HANDSHAKE_BYTES, Math.max(need, 2 * (this.hs?.length ?? 1024))));
      if (this.hs !== null) nb.set(this.hs.subarray(0, this.hsLen));
      this.hs = nb;
    }
    this.hs.set(view, this.hsLen);
    this.hsLen = need;
    return true;
  }
}

export class TlsDissector implements StreamDissector {
  private readonly client = new Side(true, this);
  private readonly server = new Side(false, this);
  private tls13 = false;
  readonly session: TlsSession = {
    clientHello: null, serverHello: null, helloRetry: false, startTs: 0, endTs: 0,
    bytes: [0, 0], alerts: [undefined, undefined], flags: [],
  };
  private closed = false;

  constructor(private readonly ctx: ConnectionContext) {}

  deliver(data: Uint8Array, isClient: boolean, ts: number): void {
    (isClient ? this.client : this.server).reader.feed(data, ts);
  }

  gap(length: number, isClient: boolean, _ts: number): void {
    const side = isClient ? this.client : this.server;
    if (!side.reader.dead) addFlag(this.session.flags, 'gap');
    side.reader.gap(length);
    side.want = false;
    side.hs = null;
  }

  end(_isClient: boolean, _ts: number): void {}

  close(ts: number): void {
    if (this.closed) return;
    this.closed = true;
    const s = this.session;
    if (s.clientHello === null && s.serverHello === null && s.alerts[1] === undefined && s.alerts[0] === undefined) {
      this.ctx.weird('tls_no_hello');
      if (s.flags.length === 0) return; // nothing TLS was ever read: no entry
    }
    // The cast goes when TlsEntry joins the Entry union in src/entries/types.ts (merged by the owner).
    this.ctx.emit(buildTlsEntry(this.ctx, s, ts));
  }

  /** @internal RecordReader callback. */
  lost(side: Side, reason: string): void {
    this.ctx.weird(reason);
    addFlag(this.session.flags, 'violation');
    side.want = false;
    side.hs = null;
  }

  /** @internal RecordReader callback. */
  payload(side: Side, type: number, view: Uint8Array, length: number, last: boolean, ts: number): void {
    const dir = side.isClient ? 0 : 1;
    switch (type) {
      case ContentType.ApplicationData:
        this.session.bytes[dir] += view.length;
        return;
      case ContentType.Handshake:
        if (!side.want || side.ccs) return;
        if (side.isClient && this.session.clientHello === null && side.hsLen === 0) this.session.startTs = ts;
        if (!side.append(view)) {
          this.ctx.weird('tls_handshake_limit');
          addFlag(this.session.flags, 'truncated');
          side.want = false;
          side.hs = null;
          side.hsLen = 0;
          return;
        }
        this.messages(side, ts);
        return;
      case ContentType.Alert:
        if (side.ccs || length !== 2) return; // encrypted alert
        for (let i = 0; i < view.length && side.alertLen < 2; i++) side.alert[side.alertLen++] = view[i]!;
        if (last && side.alertLen === 2) {
          this.session.alerts[dir] ??= alertName(side.alert[1]!);
          side.alertLen = 0;
        }
        return;
      case ContentType.ChangeCipherSpec:
        // TLS 1.3 sends CCS only for middlebox compatibility; handshake records stay plaintext.
        if (!this.tls13 && last) side.ccs = true;
        return;
      default:
        return;
    }
  }

  /** Decode whole handshake messages from the side's buffer while its hello is wanted. */
  private messages(side: Side, ts: number): void {
    let pos = 0;
    const b = side.hs!;
    while (side.want && side.hsLen - pos >= 4) {
      const type = b[pos]!;
      const len = (b[pos + 1]! << 16) | (b[pos + 2]! << 8) | b[pos + 3]!;
      if (4 + len > MAX_HANDSHAKE_BYTES) {
        this.ctx.weird('tls_handshake_limit');
        addFlag(this.session.flags, 'truncated');
        side.want = false;
        break;
      }
      if (side.hsLen - pos < 4 + len) break;
      this.message(side, type, b, pos + 4, pos + 4 + len, ts);
      pos += 4 + len;
    }
    if (!side.want) { side.hs = null; side.hsLen = 0; return; }
    if (pos > 0) { b.copyWithin(0, pos, side.hsLen); side.hsLen -= pos; }
  }

  private message(side: Side, type: number, b: Uint8Array, start: number, end: number, ts: number): void {
    const s = this.session;
    if (side.isClient && type === HS_CLIENT_HELLO) {
      const h = parseClientHello(b, start, end);
      if (h === null) return this.bad(side, 'tls_bad_client_hello');
      s.clientHello = h;
      side.want = false;
    } else if (!side.isClient && type === HS_SERVER_HELLO) {
      const h = parseServerHello(b, start, end);
      if (h === null) return this.bad(side, 'tls_bad_server_hello');
      s.serverHello = h;
      s.endTs = ts;
      if (h.selectedVersion === 0x0304 || (h.selectedVersion >> 8) === 0x7f) this.tls13 = true;
      if (h.helloRetry) {
        s.helloRetry = true;
        this.tls13 = true;
        this.client.want = !this.client.reader.dead; // the second ClientHello
      } else {
        side.want = false;
      }
    } else {
      this.ctx.weird('tls_unexpected_handshake');
      side.want = false;
    }
  }

  private bad(side: Side, name: string): void {
    this.ctx.weird(name);
    addFlag(this.session.flags, 'violation');
    side.want = false;
  }
}

/**
 * A TLS record header carrying a handshake: type 22, version 3.1-3.4 (3.0
 * accepted for SSL 3), a plausible length, and a ClientHello (client side) or
 * ServerHello (server side) as its first message.
 */
export function detectTls(data: Uint8Array, isClient: boolean): DetectResult {
  if (data.length < 1) return 'more';
  if (data[0] !== ContentType.Handshake) return 'no';
  if (data.length < 2) return 'more';
  if (data[1] !== 3) return 'no';
  if (data.length < 3) return 'more';
  if (data[2]! > 4) return 'no';
  if (data.length < 6) return 'more';
  const len = (data[3]! << 8) | data[4]!;
  if (len < 4 || len > 16384 + 2048) return 'no';
  return data[5] === (isClient ? HS_CLIENT_HELLO : HS_SERVER_HELLO) ? 'match' : 'no';
}

export const tlsSpec: StreamDissectorSpec = {
  name: 'tls',
  ports: [443, 8443, 6443],
  transport: 'tcp',
  detect: detectTls,
  create: (ctx) => new TlsDissector(ctx),
};

/**
 * A TCP connection: both half-streams, the choice of dissector, and the
 * binding of reassembled bytes to it.
 *
 * Detection: until a dissector matches, the first bytes of each direction are
 * kept (copied, up to DETECT_MAX_BYTES) and every spec's cheap `detect()` is
 * asked about them — port-hinted specs first. When the client side is unknown
 * (no SYN seen) each direction is tried in both roles, and a match also
 * settles which side is the client. Once bound, the kept bytes are replayed in
 * arrival order and later bytes flow straight through as views.
 *
 * Hand-off: a dissector with a `handOff` field (HTTP/1 after a 101) is asked
 * after each deliver whether the connection switched protocols; if a spec is
 * registered under the new protocol's name with an `upgrade()` factory, the
 * old dissector is closed and the new one gets the rest of the stream.
 */
import type { DissectorOptions, StreamDissector, StreamDissectorSpec } from '../dissectors/types.js';
import type { Entry } from '../entries/types.js';
import type { UpgradeHandOff, UpgradeTarget } from '../dissectors/http1/index.js';
import type { IpPacket } from '../layers/ip.js';
import { Flow, type Dir } from '../flows/flow-table.js';
import { HalfStream, type StreamOutput } from './reassembly.js';

/** Bytes of one direction kept while no dissector has matched yet. */
export const DETECT_MAX_BYTES = 2048;

export const enum ConnState { Detecting, Bound, Ignored, Closed }

export interface ConnectionHost {
  readonly options: DissectorOptions;
  specsFor(conn: TcpConnection): readonly StreamDissectorSpec[];
  emit(entry: Entry): void;
  weird(name: string): void;
  undetected(conn: TcpConnection): void;
}

interface Kept { dir: Dir; data: Uint8Array; ts: number }

export class TcpConnection extends Flow implements StreamOutput {
  readonly halves: [HalfStream, HalfStream] = [new HalfStream(), new HalfStream()];
  /** Which side is the client: 0 = A (first sender seen), 1 = B, -1 = not known yet. */
  clientDir: Dir | -1 = -1;
  state: ConnState = ConnState.Detecting;
  /** A packet came after the one that opened the connection, since the last eviction pass (tcp-layer.ts). */
  recent = false;
  dissector: StreamDissector | null = null;
  protocol = '';
  /** The bound dissector may hand the connection over (it has a `handOff` field). */
  private upgradable = false;
  private kept: Kept[] = [];
  private keptBytes: [number, number] = [0, 0];
  /** Per direction: every spec said 'no'. */
  private refused: [boolean, boolean] = [false, false];

  constructor(hash: number, p: IpPacket, portA: number, portB: number, ts: number,
              readonly id: string, private readonly host: ConnectionHost) {
    super(hash, p, portA, portB, ts);
  }

  data(dir: Dir, view: Uint8Array, ts: number): void {
    if (this.state === ConnState.Bound) {
      this.dissector!.deliver(view, dir === this.clientDir, ts);
      if (this.upgradable) this.checkHandOff(ts);
      return;
    }
    if (this.state !== ConnState.Detecting) return;
    this.detect(dir, view, ts);
  }

  gap(dir: Dir, length: number, ts: number): void {
    if (this.state === ConnState.Bound) { this.dissector!.gap(length, dir === this.clientDir, ts); return; }
    if (this.state !== ConnState.Detecting) return;
    // Bytes kept before a hole cannot be joined to bytes after it: start this direction over.
    this.kept = this.kept.filter((k) => k.dir !== dir);
    this.keptBytes[dir] = 0;
    this.host.weird('gap_during_detection');
  }

  end(dir: Dir, ts: number): void {
    if (this.state === ConnState.Bound) this.dissector!.end(dir === this.clientDir, ts);
  }

  /** Tear down: called once by the TCP layer after flushing both halves. */
  finish(ts: number): void {
    if (this.state === ConnState.Bound) this.dissector!.close(ts);
    else if (this.state === ConnState.Detecting && (this.keptBytes[0] > 0 || this.keptBytes[1] > 0)) this.host.undetected(this);
    this.state = ConnState.Closed;
    this.kept = [];
  }

  private detect(dir: Dir, view: Uint8Array, ts: number): void {
    if (this.refused[dir]) { this.keep(dir, view, ts); return; }
    const bytes = this.keptBytes[dir] === 0 ? view : this.joinKept(dir, view);
    const specs = this.host.specsFor(this);
    let waiting = false;
    for (const spec of specs) {
      let role: Dir | -1 = -1;
      if (this.clientDir !== -1) {
        const r = spec.detect(bytes, dir === this.clientDir);
        if (r === 'match') role = this.clientDir;
        else if (r === 'more') waiting = true;
      } else {
        const asClient = spec.detect(bytes, true);
        if (asClient === 'match') role = dir;
        else {
          const asServer = spec.detect(bytes, false);
          if (asServer === 'match') role = dir === 0 ? 1 : 0;
          else if (asClient === 'more' || asServer === 'more') waiting = true;
        }
      }
      if (role !== -1) {
        this.clientDir = role;
        this.bind(spec, dir, view, ts);
        return;
      }
    }
    if (!waiting || this.keptBytes[dir] + view.length >= DETECT_MAX_BYTES) this.refused[dir] = true;
    this.keep(dir, view, ts);
    if (this.refused[0] && this.refused[1]) {
      this.state = ConnState.Ignored;
      this.kept = [];
      this.host.undetected(this);
    }
  }

  private keep(dir: Dir, view: Uint8Array, ts: number): void {
    const room = DETECT_MAX_BYTES - this.keptBytes[dir];
    if (room <= 0) return;
    const data = Uint8Array.prototype.slice.call(view, 0, room); // copy (Buffer#slice would be a view): the capture buffer is reused
    this.kept.push({ dir, data, ts });
    this.keptBytes[dir] += data.length;
  }

  private joinKept(dir: Dir, view: Uint8Array): Uint8Array {
    const parts = this.kept.filter((k) => k.dir === dir).map((k) => k.data);
    parts.push(view);
    return Buffer.concat(parts);
  }

  private bind(spec: StreamDissectorSpec, dir: Dir, view: Uint8Array, ts: number): void {
    const cd = this.clientDir as Dir;
    this.dissector = spec.create(this.context(this.id, 'tcp', cd, this.host));
    this.protocol = spec.name;
    this.state = ConnState.Bound;
    this.upgradable = 'handOff' in this.dissector;
    const kept = this.kept;
    this.kept = [];
    for (const k of kept) {
      this.dissector.deliver(k.data, k.dir === cd, k.ts);
      if (this.upgradable) this.checkHandOff(k.ts);
    }
    this.dissector.deliver(view, dir === cd, ts);
    if (this.upgradable) this.checkHandOff(ts);
  }

  /** After an HTTP/1 upgrade: give the rest of the stream to the spec named by the Upgrade token, if one is registered. */
  private checkHandOff(ts: number): void {
    const old = this.dissector as StreamDissector & { handOff: UpgradeHandOff | null };
    const h = old.handOff;
    if (h === null) return;
    old.handOff = null;
    this.upgradable = false;
    const spec = this.host.specsFor(this).find((s) => typeof (s as Partial<UpgradeTarget>).upgrade === 'function'
      && (s.name === h.protocol || ((s as Partial<UpgradeTarget>).upgradeTokens?.includes(h.protocol) ?? false)));
    if (spec === undefined) { this.host.weird('upgrade_unclaimed'); return; } // the HTTP dissector keeps ignoring (and counting) the bytes
    old.close(ts);
    const next = (spec as StreamDissectorSpec & UpgradeTarget).upgrade(this.context(this.id, 'tcp', this.clientDir as Dir, this.host), h);
    this.dissector = next;
    this.protocol = spec.name;
    this.upgradable = 'handOff' in next;
    if (h.client.length > 0) next.deliver(h.client, true, ts);
    if (h.server.length > 0) next.deliver(h.server, false, ts);
  }
}

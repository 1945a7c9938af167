/**
 * MySQL / MariaDB client/server protocol over TCP (default port 3306). The
 * binding: bytes of each direction to packets (framer.ts), packets to
 * entries (session.ts, entry.ts). The server speaks first: detection knows
 * the greeting, and client commands for captures that start mid-way.
 *
 * After a gap the direction's framer drops bytes until a plausible packet
 * start: a client command (detect.ts) or, on the server side, a packet with
 * sequence id 1 answering a command sent after the gap. Weirds: see session.ts.
 */
import type { ConnectionContext, StreamDissector, StreamDissectorSpec } from '../types.js';
import { detectClientPacket, detectMysql } from './detect.js';
import { PacketFramer } from './framer.js';
import { MysqlSession } from './session.js';

export type { MysqlEntry, MysqlRequest, MysqlResponse, MysqlStatus } from './entry.js';
export { detectMysql } from './detect.js';

class MysqlDissector implements StreamDissector {
  private readonly session: MysqlSession;
  private readonly client: PacketFramer;
  private readonly server: PacketFramer;
  private lastTs = [0, 0];
  private readonly ended = [false, false];

  constructor(private readonly ctx: ConnectionContext) {
    const session = new MysqlSession(ctx);
    this.session = session;
    this.client = new PacketFramer((p) => session.clientPacket(p), detectClientPacket);
    this.server = new PacketFramer((p) => session.serverPacket(p, this.lastTs[0]), (d) => {
      if (d.length < 4) return 'more';
      return d[3] === 1 && session.serverCanResync() ? 'match' : 'no';
    });
  }

  deliver(data: Uint8Array, isClient: boolean, ts: number): void {
    if (this.session.opaque) return;
    this.lastTs[isClient ? 1 : 0] = ts;
    const framer = isClient ? this.client : this.server;
    const dropped = framer.counters.droppedBytes;
    framer.push(data, ts);
    if (framer.counters.droppedBytes > dropped) this.ctx.weird('mysql_resync_dropped');
  }

  gap(_length: number, isClient: boolean): void {
    const framer = isClient ? this.client : this.server;
    if (framer.pending()) this.ctx.weird('mysql_gap_partial_packet');
    framer.gap();
    if (isClient) this.session.clientGap();
    else this.session.serverGap();
  }

  end(isClient: boolean): void {
    const side = isClient ? 1 : 0;
    if (this.ended[side]) return;
    this.ended[side] = true;
    const framer = isClient ? this.client : this.server;
    if (framer.pending() && !this.session.opaque) this.ctx.weird('mysql_partial_packet_at_end');
    framer.reset();
  }

  close(ts: number): void {
    this.end(true);
    this.end(false);
    void ts;
    this.session.close();
  }
}

export const mysqlSpec: StreamDissectorSpec = {
  name: 'mysql',
  transport: 'tcp',
  ports: [3306],
  detect: detectMysql,
  create: (ctx) => new MysqlDissector(ctx),
};

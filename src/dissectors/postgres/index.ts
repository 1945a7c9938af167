/**
 * PostgreSQL frontend/backend protocol v3: one message reader per direction
 * (reader.ts), messages to exchanges (session.ts), exchanges to entries
 * (entry.ts).
 *
 * Stream events:
 *   - deliver: bytes go to the direction's reader; whole messages go to the
 *     session in order. Once TLS/GSS encryption is accepted both readers stop.
 *   - gap: the reader drops what it held and looks for the next message
 *     (client: a valid header followed by another; server: ReadyForQuery);
 *     the exchanges affected are flagged 'gap'.
 *   - end/close: a message cut by the end is passed on as truncated; waiting
 *     exchanges are emitted ('no-response' when nothing came back).
 *
 * Weirds: postgres_bad_header, postgres_message_size_limit,
 * postgres_query_truncated, postgres_unknown_client_message,
 * postgres_unknown_startup_code, postgres_unknown_statement,
 * postgres_unpaired_copy_data, postgres_unpaired_server_message,
 * postgres_bad_encryption_answer, postgres_resync_dropped and the
 * postgres_*_limit names of session.ts.
 */
import type { ConnectionContext, StreamDissector, StreamDissectorSpec } from '../types.js';
import { detectPostgres } from './detect.js';
import { resyncClient, resyncServer, validClientHeader, validServerHeader } from './grammar.js';
import { MessageReader } from './reader.js';
import { PgSession } from './session.js';

export type {
  PostgresEntry, PostgresRequest, PostgresResponse, PostgresNotice, PostgresStartup, PostgresCopy, PostgresRequestType,
} from './entry.js';
export { detectPostgres } from './detect.js';

export class PostgresDissector implements StreamDissector {
  readonly session: PgSession;
  readonly clientReader: MessageReader;
  readonly serverReader: MessageReader;

  constructor(private readonly ctx: ConnectionContext) {
    const session = new PgSession(ctx);
    this.session = session;
    const weird = (name: string): void => ctx.weird(name);
    this.clientReader = new MessageReader({
      message: (m) => { session.client(m); this.checkEncrypted(); },
      wantsByte: () => false,
      validHeader: validClientHeader,
      resync: resyncClient,
      weird,
    });
    this.serverReader = new MessageReader({
      message: (m) => { session.server(m); this.checkEncrypted(); },
      wantsByte: (data, off) => session.wantsByte(data, off),
      validHeader: validServerHeader,
      resync: resyncServer,
      weird,
    });
  }

  private checkEncrypted(): void {
    if (!this.session.encrypted || this.clientReader.stopped) return;
    this.clientReader.stop();
    this.serverReader.stop();
  }

  deliver(data: Uint8Array, isClient: boolean, ts: number): void {
    const reader = isClient ? this.clientReader : this.serverReader;
    const dropped = reader.counters.droppedBytes;
    reader.push(data, ts);
    if (reader.counters.droppedBytes > dropped && !reader.stopped) this.ctx.weird('postgres_resync_dropped');
  }

  gap(_length: number, isClient: boolean): void {
    if (isClient) {
      this.clientReader.gap();
      this.session.clientLost();
    } else {
      this.serverReader.gap();
      this.session.serverLost();
    }
  }

  end(isClient: boolean, ts: number): void {
    (isClient ? this.clientReader : this.serverReader).end(ts);
  }

  close(ts: number): void {
    this.clientReader.end(ts);
    this.serverReader.end(ts);
    this.session.close();
  }
}

export const postgresSpec: StreamDissectorSpec = {
  name: 'postgres',
  transport: 'tcp',
  ports: [5432],
  detect: detectPostgres,
  create: (ctx) => new PostgresDissector(ctx),
};

/**
 * A minimal PostgreSQL-wire server, used only when a real PostgreSQL cannot
 * start in the db pod (the demo says so). It speaks protocol 3.0 startup
 * (trust: AuthenticationOk), the simple query protocol for the few queries
 * shop.ts sends, over the seed data in memory, and ErrorResponse for
 * anything else.
 *   node pg-standin.js --host <pod ip> --port 5432
 */
import { createServer, type Socket } from 'node:net';
import { fail, flags, ready } from './common.js';
import { PRODUCTS } from './catalog-data.js';

const SSL_REQUEST = 80877103;
const PROTOCOL_3 = 196608;
/** Largest message accepted; bigger ones close the connection. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
const INT4 = 23, TEXT = 25;

type Cell = string | number;
interface Result { columns: Array<[string, number]>; rows: Cell[][]; tag: string }

function msg(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
const cstr = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8');
const i16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const i32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };

function result(r: Result): Buffer[] {
  const desc = msg('T', Buffer.concat([i16(r.columns.length), ...r.columns.map(([name, oid]) =>
    Buffer.concat([cstr(name), i32(0), i16(0), i32(oid), i16(oid === INT4 ? 4 : -1), i32(-1), i16(0)]))]));
  const rows = r.rows.map((row) => msg('D', Buffer.concat([i16(row.length), ...row.map((c) => { const v = Buffer.from(String(c)); return Buffer.concat([i32(v.length), v]); })])));
  return [desc, ...rows, msg('C', cstr(r.tag))];
}

const PRODUCT_COLUMNS: Array<[string, number]> = [['id', INT4], ['name', TEXT], ['price_cents', INT4], ['stock', INT4], ['category', TEXT]];
let nextOrder = 1;

function query(sql: string): Result | string {
  if (/^SELECT 1$/i.test(sql)) return { columns: [['?column?', INT4]], rows: [[1]], tag: 'SELECT 1' };
  const byId = /FROM products WHERE id = (\d+)$/.exec(sql);
  const list = /FROM products(?: WHERE category = '([a-z]+)')? ORDER BY id LIMIT (\d+)$/.exec(sql);
  if (byId !== null || list !== null) {
    const found = byId !== null ? PRODUCTS.filter((p) => p.id === Number(byId[1]))
      : PRODUCTS.filter((p) => list![1] === undefined || p.category === list![1]).slice(0, Number(list![2]));
    return { columns: PRODUCT_COLUMNS, rows: found.map((p) => [p.id, p.name, p.priceCents, p.stock, p.category]), tag: `SELECT ${found.length}` };
  }
  if (/^INSERT INTO orders .* RETURNING id$/.test(sql)) return { columns: [['id', INT4]], rows: [[nextOrder++]], tag: 'INSERT 0 1' };
  return `the PostgreSQL stand-in does not understand: ${sql.slice(0, 80)}`;
}

function error(message: string): Buffer {
  return msg('E', Buffer.concat([cstr('SERROR'), cstr('VERROR'), cstr('C0A000'), cstr(`M${message}`), Buffer.from([0])]));
}

function serve(sock: Socket): void {
  let buf = Buffer.alloc(0);
  let started = false;
  /** An extended-protocol message was refused; the rest up to Sync are skipped. */
  let refused = false;
  sock.on('error', () => sock.destroy());
  sock.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const headLen = started ? 5 : 4;
      if (buf.length < headLen) return;
      const len = started ? buf.readInt32BE(1) + 1 : buf.readInt32BE(0);
      if (len > MAX_MESSAGE_BYTES || len < headLen) { sock.destroy(); return; }
      if (buf.length < len) return;
      const m = buf.subarray(0, len);
      buf = buf.subarray(len);
      if (!started) {
        const code = m.readInt32BE(4);
        if (code === SSL_REQUEST) { sock.write('N'); continue; }
        if (code !== PROTOCOL_3) { sock.end(error('unsupported protocol version')); return; }
        started = true;
        const params = [['server_version', '15.0 (podtap demo stand-in)'], ['client_encoding', 'UTF8'], ['DateStyle', 'ISO, MDY'], ['integer_datetimes', 'on'], ['standard_conforming_strings', 'on']];
        sock.write(Buffer.concat([msg('R', i32(0)), ...params.map(([k, v]) => msg('S', Buffer.concat([cstr(k!), cstr(v!)]))),
          msg('K', Buffer.concat([i32(process.pid), i32(Math.floor(Math.random() * 2 ** 31))])), msg('Z', Buffer.from('I'))]));
        continue;
      }
      const type = String.fromCharCode(m[0]!);
      if (type === 'X') { sock.end(); return; }
      if (type === 'Q') {
        const r = query(m.subarray(5, m.length - 1).toString('utf8').trim());
        sock.write(Buffer.concat([...(typeof r === 'string' ? [error(r)] : result(r)), msg('Z', Buffer.from('I'))]));
        continue;
      }
      // Extended protocol: one error, the rest ignored up to Sync, which gets ReadyForQuery.
      if (type === 'S') {
        sock.write(msg('Z', Buffer.from('I')));
        refused = false;
      } else if (!refused) {
        sock.write(error('the PostgreSQL stand-in only speaks the simple query protocol'));
        refused = true;
      }
    }
  });
}

function main(): void {
  const f = flags(['host', 'port']);
  const server = createServer(serve);
  server.on('error', fail('pg-standin'));
  server.listen(Number(f.port), f.host, () => ready(`postgres stand-in on ${f.host}:${f.port}`));
  const stop = (): void => { server.close(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();

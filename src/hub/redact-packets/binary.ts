/**
 * Credentials of the binary protocols, found by walking each protocol's
 * framing from the start of the connection (where authentication happens):
 *
 * - Redis: the arguments of AUTH, HELLO … AUTH and MIGRATE … AUTH/AUTH2
 *   (RESP arrays anywhere in the stream, the same arguments as the entry
 *   redactor masks);
 * - PostgreSQL: every PasswordMessage / SASL response ('p') of the frontend;
 * - MySQL/MariaDB: the auth response of the handshake response and every
 *   client packet of the authentication exchange that follows;
 * - AMQP 0-9-1: the response of Connection.Start-Ok and Connection.Secure-Ok;
 * - MQTT: the password of CONNECT;
 * - MongoDB: BSON strings and binaries named payload, pwd, key or password
 *   (SASL payloads, createUser), as the MongoDB entries mask them.
 *
 * A walk stops at the first byte that was not captured or does not fit the
 * framing; what comes after authentication is not read.
 */
import { MqttCursor } from '../../dissectors/mqtt/cursor.js';
import { redisSecretArgs } from '../redact.js';
import type { Connection, Stream } from './streams.js';

/** Messages or frames one walk reads at most (authentication is over long before). */
const MAX_AUTH_MESSAGES = 64;
/** Elements of a Redis array read at most. */
const MAX_REDIS_ARGS = 64;

const REDIS_CMD = /\*(\d{1,6})\r\n\$(?:4|5|7)\r\n(AUTH|HELLO|MIGRATE)\r\n/dgi;

export function maskRedis(s: Stream): number {
  if (s.bytes.length === 0) return 0;
  const b = s.bytes;
  const text = b.toString('latin1');
  let n = 0;
  for (const m of text.matchAll(REDIS_CMD)) {
    const count = Math.min(Number(m[1]), MAX_REDIS_ARGS + 1);
    const args: Array<[number, number, string]> = [];
    let pos = m.indices![0][1];
    for (let i = 1; i < count; i++) {
      const head = /^\$(\d{1,9})\r\n/.exec(text.slice(pos, pos + 16));
      if (head === null) break;
      const start = pos + head[0].length, end = start + Number(head[1]);
      if (end > b.length) { args.push([start, b.length, '']); break; }
      args.push([start, end, text.slice(start, Math.min(end, start + 16))]);
      pos = end + 2;
    }
    for (const i of redisSecretArgs(m[2].toUpperCase(), args.map((a) => a[2]))) {
      s.mask(args[i][0], args[i][1]);
      n++;
    }
  }
  return n;
}

const PG_PROTOCOL_3 = 0x00030000, PG_SSL_REQUEST = 80877103, PG_GSSENC_REQUEST = 80877104;

/** PostgreSQL: the frontend's 'p' messages, from the startup message on. */
export function maskPostgres(c: Connection): number {
  for (const s of [c.a, c.b]) {
    const b = s.bytes, end = s.headRun;
    let off = 0;
    // SSLRequest / GSSENCRequest before the startup message: TLS follows unless the server said no.
    while (off + 8 <= end && b.readUInt32BE(off) === 8 && (b.readUInt32BE(off + 4) === PG_SSL_REQUEST || b.readUInt32BE(off + 4) === PG_GSSENC_REQUEST)) off += 8;
    if (off + 8 > end || b.readUInt32BE(off + 4) !== PG_PROTOCOL_3) continue;
    const startupLen = b.readUInt32BE(off);
    if (startupLen < 8 || startupLen > 10_000) continue;
    off += startupLen;
    let n = 0;
    for (let i = 0; i < MAX_AUTH_MESSAGES && off + 5 <= end; i++) {
      const len = b.readUInt32BE(off + 1);
      if (len < 4) break;
      if (b[off] === 0x70) { s.mask(off + 5, off + 1 + len); n++; }
      off += 1 + len;
    }
    return n;
  }
  return 0;
}

const MYSQL_PROTOCOL_41 = 0x200, MYSQL_SSL = 0x800, MYSQL_SECURE_CONNECTION = 0x8000, MYSQL_LENENC_AUTH = 0x200000;

/** MySQL: the client side is the one whose first packet has sequence id 1 while the other's greeting is protocol 10. */
export function maskMysql(c: Connection): number {
  for (const [cl, sv] of [[c.a, c.b], [c.b, c.a]] as const) {
    const b = cl.bytes, end = cl.headRun;
    if (sv.headRun < 5 || sv.bytes[3] !== 0 || sv.bytes[4] !== 0x0a || end < 4 || b[3] !== 1) continue;
    let off = 0, n = 0;
    for (let i = 0; i < MAX_AUTH_MESSAGES && off + 4 <= end; i++) {
      const len = b.readUIntLE(off, 3), seq = b[off + 3], p = off + 4;
      if (seq === 0) break; // a command: authentication is over
      if (i > 0) { cl.mask(p, p + len); n++; } else {
        if (len === 32 && p + 4 <= end && (b.readUInt32LE(p) & MYSQL_SSL) !== 0) return n; // SSLRequest: TLS follows
        n += maskHandshakeResponse(cl, p, Math.min(p + len, end));
      }
      off = p + len;
    }
    return n;
  }
  return 0;
}

function maskHandshakeResponse(s: Stream, p: number, end: number): number {
  const b = s.bytes;
  if (p + 32 > end) return 0;
  const caps = b.readUInt32LE(p);
  if ((caps & MYSQL_PROTOCOL_41) === 0) {
    // HandshakeResponse320: caps 2, max packet 3, user NUL, then the auth data to the end.
    const nul = b.indexOf(0, p + 5);
    if (nul < 0 || nul >= end) return 0;
    s.mask(nul + 1, end);
    return 1;
  }
  const nul = b.indexOf(0, p + 32);
  if (nul < 0 || nul >= end) return 0;
  let q = nul + 1, len: number;
  if (caps & MYSQL_LENENC_AUTH) {
    const first = b[q];
    if (first < 0xfb) { len = first; q += 1; } else if (first === 0xfc && q + 3 <= end) { len = b.readUInt16LE(q + 1); q += 3; } else if (first === 0xfd && q + 4 <= end) { len = b.readUIntLE(q + 1, 3); q += 4; } else { s.mask(q, end); return 1; }
  } else if (caps & MYSQL_SECURE_CONNECTION) { len = b[q]; q += 1; } else {
    const z = b.indexOf(0, q);
    len = (z < 0 || z >= end ? end : z) - q;
  }
  s.mask(q, Math.min(q + len, end));
  return len > 0 ? 1 : 0;
}

/** AMQP 0-9-1: the client stream starts with the protocol header "AMQP". */
export function maskAmqp(c: Connection): number {
  for (const s of [c.a, c.b]) {
    const b = s.bytes, end = s.headRun;
    if (end < 8 || b.toString('latin1', 0, 4) !== 'AMQP') continue;
    let off = 8, n = 0;
    for (let i = 0; i < MAX_AUTH_MESSAGES && off + 7 <= end; i++) {
      const type = b[off], size = b.readUInt32BE(off + 3), p = off + 7;
      if (p + size + 1 > end) break;
      if (type === 1 && size >= 4) {
        const cls = b.readUInt16BE(p), method = b.readUInt16BE(p + 2);
        if (cls === 10 && method === 11) n += maskLongstrAfter(s, p + 4, p + size, 2);
        else if (cls === 10 && method === 21) n += maskLongstrAfter(s, p + 4, p + size, 0);
        else if (cls === 10 && method === 40) break; // Connection.Open: authenticated
      }
      off = p + size + 1;
    }
    return n;
  }
  return 0;
}

/** Skip `skip` fields (a table, then shortstrs) and mask the longstr that follows. Start-Ok: table, mechanism, response. */
function maskLongstrAfter(s: Stream, p: number, end: number, skip: number): number {
  const b = s.bytes;
  if (skip === 2) {
    if (p + 4 > end) return 0;
    p += 4 + b.readUInt32BE(p); // client-properties table
    if (p + 1 > end) return 0;
    p += 1 + b[p]; // mechanism shortstr
  }
  if (p + 4 > end) return 0;
  const len = b.readUInt32BE(p);
  s.mask(p + 4, Math.min(p + 4 + len, end));
  return 1;
}

/** MQTT: the client stream starts with CONNECT (0x10) and the protocol name. */
export function maskMqtt(c: Connection): number {
  for (const s of [c.a, c.b]) {
    const b = s.bytes, end = s.headRun;
    if (end < 2 || b[0] !== 0x10) continue;
    const head = new MqttCursor(b, 1, end);
    const remaining = head.varint();
    if (head.short) continue;
    const r = new MqttCursor(b, head.pos, Math.min(end, head.pos + remaining));
    const name = Buffer.from(r.binary()).toString('latin1');
    if (name !== 'MQTT' && name !== 'MQIsdp') continue;
    const level = r.u8(), flags = r.u8();
    r.u16(); // keep alive
    if (level === 5) r.bytes(r.varint()); // CONNECT properties
    r.binary(); // client id
    if (flags & 0x04) { if (level === 5) r.bytes(r.varint()); r.binary(); r.binary(); } // will properties, topic, payload
    if (flags & 0x80) r.binary(); // user name
    if ((flags & 0x40) === 0) return 0;
    const len = r.u16();
    if (r.short) return 0;
    s.mask(r.pos, Math.min(r.pos + len, r.end));
    return 1;
  }
  return 0;
}

const BSON_SECRET = /([\x02\x05])(payload|pwd|key|password)\x00/dg;

/** MongoDB: the same element names the MongoDB entries mask, as BSON strings or binaries. */
export function maskMongo(s: Stream): number {
  const b = s.bytes;
  if (b.length === 0) return 0;
  let n = 0;
  for (const m of b.toString('latin1').matchAll(BSON_SECRET)) {
    const p = m.indices![0][1];
    if (p + 4 > b.length) continue;
    const len = b.readInt32LE(p);
    if (len <= 0) continue;
    if (m[1] === '\x02') s.mask(p + 4, Math.min(p + 4 + len - 1, b.length)); // the string without its NUL
    else s.mask(p + 5, Math.min(p + 5 + len, b.length)); // after the subtype
    n++;
  }
  return n;
}

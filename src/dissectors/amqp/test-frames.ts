/** Test-only AMQP 0-9-1 frame builders (the inverse of decode.ts, for the shapes tests need). */
import { FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD, PROTOCOL_HEADER } from './frames.js';

export const u8 = (v: number): Buffer => Buffer.from([v]);
export const u16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(v); return b; };
export const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; };
export const u64 = (v: number): Buffer => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(v)); return b; };
export const sstr = (s: string): Buffer => Buffer.concat([u8(Buffer.byteLength(s)), Buffer.from(s)]);
export const lstr = (s: string): Buffer => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);
/** A table of string ('S') and integer ('I') values. */
export function table(t: Record<string, string | number>): Buffer {
  const parts = Object.entries(t).map(([k, v]) => Buffer.concat([sstr(k), typeof v === 'string' ? Buffer.concat([Buffer.from('S'), lstr(v)]) : Buffer.concat([Buffer.from('I'), u32(v >>> 0)])]));
  const body = Buffer.concat(parts);
  return Buffer.concat([u32(body.length), body]);
}

export function frame(type: number, channel: number, payload: Buffer): Buffer {
  return Buffer.concat([u8(type), u16(channel), u32(payload.length), payload, u8(FRAME_END)]);
}
export const method = (channel: number, classId: number, methodId: number, ...args: Buffer[]): Buffer =>
  frame(FRAME_METHOD, channel, Buffer.concat([u16(classId), u16(methodId), ...args]));
export const heartbeat = (): Buffer => frame(FRAME_HEARTBEAT, 0, Buffer.alloc(0));

/** Content header with content-type, delivery-mode, message-id and headers. */
export function contentHeader(channel: number, bodySize: number, p: { contentType?: string; deliveryMode?: number; messageId?: string; headers?: Record<string, string | number> } = {}): Buffer {
  let flags = 0;
  const props: Buffer[] = [];
  if (p.contentType !== undefined) { flags |= 1 << 15; props.push(sstr(p.contentType)); }
  if (p.headers !== undefined) { flags |= 1 << 13; props.push(table(p.headers)); }
  if (p.deliveryMode !== undefined) { flags |= 1 << 12; props.push(u8(p.deliveryMode)); }
  if (p.messageId !== undefined) { flags |= 1 << 7; props.push(sstr(p.messageId)); }
  return frame(FRAME_HEADER, channel, Buffer.concat([u16(60), u16(0), u64(bodySize), u16(flags), ...props]));
}
export const body = (channel: number, data: string | Buffer): Buffer => frame(FRAME_BODY, channel, Buffer.from(data));

export const protocolHeader = (): Buffer => Buffer.from(PROTOCOL_HEADER);

/** The usual connection opening, as [client bytes, server bytes] exchanges. */
export function opening(): Array<[Buffer, Buffer]> {
  return [
    [protocolHeader(), method(0, 10, 10, u8(0), u8(9), table({ product: 'RabbitMQ' }), lstr('PLAIN AMQPLAIN'), lstr('en_US'))],
    [method(0, 10, 11, table({ product: 'amqplib' }), sstr('PLAIN'), lstr('\0guest\0guest'), sstr('en_US')), method(0, 10, 30, u16(2047), u32(131072), u16(60))],
    [Buffer.concat([method(0, 10, 31, u16(2047), u32(131072), u16(60)), method(0, 10, 40, sstr('/'), sstr(''), u8(0))]), method(0, 10, 41, sstr(''))],
    [method(1, 20, 10, sstr('')), method(1, 20, 11, lstr(''))],
  ];
}

export const queueDeclare = (ch: number, q: string): Buffer => method(ch, 50, 10, u16(0), sstr(q), u8(0b00010), table({}));
export const queueDeclareOk = (ch: number, q: string): Buffer => method(ch, 50, 11, sstr(q), u32(0), u32(0));
export const publish = (ch: number, exchange: string, key: string, payload: string, props: Parameters<typeof contentHeader>[2] = {}): Buffer =>
  Buffer.concat([method(ch, 60, 40, u16(0), sstr(exchange), sstr(key), u8(0)), contentHeader(ch, Buffer.byteLength(payload), props), body(ch, payload)]);
export const deliver = (ch: number, tag: string, deliveryTag: number, exchange: string, key: string, payload: string): Buffer =>
  Buffer.concat([method(ch, 60, 60, sstr(tag), u64(deliveryTag), u8(0), sstr(exchange), sstr(key)), contentHeader(ch, Buffer.byteLength(payload), { contentType: 'text/plain' }), body(ch, payload)]);
export const ack = (ch: number, deliveryTag: number, multiple = false): Buffer => method(ch, 60, 80, u64(deliveryTag), u8(multiple ? 1 : 0));

/** Test-only MQTT packet builders (3.1.1 unless `v5` is given). */
const varint = (n: number): Buffer => {
  const out: number[] = [];
  do { let b = n % 128; n = Math.floor(n / 128); if (n > 0) b |= 0x80; out.push(b); } while (n > 0);
  return Buffer.from(out);
};
const u16 = (v: number): Buffer => Buffer.from([v >> 8, v & 0xff]);
export const str = (s: string): Buffer => Buffer.concat([u16(Buffer.byteLength(s)), Buffer.from(s)]);
export const packet = (first: number, ...parts: Buffer[]): Buffer => { const body = Buffer.concat(parts); return Buffer.concat([Buffer.from([first]), varint(body.length), body]); };
/** 5.0 properties: [id, value bytes] pairs. */
export const props = (...p: Array<[number, Buffer]>): Buffer => { const b = Buffer.concat(p.map(([id, v]) => Buffer.concat([Buffer.from([id]), v]))); return Buffer.concat([varint(b.length), b]); };

export function connect(clientId: string, o: { v5?: boolean; username?: string; password?: string; will?: { topic: string; payload: string } } = {}): Buffer {
  let flags = 0x02;
  const tail: Buffer[] = [str(clientId)];
  if (o.will) { flags |= 0x04 | (1 << 3); if (o.v5) tail.push(props()); tail.push(str(o.will.topic), str(o.will.payload)); }
  if (o.username !== undefined) { flags |= 0x80; tail.push(str(o.username)); }
  if (o.password !== undefined) { flags |= 0x40; tail.push(str(o.password)); }
  return packet(0x10, str('MQTT'), Buffer.from([o.v5 ? 5 : 4, flags]), u16(60), ...(o.v5 ? [props([0x11, Buffer.from([0, 0, 0, 30])])] : []), ...tail);
}
export const connack = (code = 0, v5 = false): Buffer => packet(0x20, Buffer.from([0, code]), ...(v5 ? [props([0x21, u16(20)])] : []));
export function publish(topic: string, payload: string | Buffer, o: { qos?: number; id?: number; retain?: boolean; v5?: boolean; props?: Buffer } = {}): Buffer {
  const qos = o.qos ?? 0;
  return packet(0x30 | (qos << 1) | (o.retain ? 1 : 0), str(topic), ...(qos > 0 ? [u16(o.id ?? 1)] : []), ...(o.v5 ? [o.props ?? props()] : []), Buffer.from(payload));
}
export const ack = (type: number, id: number, v5?: { code: number }): Buffer => packet((type << 4) | (type === 6 ? 2 : 0), u16(id), ...(v5 ? [Buffer.from([v5.code]), props()] : []));
export const subscribe = (id: number, topics: Array<[string, number]>, v5 = false): Buffer => packet(0x82, u16(id), ...(v5 ? [props()] : []), ...topics.map(([t, q]) => Buffer.concat([str(t), Buffer.from([q])])));
export const suback = (id: number, codes: number[], v5 = false): Buffer => packet(0x90, u16(id), ...(v5 ? [props()] : []), Buffer.from(codes));
export const unsubscribe = (id: number, topics: string[], v5 = false): Buffer => packet(0xa2, u16(id), ...(v5 ? [props()] : []), ...topics.map(str));
export const unsuback = (id: number, v5 = false): Buffer => packet(0xb0, u16(id), ...(v5 ? [props(), Buffer.from([0])] : []));
export const pingreq = (): Buffer => Buffer.from([0xc0, 0]);
export const pingresp = (): Buffer => Buffer.from([0xd0, 0]);
export const disconnect = (): Buffer => Buffer.from([0xe0, 0]);

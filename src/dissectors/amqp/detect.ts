/**
 * Cheap AMQP 0-9-1 detection. A client stream opens with "AMQP" and four
 * version octets. A stream seen mid-way is AMQP when its frames are well
 * formed and its first method frame is one this side may send (publish from
 * a client, deliver or connection.start from a server); methods both sides
 * send (close, ack, …) and header/body/heartbeat frames defer to the next frame.
 */
import type { DetectResult } from '../types.js';
import { FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_HEADER_BYTES, FRAME_HEARTBEAT, FRAME_METHOD, MAX_HUNT_FRAME_BYTES, methodFrameAt } from './frames.js';
import { methodSpec } from './methods.js';

const AMQP = [0x41, 0x4d, 0x51, 0x50];

export function detectAmqp(data: Uint8Array, isClient: boolean): DetectResult {
  if (data.length === 0) return 'more';
  if (data[0] === 0x41) {
    if (!isClient) return 'no';
    for (let i = 1; i < AMQP.length; i++) {
      if (i >= data.length) return 'more';
      if (data[i] !== AMQP[i]) return 'no';
    }
    return 'match';
  }
  let p = 0;
  while (p < data.length) {
    const type = data[p];
    if (type === FRAME_METHOD) {
      const r = methodFrameAt(data, p);
      if (r !== 'yes') return r;
      const spec = methodSpec((data[p + 7] << 8) | data[p + 8], (data[p + 9] << 8) | data[p + 10])!;
      if (spec.sender !== 'b') return spec.sender === (isClient ? 'c' : 's') ? 'match' : 'no';
    } else if (type !== FRAME_HEADER && type !== FRAME_BODY && type !== FRAME_HEARTBEAT) {
      return 'no';
    }
    if (data.length - p < FRAME_HEADER_BYTES) return 'more';
    const size = ((data[p + 3] << 24) >>> 0) + ((data[p + 4] << 16) | (data[p + 5] << 8) | data[p + 6]);
    if (size > MAX_HUNT_FRAME_BYTES * 8) return 'no';
    if (data.length - p < FRAME_HEADER_BYTES + size + 1) return 'more';
    if (data[p + FRAME_HEADER_BYTES + size] !== FRAME_END) return 'no';
    p += FRAME_HEADER_BYTES + size + 1;
  }
  return 'more';
}

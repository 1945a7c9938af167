/**
 * Cheap MQTT detection. A client stream opens with CONNECT, whose variable
 * header names the protocol ("MQTT", or "MQIsdp" for 3.1). A stream seen
 * mid-way is MQTT when it holds two well-formed packets this side may send,
 * or one of at least 4 bytes that ends exactly where the bytes do.
 */
import type { DetectResult } from '../types.js';
import { packetAt, readHead } from './framer.js';

const NAMES = [[0, 4, 0x4d, 0x51, 0x54, 0x54], [0, 6, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70]];

export function detectMqtt(data: Uint8Array, isClient: boolean): DetectResult {
  if (data.length === 0) return 'more';
  if (isClient && data[0] === 0x10) {
    const h = readHead(data, 0, data.length);
    if (h === 'more') return 'more';
    if (h === 'no' || h.length < 10) return 'no';
    const q = h.headerBytes;
    if (data.length < q + 2) return 'more';
    const name = NAMES.find((n) => n[1] === data[q + 1]);
    if (name === undefined || data[q] !== 0) return 'no';
    for (let i = 2; i < name.length; i++) {
      if (q + i >= data.length) return 'more';
      if (data[q + i] !== name[i]) return 'no';
    }
    return 'match';
  }
  const first = packetAt(data, 0, data.length, isClient);
  if (first === 'more' || first === 'no') return first;
  if (first === data.length) return first >= 4 ? 'match' : 'more';
  const second = packetAt(data, first, data.length, isClient);
  return second === 'no' ? 'no' : second === 'more' ? 'more' : 'match';
}

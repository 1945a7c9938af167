/**
 * WebSocket entries: one per message. A message the client sent fills
 * `request` (and `response` is null); one the server sent fills `response`.
 * Control frames (close, ping, pong) are messages of their own.
 */
import type { EntryBase, EntryFlag } from '../../entries/types.js';
import { elapsedMs } from '../../entries/time.js';
import type { ConnectionContext } from '../types.js';

export interface WebSocketMessage {
  /** 'text', 'binary', 'close', 'ping', 'pong', or 'continuation' (fragments whose first frame was not seen). */
  opcode: string;
  /** Frames the message took (1 unless fragmented). */
  frames: number;
  /** Frames were masked (client frames must be). */
  masked: boolean;
  /** permessage-deflate: RSV1 was set on the first frame. */
  compressed: boolean;
  /** Payload bytes of the message, after inflating. */
  size: number;
  /** Payload bytes on the wire (sum of the frames' payload lengths). */
  wireSize: number;
  /** UTF-8 text (text, close reason) or base64 (binary, ping, pong) of the first maxBodyBytes. */
  content: string;
  encoding: 'text' | 'base64';
  /** `content` holds less than `size`. */
  truncated: boolean;
  /** Close frames: status code (RFC 6455 §7.4) and reason. */
  closeCode?: number;
  closeReason?: string;
}

export interface WebSocketEntry extends EntryBase {
  protocol: 'websocket';
  transport: 'tcp';
  request: WebSocketMessage | null;
  response: WebSocketMessage | null;
}

const OPCODES = ['continuation', 'text', 'binary', '', '', '', '', '', 'close', 'ping', 'pong'];

/** A finished message as the binding collected it: `kept` is a view valid during the call (the entry copies what it keeps). */
export interface Collected {
  opcode: number;
  frames: number;
  masked: boolean;
  compressed: boolean;
  size: number;
  wireSize: number;
  kept: Uint8Array;
  startTs: number;
  lastTs: number;
  flags: EntryFlag[];
}

export function buildWebSocketEntry(ctx: ConnectionContext, m: Collected, fromClient: boolean): WebSocketEntry {
  const name = OPCODES[m.opcode] ?? `opcode_${m.opcode}`;
  const b = Buffer.from(m.kept.buffer, m.kept.byteOffset, m.kept.byteLength);
  const msg: WebSocketMessage = {
    opcode: name, frames: m.frames, masked: m.masked, compressed: m.compressed, size: m.size, wireSize: m.wireSize,
    content: '', encoding: 'text', truncated: b.length < m.size,
  };
  if (m.opcode === 8) {
    if (b.length >= 2) {
      msg.closeCode = b.readUInt16BE(0);
      msg.closeReason = b.toString('utf8', 2);
      msg.content = msg.closeReason;
    }
  } else if (m.opcode === 1 || (m.opcode === 0 && isUtf8Text(b))) {
    msg.content = b.toString('utf8');
  } else {
    msg.content = b.toString('base64');
    msg.encoding = 'base64';
  }
  const flags = [...m.flags];
  if (msg.truncated && !flags.includes('body-truncated')) flags.push('body-truncated');
  return {
    id: ctx.nextEntryId(),
    protocol: 'websocket',
    transport: 'tcp',
    timestamp: m.startTs,
    elapsedTime: elapsedMs(m.startTs, m.lastTs),
    src: ctx.client,
    dst: ctx.server,
    connectionId: ctx.id,
    flags,
    request: fromClient ? msg : null,
    response: fromClient ? null : msg,
  };
}

/** For a continuation whose first frame was missed: show it as text when it decodes cleanly. */
function isUtf8Text(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

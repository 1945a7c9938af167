/**
 * permessage-deflate (RFC 7692) for one direction, synchronously: each
 * message is inflated on its own with the last 32 KiB of this direction's
 * earlier output as the preset dictionary, which is exactly the sliding
 * window a context-taking-over compressor refers back to (§7.2.3.3).
 * With `<side>_no_context_takeover` the dictionary stays empty.
 */
import { constants, inflateRawSync } from 'node:zlib';

/** The DEFLATE window: what a later message may refer back to. */
export const WINDOW_BYTES = 32 * 1024;
/** Inflated bytes per message; a bigger message is not decoded (and the window is lost). */
export const MAX_INFLATED_BYTES = 4 * 1024 * 1024;

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

export interface DeflateParams {
  /** The extension was accepted by the server's 101. */
  enabled: boolean;
  clientNoContextTakeover: boolean;
  serverNoContextTakeover: boolean;
}

/** Sec-WebSocket-Extensions of the 101 response to what it negotiated. */
export function parseExtensions(header: string | undefined): DeflateParams {
  const p: DeflateParams = { enabled: false, clientNoContextTakeover: false, serverNoContextTakeover: false };
  if (header === undefined) return p;
  for (const ext of header.split(',')) {
    const parts = ext.split(';').map((x) => x.trim().toLowerCase());
    if (parts[0] !== 'permessage-deflate' || p.enabled) continue;
    p.enabled = true;
    for (const param of parts.slice(1)) {
      const name = param.split('=')[0]!.trim();
      if (name === 'client_no_context_takeover') p.clientNoContextTakeover = true;
      else if (name === 'server_no_context_takeover') p.serverNoContextTakeover = true;
    }
  }
  return p;
}

export class Inflater {
  private window: Buffer | null = null;
  /** A message could not be inflated: later ones that rely on the window cannot be either. */
  broken = false;
  failures = 0;

  constructor(private readonly takeover: boolean) {}

  /** Inflate one whole message (the concatenated payloads of its frames); null when it cannot be. */
  inflate(compressed: Uint8Array): Buffer | null {
    if (this.broken) return null;
    try {
      const out = inflateRawSync(Buffer.concat([compressed, TAIL]), {
        finishFlush: constants.Z_SYNC_FLUSH,
        maxOutputLength: MAX_INFLATED_BYTES,
        ...(this.window !== null ? { dictionary: this.window } : {}),
      });
      if (this.takeover) {
        const joined = this.window === null ? out : Buffer.concat([this.window, out]);
        this.window = Buffer.from(joined.subarray(Math.max(0, joined.length - WINDOW_BYTES))); // copy: the window outlives `out`
      }
      return out;
    } catch {
      this.failures++;
      if (this.takeover) this.broken = true;
      return null;
    }
  }

  /** A message was lost or too big to inflate: the window is unknown from here on. */
  lose(): void {
    if (this.takeover) this.broken = true;
  }
}

/**
 * Token authentication for workers, API clients and the browser.
 *
 * A request is allowed when it carries the hub's token as
 * `Authorization: Bearer <token>`, or (browsers, which cannot set headers on
 * a WebSocket) the `podtap_token` cookie set by `GET /login?token=…`.
 * Tokens are compared in constant time.
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';

export const TOKEN_COOKIE = 'podtap_token';
/** Shortest token the hub accepts from --token / PODTAP_TOKEN. */
export const MIN_TOKEN_LENGTH = 16;

/** A fresh random token (URL-safe, 32 bytes of entropy). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export class TokenCheck {
  private readonly want: Buffer;
  constructor(token: string) {
    this.want = digest(token);
  }

  /** Equal-length digests compared in constant time, whatever the length of `given`. */
  matches(given: string | undefined): boolean {
    if (given === undefined || given.length > 1024) return false;
    return timingSafeEqual(digest(given), this.want);
  }

  /** Is this request authenticated by header or cookie? */
  allows(headers: { authorization?: string; cookie?: string }): boolean {
    const h = headers.authorization;
    if (h !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
      return m !== null && this.matches(m[1]);
    }
    return this.matches(cookieValue(headers.cookie, TOKEN_COOKIE));
  }
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try { return decodeURIComponent(part.slice(eq + 1).trim()); } catch { return undefined; }
    }
  }
  return undefined;
}

/**
 * Cookies for HAR, from the `cookie` request header and the `set-cookie`
 * response header. The entry model joins repeated headers with ", ", and
 * Set-Cookie values can themselves hold ", " (Expires=Wed, 21 Oct 2015 ...),
 * so `splitSetCookie` splits only where the next piece starts a new
 * `name=` pair. Nothing here throws: malformed pieces become cookies with
 * what could be read, or are skipped when they have no name.
 */
import type { HarCookie, HarNameValue } from './har-types.js';

/** "a=1; b=2" → [{a,1},{b,2}]. A piece without "=" is a cookie with an empty name, as RFC 6265 reads it. */
export function parseCookieHeader(header: string): HarNameValue[] {
  const out: HarNameValue[] = [];
  for (const piece of header.split(';')) {
    const p = piece.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    out.push(eq < 0 ? { name: '', value: p } : { name: p.slice(0, eq).trim(), value: p.slice(eq + 1).trim() });
  }
  return out;
}

// A comma followed by a cookie-name token and "=": the start of the next Set-Cookie value.
const NEXT_COOKIE = /,\s*(?=[!#$%&'*+\-.^_`|~0-9A-Za-z]+=)/;

/** Undo the ", " join of repeated Set-Cookie headers. */
export function splitSetCookie(joined: string): string[] {
  const out: string[] = [];
  let rest = joined;
  for (;;) {
    const m = NEXT_COOKIE.exec(rest);
    if (m === null) break;
    // A comma inside an attribute value (Expires) is followed by a date, not by "name=", so it stays.
    out.push(rest.slice(0, m.index));
    rest = rest.slice(m.index + m[0].length);
  }
  out.push(rest);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
const MIN_ISO_MS = -62167219200000;
const MAX_ISO_MS = 253402300799999;

/** One Set-Cookie value: "id=1; Path=/; Expires=...; HttpOnly; Secure". */
export function parseSetCookie(value: string): HarCookie | null {
  const parts = value.split(';');
  const first = parts[0].trim();
  const eq = first.indexOf('=');
  if (eq <= 0) return null;
  const cookie: HarCookie = { name: first.slice(0, eq).trim(), value: first.slice(eq + 1).trim() };
  for (let i = 1; i < parts.length; i++) {
    const attr = parts[i].trim();
    const aeq = attr.indexOf('=');
    const key = (aeq < 0 ? attr : attr.slice(0, aeq)).trim().toLowerCase();
    const val = aeq < 0 ? '' : attr.slice(aeq + 1).trim();
    if (key === 'path') cookie.path = val;
    else if (key === 'domain') cookie.domain = val;
    else if (key === 'httponly') cookie.httpOnly = true;
    else if (key === 'secure') cookie.secure = true;
    else if (key === 'expires') {
      const t = Date.parse(val);
      // Years 0000-9999 only: others have no plain ISO 8601 form.
      if (t >= MIN_ISO_MS && t <= MAX_ISO_MS) cookie.expires = new Date(t).toISOString();
    }
  }
  return cookie;
}

/**
 * The absolute URL HAR wants, from what was on the wire: the request-target
 * (origin-form "/p?q", absolute-form "http://h/p", authority-form "h:443" of
 * CONNECT, or "*") and the Host header, falling back to the server address.
 * Bytes that may not appear in a URI (spaces, non-ASCII, a stray "%") are
 * percent-encoded so the result is always a valid RFC 3986 URI.
 */
import type { Endpoint } from '../entries/types.js';

// pchar plus "/" and "?" (RFC 3986 path and query), and "%" that starts a valid escape.
const PATH_OK = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/;
const PATH_CHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?]/;
// reg-name or IP literal, optional port.
const AUTHORITY_OK = /^(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(?::[0-9]*)?$/;
const ABSOLUTE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;

/** Percent-encode what RFC 3986 does not allow in a path or query ("#" included: a request-target has no fragment). */
export function escapePath(s: string): string {
  if (PATH_OK.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) out += ch;
    else if (PATH_CHAR.test(ch)) out += ch;
    else {
      // Take a whole surrogate pair as one character; a lone surrogate encodes as U+FFFD.
      const code = s.codePointAt(i) ?? 0;
      const char = String.fromCodePoint(code);
      if (code > 0xffff) i++;
      for (const b of Buffer.from(char, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

export function endpointAuthority(e: Endpoint): string {
  return e.ip.includes(':') ? `[${e.ip.replace(/%.*$/, '')}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** `host` if it is a valid URI authority, else the server's ip:port. */
function authority(host: string, dst: Endpoint): string {
  return host !== '' && AUTHORITY_OK.test(host) ? host : endpointAuthority(dst);
}

export function absoluteUrl(target: string, host: string, dst: Endpoint): string {
  const abs = ABSOLUTE.exec(target);
  if (abs !== null) {
    const rest = abs[3];
    return `${abs[1].toLowerCase()}://${authority(abs[2], dst)}${rest.startsWith('/') || rest === '' ? '' : '/'}${escapePath(rest)}`;
  }
  if (target.startsWith('/')) return `http://${authority(host, dst)}${escapePath(target)}`;
  if (target === '*') return `http://${authority(host, dst)}/*`;
  // Authority-form (CONNECT host:port): the target is where the tunnel goes.
  if (/:[0-9]+$/.test(target) && AUTHORITY_OK.test(target)) return `http://${target}`;
  return `http://${authority(host, dst)}/${escapePath(target)}`;
}

/**
 * "Copy as curl" for an HTTP/1 or HTTP/2 request: method, URL, headers and
 * a text body, each quoted for a POSIX shell. Hop-by-hop and length headers
 * are left to curl; a masked value stays masked (the hub redacted it).
 */
import type { HttpRequest } from '../../../src/entries/types.js';

const SKIP = new Set(['content-length', 'connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'host', 'te']);

/** Single-quoted for sh: `'` becomes `'\''`. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function curlCommand(req: HttpRequest & { scheme?: string }, dst: { ip: string; port: number }): string {
  const host = req.host !== '' ? req.host : `${dst.ip.includes(':') ? `[${dst.ip}]` : dst.ip}:${dst.port}`;
  const scheme = req.scheme ?? 'http';
  const parts = ['curl'];
  if (req.method !== 'GET' || req.body !== null && req.body.content !== '') parts.push('-X', shellQuote(req.method));
  parts.push(shellQuote(`${scheme}://${host}${req.path.startsWith('/') ? req.path : `/${req.path}`}`));
  for (const [k, v] of Object.entries(req.headers)) {
    if (SKIP.has(k) || k.startsWith(':')) continue;
    parts.push('-H', shellQuote(`${k}: ${v}`));
  }
  if (req.httpVersion === 'HTTP/2' || req.httpVersion === '2') parts.push('--http2-prior-knowledge');
  if (req.body !== null && req.body.content !== '') {
    parts.push(req.body.encoding === 'text' ? '--data-raw' : '--data-binary', req.body.encoding === 'text' ? shellQuote(req.body.content) : `@<(echo ${shellQuote(req.body.content)} | base64 -d)`);
  }
  return parts.join(' ');
}

/**
 * The TLS entry: one per connection, built at close() from the hellos and the
 * per-direction byte counts. What an entry shows is decided here.
 */
import { createHash } from 'node:crypto';
import type { EntryBase, EntryFlag } from '../../entries/types.js';
import { elapsedMs } from '../../entries/time.js';
import type { ConnectionContext } from '../types.js';
import { cipherName, versionName } from './names.js';
import { ja3Text, type ClientHello, type ServerHello } from './parser.js';

export interface TlsRequest {
  /** Highest version offered: the best of supported_versions, else the legacy version ("TLS 1.3"). */
  version: string;
  /** ClientHello.legacy_version ("TLS 1.2"). */
  legacyVersion: string;
  /** supported_versions as offered (GREASE included), empty when absent. */
  versions: string[];
  /** server_name (SNI), '' when absent. */
  sni: string;
  /** ALPN protocols offered, in order. */
  alpn: string[];
  /** Cipher suites offered, IANA names (first MAX_HELLO_LIST). */
  ciphers: string[];
  cipherCount: number;
  /** Extension type numbers in order (first MAX_HELLO_LIST). */
  extensions: number[];
  /** JA3 text and its MD5. */
  ja3: string;
  ja3Hash: string;
  /** Application-data record payload bytes client → server (TLS 1.3: includes the encrypted Finished). */
  bytes: number;
  /** A plaintext alert sent by the client, if any. */
  alert?: string;
}

export interface TlsResponse {
  /** The version in use: supported_versions selection, else legacy version. */
  version: string;
  /** IANA name of the chosen cipher suite. */
  cipher: string;
  /** ALPN protocol chosen, '' when none. */
  alpn: string;
  extensions: number[];
  /** A HelloRetryRequest came before the final ServerHello. */
  helloRetry: boolean;
  /** Application-data record payload bytes server → client (TLS 1.3: includes the encrypted handshake). */
  bytes: number;
  /** A plaintext alert sent by the server, if any. */
  alert?: string;
}

export interface TlsEntry extends EntryBase {
  protocol: 'tls';
  transport: 'tcp';
  request: TlsRequest | null;
  response: TlsResponse | null;
}

/** What the binding collected for one connection. */
export interface TlsSession {
  clientHello: ClientHello | null;
  serverHello: ServerHello | null;
  helloRetry: boolean;
  /** Capture time of the first ClientHello byte and of the ServerHello's last byte. */
  startTs: number;
  endTs: number;
  bytes: [client: number, server: number];
  alerts: [client: string | undefined, server: string | undefined];
  flags: EntryFlag[];
}

function bestVersion(h: ClientHello): number {
  let best = 0;
  for (const v of h.versions) if (((v & 0x0f0f) !== 0x0a0a) && v > best && v <= 0x0304) best = v;
  return best || h.legacyVersion;
}

export function buildTlsEntry(ctx: ConnectionContext, s: TlsSession, ts: number): TlsEntry {
  const ch = s.clientHello;
  const sh = s.serverHello;
  const flags = [...s.flags];
  if (ch !== null && sh === null && s.alerts[1] === undefined && !flags.includes('no-response')) flags.push('no-response');
  if (ch === null && sh !== null && !flags.includes('no-request')) flags.push('no-request');
  let request: TlsRequest | null = null;
  if (ch !== null) {
    const ja3 = ja3Text(ch);
    request = {
      version: versionName(bestVersion(ch)),
      legacyVersion: versionName(ch.legacyVersion),
      versions: ch.versions.map(versionName),
      sni: ch.sni,
      alpn: ch.alpn,
      ciphers: ch.ciphers.map(cipherName),
      cipherCount: ch.cipherCount,
      extensions: ch.extensions,
      ja3,
      ja3Hash: createHash('md5').update(ja3).digest('hex'),
      bytes: s.bytes[0],
    };
    if (s.alerts[0] !== undefined) request.alert = s.alerts[0];
  }
  let response: TlsResponse | null = null;
  if (sh !== null || s.alerts[1] !== undefined) {
    // A server that refuses the handshake answers with an alert and no ServerHello.
    response = {
      version: sh !== null ? versionName(sh.selectedVersion || sh.legacyVersion) : '',
      cipher: sh !== null ? cipherName(sh.cipher) : '',
      alpn: sh?.alpn ?? '',
      extensions: sh?.extensions ?? [],
      helloRetry: s.helloRetry,
      bytes: s.bytes[1],
    };
    if (s.alerts[1] !== undefined) response.alert = s.alerts[1];
  }
  const start = ch !== null || sh !== null ? s.startTs : ts;
  return {
    id: ctx.nextEntryId(),
    protocol: 'tls',
    transport: 'tcp',
    timestamp: start,
    elapsedTime: sh !== null && ch !== null ? elapsedMs(s.startTs, s.endTs) : 0,
    src: ctx.client,
    dst: ctx.server,
    connectionId: ctx.id,
    flags,
    request,
    response,
  };
}

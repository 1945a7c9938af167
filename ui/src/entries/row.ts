/**
 * What the traffic list shows of an entry, protocol by protocol: a badge,
 * what was asked (method, command, query), its target, how it ended, the
 * names of both ends, timing and size. Shared logic: describeEntry from the
 * server's table writer, with HTTP, DNS and gRPC made precise here.
 */
import type { Endpoint, Entry } from '../../../src/entries/types.js';
import { describeEntry } from '../../../src/dissectors/describe.js';

export interface Row {
  protocol: string;
  method: string;
  target: string;
  status: string;
  error: boolean;
  src: string;
  dst: string;
  elapsed: number;
  size: number | undefined;
  time: number;
}

/** An end as a person reads it: namespace/name, else the DNS name or address, with the port. */
export function endName(p: Endpoint): string {
  const who = p.name ?? p.pod;
  if (who !== undefined) return p.namespace !== undefined ? `${p.namespace}/${who}` : who;
  return p.dns ?? (p.ip.includes(':') ? `[${p.ip}]:${p.port}` : `${p.ip}:${p.port}`);
}

const bodySize = (b: unknown): number | undefined => (b !== null && typeof b === 'object' && typeof (b as { size?: unknown }).size === 'number' ? (b as { size: number }).size : undefined);

export function rowOf(e: Entry): Row {
  const base = { protocol: e.protocol, src: endName(e.src), dst: endName(e.dst), elapsed: e.elapsedTime, time: e.timestamp };
  switch (e.protocol) {
    case 'http': {
      const status = e.response === null ? 'no response' : String(e.response.status);
      const size = (bodySize(e.request?.body) ?? 0) + (bodySize(e.response?.body) ?? 0);
      return { ...base, method: e.request?.method ?? '', target: e.request?.path ?? '', status, error: e.response === null || e.response.status >= 400, size };
    }
    case 'dns': {
      const q = e.request?.questions[0];
      return {
        ...base, method: q?.type ?? 'DNS', target: q?.name ?? '',
        status: e.response === null ? 'no response' : e.response.rcodeName, error: e.response === null || e.response.rcode !== 0, size: undefined,
      };
    }
    case 'grpc': {
      const r = e.response;
      const status = r === null ? 'no response' : r.grpcStatus === null ? `HTTP ${r.status}` : r.grpcStatusName;
      const size = (e.request?.messages ?? []).reduce((n, m) => n + m.size, 0) + (r?.messages ?? []).reduce((n, m) => n + m.size, 0);
      return {
        ...base, method: 'gRPC', target: e.request === null ? '' : `${e.request.grpcService}/${e.request.grpcMethod}`,
        status, error: r === null || (r.grpcStatus !== null && r.grpcStatus !== 0) || (r.grpcStatus === null && r.status >= 400), size,
      };
    }
    case 'http2': {
      const status = e.response === null ? (e.reset !== undefined ? e.reset.errorCode : 'no response') : String(e.response.status);
      const size = (bodySize(e.request?.body) ?? 0) + (bodySize(e.response?.body) ?? 0);
      return { ...base, method: e.request?.method ?? '', target: e.request?.path ?? '', status, error: e.response === null || e.response.status >= 400, size };
    }
    default: {
      const line = describeEntry(e);
      const [method, ...rest] = line.summary.split(' ');
      return { ...base, method: method ?? '', target: rest.join(' '), status: line.status, error: line.error, size: line.size };
    }
  }
}

/** Badge text: the protocol, shortened where its name is longer than the badge. */
const SHORT: Readonly<Record<string, string>> = { postgres: 'pgsql', mongodb: 'mongo', websocket: 'ws' };
export function badgeLabel(protocol: string): string {
  return SHORT[protocol] ?? protocol;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatMs(ms: number): string {
  if (ms === 0) return '';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatTime(ts: number): string {
  const d = new Date(ts);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

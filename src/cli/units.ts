import { UsageError } from './errors.js';

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };

/** "65536", "64k", "1m", "2g" (binary units; "kb", "kib" also accepted) → bytes. */
export function parseSize(text: string, flag: string, max = 1024 ** 4): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: expected a size like 65536, 64k, 1m or 2g, got "${text}"`);
  const n = Math.floor(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!);
  if (!Number.isSafeInteger(n) || n > max) throw new UsageError(`${flag}: ${text} is too large`);
  return n;
}

/** "500ms", "30s", "15m", "12h", "7d" → milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: expected a duration like 30s, 15m, 12h or 7d, got "${text}"`);
  return Number(m[1]) * TIME_UNITS[m[2]!]!;
}

/** HOST:PORT (HOST may be empty or [v6]) → parts; a port in 0–65535. */
export function parseHostPort(v: string, flag: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:]*):(\d{1,5})$/.exec(v);
  if (m === null || Number(m[2]) > 65_535) throw new UsageError(`${flag}: expected HOST:PORT with a port from 0 to 65535 (e.g. 0.0.0.0:8899), got "${v}"`);
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1') || '0.0.0.0', port: Number(m[2]) };
}

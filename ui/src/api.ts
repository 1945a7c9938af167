/**
 * The hub's HTTP API as the UI uses it (docs/api.md). Every call goes to the
 * page's own origin with the login cookie; errors become `ApiError` with the
 * hub's message (and the filter column when the filter was refused).
 */
import type { Entry } from '../../src/entries/types.js';
import type { Stats } from '../../src/hub/stats.js';
import type { Series, Timeseries } from '../../src/hub/timeseries.js';

export type { Entry, Stats, Series, Timeseries };

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly status: number, message: string, readonly column?: number) {
    super(message);
  }
}

export async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', ...init });
  } catch (err) {
    throw new ApiError(0, `the hub cannot be reached (${err instanceof Error ? err.message : String(err)})`);
  }
  const text = await res.text();
  let body: unknown = undefined;
  try { body = text === '' ? undefined : JSON.parse(text); } catch { /* not JSON: reported below */ }
  if (!res.ok) {
    const b = (body ?? {}) as { error?: unknown; column?: unknown };
    throw new ApiError(res.status, typeof b.error === 'string' ? b.error : `${res.status} ${res.statusText}`, typeof b.column === 'number' ? b.column : undefined);
  }
  if (body === undefined) throw new ApiError(res.status, `${path}: the hub did not answer JSON`);
  return body as T;
}

export const qs = (params: Record<string, string | number | undefined>): string => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s === '' ? '' : `?${s}`;
};

export interface EntriesPage { entries: Entry[]; next: number | null }

export const fetchEntries = (q: string, limit: number, before?: number): Promise<EntriesPage> =>
  getJson(`/api/entries${qs({ q, limit, before })}`);

export const fetchEntry = (id: string): Promise<Entry> => getJson(`/api/entries/${encodeURIComponent(id)}`);

export const fetchStats = (q: string, windowSec: number): Promise<Stats> => getJson(`/api/stats${qs({ q, window: windowSec })}`);

/** `/api/timeseries`: buckets over a window, one series per protocol or per service. */
export const fetchTimeseries = (q: string, windowSec: number, by: 'protocol' | 'service'): Promise<Timeseries> =>
  getJson(`/api/timeseries${qs({ q, window: windowSec, by })}`);

/** `/api/fields` and `/api/values`: what the filter bar completes. */
export interface FieldInfo { name: string; type: string; description: string }
export interface ValueCount { value: string | number; count: number }

export const fetchFields = (): Promise<{ fields: FieldInfo[] }> => getJson('/api/fields');
export const fetchValues = (field: string, prefix: string): Promise<{ field: string; values: ValueCount[] }> =>
  getJson(`/api/values${qs({ field, prefix, limit: 20 })}`);

/** Download URLs (the browser saves what they return). */
export const harUrl = (q: string): string => `/api/export.har${qs({ q })}`;
export const pcapngUrl = (q: string): string => `/api/export.pcapng${qs({ q })}`;

/** The filter that selects exactly one entry, or one connection. */
export const quote = (s: string): string => JSON.stringify(s);
export const entryFilter = (id: string): string => `id == ${quote(id)}`;
export const connectionFilter = (connectionId: string): string => `connectionId == ${quote(connectionId)}`;

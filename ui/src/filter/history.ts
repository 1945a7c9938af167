/**
 * Filters the user applied, newest first, kept in localStorage (bounded,
 * no repeats). Storage that is missing or full is not an error.
 */
export const HISTORY_KEY = 'podtap.filterHistory';
export const HISTORY_MAX = 50;

export interface KeyValueStore { getItem(k: string): string | null; setItem(k: string, v: string): void }

export function loadHistory(store: KeyValueStore | undefined): string[] {
  try {
    const v: unknown = JSON.parse(store?.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, HISTORY_MAX) : [];
  } catch {
    return [];
  }
}

export function remember(store: KeyValueStore | undefined, history: readonly string[], filter: string): string[] {
  const f = filter.trim();
  if (f === '') return [...history];
  const next = [f, ...history.filter((h) => h !== f)].slice(0, HISTORY_MAX);
  try { store?.setItem(HISTORY_KEY, JSON.stringify(next)); } catch { /* storage full or disabled: history lives for this page only */ }
  return next;
}

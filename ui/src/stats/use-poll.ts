/**
 * `usePoll(fetch, key)`: the latest answer of a hub route polled every 2 s
 * (poller.ts). A new `key` (the filter, the window…) fetches at once and
 * drops answers to the old one; until the new answer comes, the old data stays
 * on screen with `stale` set, so a chart or the map does not blink.
 */
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api.js';
import { POLL_INTERVAL_MS, Poller } from './poller.js';

export interface PollState<T> {
  data: T | null;
  /** The hub's error text of the last call, null when it succeeded. */
  error: string | null;
  /** True until the first good answer for the current key: `data` is then the old key's (or null). */
  stale: boolean;
  /** When the data was received (ms since the epoch). */
  updatedAt: number | null;
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function usePoll<T>(fetcher: () => Promise<T>, key: string, intervalMs: number = POLL_INTERVAL_MS): PollState<T> & { refresh(): void } {
  const [state, setState] = useState<PollState<T>>({ data: null, error: null, stale: true, updatedAt: null });
  const fetchRef = useRef(fetcher);
  fetchRef.current = fetcher;
  const pollerRef = useRef<Poller<T> | null>(null);

  useEffect(() => {
    setState((s) => (s.stale ? s : { ...s, stale: true }));
    const poller = new Poller<T>(() => fetchRef.current(), (r) => {
      setState((s) => (r.ok
        ? { data: r.data, error: null, stale: false, updatedAt: Date.now() }
        : { ...s, error: errorText(r.error) }));
    }, intervalMs);
    pollerRef.current = poller;
    poller.start();
    return () => { poller.stop(); if (pollerRef.current === poller) pollerRef.current = null; };
  }, [key, intervalMs]);

  return { ...state, refresh: () => pollerRef.current?.refresh() };
}

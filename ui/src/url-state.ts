/**
 * What the page shows, kept in the URL so a view can be shared: the view,
 * the filter, the open entry, the row cap and the stats window.
 */
export type View = 'traffic' | 'map' | 'stats' | 'health';
export const VIEWS: readonly View[] = ['traffic', 'map', 'stats', 'health'];

export interface UrlState { view: View; q: string; id: string | null; cap: number; window: number }

export const DEFAULT_CAP = 100_000;
export const MAX_CAP = 1_000_000;
export const DEFAULT_WINDOW_SEC = 300;

const int = (s: string | null, dflt: number, min: number, max: number): number => {
  const n = s === null ? NaN : Number(s);
  return Number.isInteger(n) && n >= min && n <= max ? n : dflt;
};

export function readUrl(search: string): UrlState {
  const p = new URLSearchParams(search);
  const v = p.get('view');
  return {
    view: (VIEWS as readonly string[]).includes(v ?? '') ? (v as View) : 'traffic',
    q: (p.get('q') ?? '').slice(0, 4096),
    id: p.get('id'),
    cap: int(p.get('cap'), DEFAULT_CAP, 100, MAX_CAP),
    window: int(p.get('window'), DEFAULT_WINDOW_SEC, 10, 86_400),
  };
}

export function writeUrl(s: UrlState): string {
  const p = new URLSearchParams();
  if (s.view !== 'traffic') p.set('view', s.view);
  if (s.q !== '') p.set('q', s.q);
  if (s.id !== null) p.set('id', s.id);
  if (s.cap !== DEFAULT_CAP) p.set('cap', String(s.cap));
  if (s.window !== DEFAULT_WINDOW_SEC) p.set('window', String(s.window));
  const q = p.toString();
  return q === '' ? '' : `?${q}`;
}

/**
 * The page: a header with the views and the theme, the filter bar (shared
 * by traffic, map and stats), and the view. State lives in the URL.
 */
import { useCallback, useEffect, useState } from 'react';
import { FilterBar, type FilterProblem } from './filter/FilterBar.js';
import { addCondition } from './filter/complete.js';
import { TrafficView } from './traffic/TrafficView.js';
import { EntryDetails } from './details/EntryDetails.js';
import { ServiceMap } from './map/ServiceMap.js';
import { StatsView } from './stats/StatsView.js';
import { HealthPanel } from './health/HealthPanel.js';
import { ApiError, getJson } from './api.js';
import { readUrl, writeUrl, VIEWS, type UrlState, type View } from './url-state.js';

const VIEW_LABEL: Record<View, string> = { traffic: 'Traffic', map: 'Service map', stats: 'Stats', health: 'Targeting & health' };
const WINDOWS: Array<[number, string]> = [[60, '1 min'], [300, '5 min'], [900, '15 min'], [3600, '1 h'], [21600, '6 h'], [86400, '24 h']];

type Theme = 'dark' | 'light';
function initialTheme(): Theme {
  try {
    const t = window.localStorage.getItem('podtap.theme');
    if (t === 'dark' || t === 'light') return t;
  } catch { /* no storage */ }
  return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

function Login(props: { message: string }): JSX.Element {
  const [token, setToken] = useState('');
  return (
    <main className="login panel">
      <h1>podtap</h1>
      <p className="muted">{props.message}</p>
      <form method="get" action="/login">
        <label htmlFor="token">Token</label>
        <input id="token" name="token" type="password" value={token} onChange={(e) => setToken(e.target.value)} autoFocus autoComplete="current-password" />
        <button type="submit" disabled={token === ''}>Log in</button>
      </form>
      <p className="muted">The token is printed by <code>podtap tap</code>, <code>podtap hub</code> and <code>podtap demo</code> when they start.</p>
    </main>
  );
}

export function App(): JSX.Element {
  const [url, setUrl] = useState<UrlState>(() => readUrl(window.location.search));
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [auth, setAuth] = useState<'unknown' | 'ok' | string>('unknown');
  const [serverError, setServerError] = useState<FilterProblem | null>(null);

  useEffect(() => {
    getJson('/api/workers').then(() => setAuth('ok'), (err: unknown) => {
      setAuth(err instanceof ApiError && err.status === 401 ? 'Log in with the hub’s token to see its traffic.' : 'ok');
    });
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    try { window.localStorage.setItem('podtap.theme', theme); } catch { /* no storage */ }
  }, [theme]);

  const update = useCallback((patch: Partial<UrlState>, push = false) => {
    setUrl((cur) => {
      const next = { ...cur, ...patch };
      const target = `${window.location.pathname}${writeUrl(next)}`;
      if (push) window.history.pushState(null, '', target); else window.history.replaceState(null, '', target);
      return next;
    });
  }, []);
  useEffect(() => {
    const onPop = (): void => setUrl(readUrl(window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === '/' && !(e.target instanceof HTMLInputElement) && !(e.target instanceof HTMLTextAreaElement)) {
        e.preventDefault();
        document.querySelector<HTMLInputElement>('.filter-input')?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const applyFilter = (q: string): void => { setServerError(null); update({ q }, true); };
  const pick = (field: string, value: string | number | boolean | null): void => applyFilter(addCondition(url.q, field, value));

  if (auth !== 'unknown' && auth !== 'ok') return <Login message={auth} />;
  return (
    <div className="app">
      <header className="topbar">
        <span className="logo">podtap</span>
        <nav className="tabs" aria-label="Views">
          {VIEWS.map((v) => (
            <button key={v} type="button" aria-pressed={url.view === v} aria-current={url.view === v ? 'page' : undefined} data-testid={`tab-${v}`} onClick={() => update({ view: v }, true)}>{VIEW_LABEL[v]}</button>
          ))}
        </nav>
        <span className="spacer" />
        <label className="window-select">window{' '}
          <select value={url.window} onChange={(e) => update({ window: Number(e.target.value) })} aria-label="Time window for map and stats">
            {WINDOWS.map(([s, l]) => <option key={s} value={s}>{l}</option>)}
          </select>
        </label>
        <button type="button" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`} data-testid="theme">{theme === 'dark' ? 'Light' : 'Dark'} theme</button>
      </header>
      {url.view !== 'health' ? <FilterBar value={url.q} onApply={applyFilter} serverError={serverError} /> : null}
      <main className={`content view-${url.view}`}>
        {url.view === 'traffic' ? (
          <div className={`traffic-split${url.id !== null ? ' with-details' : ''}`}>
            <TrafficView query={url.q} cap={url.cap} selectedId={url.id} onSelect={(id) => update({ id })} onFilterError={setServerError} />
            {url.id !== null ? <EntryDetails id={url.id} onPick={pick} onClose={() => update({ id: null })} /> : null}
          </div>
        ) : url.view === 'map' ? (
          <ServiceMap query={url.q} windowSec={url.window} onFilter={(q) => { setServerError(null); update({ q, view: 'traffic', id: null }, true); }} />
        ) : url.view === 'stats' ? (
          <StatsView query={url.q} windowSec={url.window} />
        ) : (
          <HealthPanel />
        )}
      </main>
    </div>
  );
}

/**
 * The targeting rules, edited as a form or as raw JSON, applied live on
 * every worker with `PUT /api/rules`. The hub checks them with the worker's
 * own parser; what it refuses (400) is shown under the Apply button.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { errorText } from '../stats/use-poll.js';
import { fetchRules, putRules, type RulesAnswer } from './api.js';
import { EMPTY_FORM, describeRules, formFromRules, parseRulesJson, rulesFromForm, rulesToJson, type RulesForm } from './rules-form.js';

type Mode = 'form' | 'json';
type ApplyState = { kind: 'idle' } | { kind: 'pending' } | { kind: 'ok'; pushed: number | undefined } | { kind: 'error'; message: string };

export interface RulesEditorProps {
  /** For tests: start from these instead of asking the hub. */
  initial?: RulesAnswer;
}

export function RulesEditor(props: RulesEditorProps): JSX.Element {
  const id = useId();
  const [mode, setMode] = useState<Mode>('form');
  const [form, setForm] = useState<RulesForm>(() => formFromRules(props.initial?.rules));
  const [json, setJson] = useState<string>(() => rulesToJson(rulesFromForm(formFromRules(props.initial?.rules))));
  const [current, setCurrent] = useState<RulesAnswer | null>(props.initial ?? null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);
  const [apply, setApply] = useState<ApplyState>({ kind: 'idle' });

  const load = (): void => {
    setLoadError(null);
    fetchRules().then((r) => {
      setCurrent(r);
      setForm(formFromRules(r.rules));
      setJson(rulesToJson(rulesFromForm(formFromRules(r.rules))));
      setDirty(false);
    }, (err: unknown) => setLoadError(errorText(err)));
  };
  // Once, on mount: later polls must not overwrite what the user is typing.
  useEffect(() => { if (props.initial === undefined) load(); }, []);

  const edit = (patch: Partial<RulesForm>): void => { setForm((f) => ({ ...f, ...patch })); setDirty(true); setApply({ kind: 'idle' }); };

  const switchMode = (next: Mode): void => {
    if (next === mode) return;
    if (next === 'json') { setJson(rulesToJson(rulesFromForm(form))); setMode('json'); return; }
    const parsed = parseRulesJson(json);
    if (!parsed.ok) { setApply({ kind: 'error', message: `${parsed.error} — fix the JSON to go back to the form` }); return; }
    setForm(formFromRules(parsed.rules));
    setMode('form');
  };

  const submit = (ev: FormEvent): void => {
    ev.preventDefault();
    let body: Record<string, unknown>;
    if (mode === 'json') {
      const parsed = parseRulesJson(json);
      if (!parsed.ok) { setApply({ kind: 'error', message: parsed.error }); return; }
      body = parsed.rules;
    } else {
      body = { ...rulesFromForm(form) };
    }
    setApply({ kind: 'pending' });
    putRules(body).then((r) => {
      setApply({ kind: 'ok', pushed: r.pushed });
      setCurrent(r);
      setForm(formFromRules(r.rules));
      setJson(rulesToJson(rulesFromForm(formFromRules(r.rules))));
      setDirty(false);
    }, (err: unknown) => setApply({ kind: 'error', message: errorText(err) }));
  };

  const f = (name: string): string => `${id}-${name}`;
  return (
    <section className="dash-card rules-editor" aria-labelledby={f('title')} data-testid="rules-editor">
      <h3 className="card-title" id={f('title')}>Targeting rules</h3>
      <div className="rules-source">
        {current === null
          ? <span className="muted">{loadError === null ? 'Loading the rules…' : ''}</span>
          : current.source === 'hub'
            ? <span>In force, set on the hub: <b>{describeRules(current.rules)}</b></span>
            : <span>No rules set on the hub; the workers follow: <b>{describeRules(current.rules)}</b></span>}
        {loadError !== null ? <span className="err-text" role="alert">Could not read the rules: {loadError}</span> : null}
      </div>
      <form onSubmit={submit} noValidate>
        <div className="seg rules-mode" role="group" aria-label="Edit as">
          <button type="button" aria-pressed={mode === 'form'} onClick={() => switchMode('form')}>Form</button>
          <button type="button" aria-pressed={mode === 'json'} onClick={() => switchMode('json')}>JSON</button>
          {dirty ? <span className="muted">edited, not applied</span> : null}
        </div>
        {mode === 'form' ? (
          <div className="rules-fields">
            <label htmlFor={f('ns')}>Namespaces</label>
            <input id={f('ns')} type="text" value={form.namespaces} placeholder="all namespaces" spellCheck={false}
              aria-describedby={f('ns-help')} onChange={(e) => edit({ namespaces: e.target.value })} />
            <small id={f('ns-help')} className="muted">Comma- or space-separated; empty: every namespace.</small>

            <label htmlFor={f('ex')}>Excluded namespaces</label>
            <input id={f('ex')} type="text" value={form.excludedNamespaces} placeholder="none" spellCheck={false}
              aria-describedby={f('ex-help')} onChange={(e) => edit({ excludedNamespaces: e.target.value })} />
            <small id={f('ex-help')} className="muted">Never captured; wins over Namespaces.</small>

            <label htmlFor={f('re')}>Pod name regex</label>
            <input id={f('re')} type="text" className="mono" value={form.podRegex} placeholder="any pod" spellCheck={false}
              aria-describedby={f('re-help')} onChange={(e) => edit({ podRegex: e.target.value })} />
            <small id={f('re-help')} className="muted">Searched in the pod name, as Kubeshark’s positional regex (e.g. <code>catalo.*</code>, <code>(?i)web</code>).</small>

            <label htmlFor={f('sel')}>Label selector</label>
            <input id={f('sel')} type="text" className="mono" value={form.selector} placeholder="any labels" spellCheck={false}
              aria-describedby={f('sel-help')} onChange={(e) => edit({ selector: e.target.value })} />
            <small id={f('sel-help')} className="muted">kubectl syntax, e.g. <code>app=web,tier in (front,back)</code>.</small>

            <span className="rules-check">
              <input id={f('hn')} type="checkbox" checked={form.includeHostNetwork} onChange={(e) => edit({ includeHostNetwork: e.target.checked })} />
              <label htmlFor={f('hn')}>Include host-network pods <span className="muted">(captures their whole node)</span></label>
            </span>
          </div>
        ) : (
          <div className="rules-json">
            <label htmlFor={f('json')}>Rules as JSON <span className="muted">(keys: podRegex, namespaces, excludedNamespaces, selector, includeHostNetwork)</span></label>
            <textarea id={f('json')} className="mono" rows={9} spellCheck={false} value={json}
              onChange={(e) => { setJson(e.target.value); setDirty(true); setApply({ kind: 'idle' }); }} />
          </div>
        )}
        <div className="rules-actions">
          <button type="submit" className="primary" disabled={apply.kind === 'pending'} data-testid="rules-apply">
            {apply.kind === 'pending' ? 'Applying…' : 'Apply to all workers'}
          </button>
          <button type="button" onClick={load} disabled={apply.kind === 'pending'}>Reload</button>
        </div>
        <div className="rules-result" aria-live="polite">
          {apply.kind === 'error' ? <p className="err-text" role="alert" data-testid="rules-error">{apply.message}</p> : null}
          {apply.kind === 'ok' ? <p className="ok-text" role="status">Applied{apply.pushed !== undefined ? `; sent to ${apply.pushed} worker${apply.pushed === 1 ? '' : 's'}` : ''}.</p> : null}
        </div>
      </form>
    </section>
  );
}

/**
 * The filter bar: the query language with colours, the parser's error under
 * the faulty token, completion of field names and known values, and history.
 * Enter applies a valid filter; the applied one lives in the URL (App).
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { parseFilter } from '../../../src/query/parser.js';
import { FilterError } from '../../../src/query/errors.js';
import { highlight } from './highlight.js';
import { applyCompletion, completionContext, fieldSuggestions, valueLiteral, type CompletionContext } from './complete.js';
import { loadHistory, remember } from './history.js';
import { fetchFields, fetchValues } from '../api.js';

export interface FilterProblem { column: number; message: string }

/** The parser's verdict on the text: null when valid (empty is valid: everything). */
export function checkFilter(text: string): FilterProblem | null {
  if (text.trim() === '') return null;
  try {
    parseFilter(text);
    return null;
  } catch (err) {
    if (err instanceof FilterError) return { column: err.column, message: err.detail };
    return { column: 1, message: err instanceof Error ? err.message : String(err) };
  }
}

interface Suggestion { label: string; insert: string; detail?: string }

const storage = (): Storage | undefined => { try { return window.localStorage; } catch { return undefined; } };

export function FilterBar(props: { value: string; onApply: (filter: string) => void; serverError?: FilterProblem | null }): JSX.Element {
  const [text, setText] = useState(props.value);
  const [cursor, setCursor] = useState(props.value.length);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [fields, setFields] = useState<string[]>([]);
  const [values, setValues] = useState<Suggestion[]>([]);
  const [history, setHistory] = useState<string[]>(() => loadHistory(storage()));
  const [showHistory, setShowHistory] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const overlay = useRef<HTMLDivElement>(null);

  useEffect(() => { setText(props.value); }, [props.value]);
  useEffect(() => {
    fetchFields().then((r) => setFields(r.fields.map((f) => f.name)), () => { /* older hub: the built-in list serves */ });
  }, []);

  const problem = useMemo(() => checkFilter(text), [text]);
  const shown = problem ?? (text === props.value ? props.serverError ?? null : null);
  const spans = useMemo(() => highlight(text), [text]);
  const ctx: CompletionContext = useMemo(() => completionContext(text, cursor), [text, cursor]);

  useEffect(() => {
    if (ctx.kind !== 'value') { setValues([]); return; }
    let stale = false;
    const t = setTimeout(() => {
      fetchValues(ctx.field, ctx.prefix).then(
        (r) => { if (!stale) setValues(r.values.map((v) => ({ label: String(v.value), insert: valueLiteral(v.value), detail: `${v.count}` }))); },
        () => { if (!stale) setValues([]); },
      );
    }, 120);
    return () => { stale = true; clearTimeout(t); };
  }, [ctx.kind, ctx.kind === 'value' ? ctx.field : '', ctx.kind === 'value' ? ctx.prefix : '']);

  const suggestions: Suggestion[] = showHistory
    ? history.map((h) => ({ label: h, insert: h }))
    : ctx.kind === 'field' ? fieldSuggestions(ctx.prefix, fields).map((f) => ({ label: f, insert: f }))
    : ctx.kind === 'value' ? values : [];
  const listOpen = (open || showHistory) && suggestions.length > 0;

  const apply = (t: string): void => {
    if (checkFilter(t) !== null) return;
    setHistory((h) => remember(storage(), h, t));
    setOpen(false);
    setShowHistory(false);
    props.onApply(t.trim());
  };

  const choose = (s: Suggestion): void => {
    if (showHistory) { setText(s.insert); setShowHistory(false); apply(s.insert); return; }
    const next = applyCompletion(text, ctx, s.insert);
    setText(next.text);
    setCursor(next.cursor);
    setActive(0);
    requestAnimationFrame(() => { input.current?.setSelectionRange(next.cursor, next.cursor); input.current?.focus(); });
  };

  const onKey = (ev: KeyboardEvent<HTMLInputElement>): void => {
    if (listOpen && (ev.key === 'ArrowDown' || ev.key === 'ArrowUp')) {
      ev.preventDefault();
      setActive((a) => (a + (ev.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
    } else if (listOpen && (ev.key === 'Tab' || (ev.key === 'Enter' && open && active >= 0 && suggestions[active] !== undefined && (showHistory || ev.ctrlKey || ctx.kind !== 'none')))) {
      if (ev.key === 'Enter' && !showHistory && ctx.kind === 'field' && ctx.prefix !== '' && suggestions[active]?.insert === ctx.prefix) return;
      ev.preventDefault();
      choose(suggestions[active]!);
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      apply(text);
    } else if (ev.key === 'Escape') {
      setOpen(false);
      setShowHistory(false);
    } else if (ev.key === 'ArrowDown' && ev.altKey) {
      ev.preventDefault();
      setShowHistory(true);
      setActive(0);
    }
  };

  const sync = (): void => {
    const el = input.current;
    if (el === null) return;
    setCursor(el.selectionStart ?? el.value.length);
    if (overlay.current !== null) overlay.current.scrollLeft = el.scrollLeft;
  };

  const errAt = shown === null ? -1 : Math.min(shown.column - 1, text.length);
  return (
    <div className="filter-bar" data-testid="filter-bar">
      <div className={`filter-box${shown !== null ? ' has-error' : ''}`}>
        <div className="filter-overlay mono" ref={overlay} aria-hidden="true">
          {spans.map((s) => (
            <span key={s.from} className={`tok-${s.kind}${errAt >= s.from && errAt < s.to ? ' tok-error' : ''}`}>{text.slice(s.from, s.to)}</span>
          ))}
          {errAt >= text.length && shown !== null ? <span className="tok-error tok-eol"> </span> : null}
        </div>
        <input
          ref={input} className="filter-input mono" value={text} spellCheck={false} autoComplete="off"
          placeholder='filter, e.g. http and response.status >= 500 — Enter applies, Alt+↓ history'
          aria-label="Filter" aria-invalid={shown !== null} aria-describedby="filter-error" role="combobox"
          aria-expanded={listOpen} aria-controls="filter-suggestions" aria-autocomplete="list"
          onChange={(e) => { setText(e.target.value); setCursor(e.target.selectionStart ?? e.target.value.length); setOpen(true); setShowHistory(false); setActive(0); }}
          onKeyDown={onKey} onKeyUp={sync} onClick={sync} onSelect={sync} onScroll={sync}
          onBlur={() => setTimeout(() => { setOpen(false); setShowHistory(false); }, 150)}
        />
        {listOpen ? (
          <ul className="filter-suggestions" id="filter-suggestions" role="listbox" data-testid="filter-suggestions">
            {suggestions.map((s, i) => (
              <li key={`${s.label}-${i}`} role="option" aria-selected={i === active} className={i === active ? 'active' : ''}
                onMouseDown={(e) => { e.preventDefault(); choose(s); }}>
                <span className="mono">{s.label}</span>{s.detail !== undefined ? <span className="muted"> {s.detail}</span> : null}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <button type="button" onClick={() => apply(text)} disabled={problem !== null} title="Apply (Enter)">Apply</button>
      <button type="button" onClick={() => { setShowHistory((v) => !v); setActive(0); input.current?.focus(); }} aria-label="Filter history" title="History (Alt+↓)">History</button>
      {text !== '' ? <button type="button" onClick={() => { setText(''); apply(''); }} aria-label="Clear filter">Clear</button> : null}
      <div id="filter-error" className="filter-error" role="status" data-testid="filter-error">
        {shown !== null ? (
          <>
            <span className="mono filter-caret">{`${' '.repeat(Math.max(0, errAt))}^`}</span>
            <span className="err-text">column {shown.column}: {shown.message}</span>
          </>
        ) : null}
      </div>
    </div>
  );
}

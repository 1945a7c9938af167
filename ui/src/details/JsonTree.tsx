/**
 * A collapsible tree of any JSON value. Children render only when opened
 * (bodies can be large); leaves can be clicked to add them to the filter.
 * Everything is rendered as text by React, never as HTML.
 */
import { useState } from 'react';

export type Pick = (keys: Array<string | number>, value: string | number | boolean | null) => void;

const MAX_CHILDREN = 500;

function Leaf(props: { value: unknown; keys: Array<string | number>; onPick?: Pick | undefined }): JSX.Element {
  const v = props.value;
  const cls = v === null ? 'j-null' : typeof v === 'string' ? 'j-str' : typeof v === 'number' ? 'j-num' : 'j-bool';
  const text = typeof v === 'string' ? JSON.stringify(v) : String(v);
  if (props.onPick === undefined) return <span className={cls}>{text}</span>;
  const pick = props.onPick;
  return (
    <button type="button" className={`j-leaf ${cls}`} title="Add to filter" onClick={() => pick(props.keys, v as string | number | boolean | null)}>{text}</button>
  );
}

export function JsonNode(props: { name?: string | number; value: unknown; keys: Array<string | number>; depth: number; openDepth: number; onPick?: Pick | undefined }): JSX.Element {
  const { value, depth } = props;
  const [open, setOpen] = useState(depth < props.openDepth);
  const label = props.name === undefined ? null : <span className="j-key">{typeof props.name === 'number' ? `[${props.name}]` : props.name}: </span>;
  if (value === null || typeof value !== 'object') {
    return <div className="j-row">{label}<Leaf value={value} keys={props.keys} onPick={props.onPick} /></div>;
  }
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value as Record<string, unknown>);
  const brief = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  return (
    <div className="j-row">
      <button type="button" className="j-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>{open ? '▾' : '▸'}</button>
      {label}<span className="muted">{brief}</span>
      {open ? (
        <div className="j-children">
          {entries.slice(0, MAX_CHILDREN).map(([k, v]) => (
            <JsonNode key={k} name={k} value={v} keys={[...props.keys, k]} depth={depth + 1} openDepth={props.openDepth} onPick={props.onPick} />
          ))}
          {entries.length > MAX_CHILDREN ? <div className="muted">… {entries.length - MAX_CHILDREN} more</div> : null}
        </div>
      ) : null}
    </div>
  );
}

export function JsonTree(props: { value: unknown; keys?: Array<string | number>; openDepth?: number; onPick?: Pick | undefined }): JSX.Element {
  return (
    <div className="json-tree mono" data-testid="json-tree">
      <JsonNode value={props.value} keys={props.keys ?? []} depth={0} openDepth={props.openDepth ?? 2} onPick={props.onPick} />
    </div>
  );
}

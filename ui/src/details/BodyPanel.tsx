/** A body by its type: JSON tree, form table, text, image preview or hex, with its size, type and flags. */
import { useMemo, useState } from 'react';
import type { HttpBody } from '../../../src/entries/types.js';
import { bodyView, hexDump } from './body.js';
import { JsonTree, type Pick } from './JsonTree.js';
import { formatBytes } from '../entries/row.js';

export function BodyPanel(props: { body: HttpBody | null; keys: Array<string | number>; onPick?: Pick | undefined }): JSX.Element {
  const view = useMemo(() => bodyView(props.body), [props.body]);
  const [raw, setRaw] = useState(false);
  const b = props.body;
  if (b === null || view.kind === 'empty') return <div className="muted">no body</div>;
  return (
    <div className="body-panel" data-testid="body" data-kind={view.kind}>
      <div className="body-meta muted">
        {formatBytes(b.size)} · {b.mimeType || 'no type'}{b.decodedFrom !== undefined ? ` · decoded from ${b.decodedFrom}` : ''}
        {b.truncated ? <span className="warn-text"> · truncated (kept {formatBytes(b.encoding === 'base64' ? Math.floor(b.content.length * 3 / 4) : b.content.length)})</span> : null}
        {view.kind === 'json' || view.kind === 'form' ? <button type="button" className="link-btn" onClick={() => setRaw(!raw)}>{raw ? 'tree' : 'raw'}</button> : null}
      </div>
      {raw && view.kind === 'json' ? <pre className="body-text">{JSON.stringify(view.value, null, 2)}</pre>
        : raw && view.kind === 'form' ? <pre className="body-text">{b.content}</pre>
        : view.kind === 'json' ? <JsonTree value={view.value} keys={[...props.keys, 'content']} openDepth={3} onPick={props.onPick} />
        : view.kind === 'form' ? (
          <table className="kv"><tbody>{view.fields.map(([k, v], i) => <tr key={i}><th className="mono">{k}</th><td className="mono">{v}</td></tr>)}</tbody></table>
        )
        : view.kind === 'image' ? <img className="body-image" src={view.dataUrl} alt={`${view.mimeType} body`} />
        : view.kind === 'binary' ? <pre className="body-text hex">{hexDump(view.bytes)}</pre>
        : <pre className="body-text">{view.text}</pre>}
    </div>
  );
}

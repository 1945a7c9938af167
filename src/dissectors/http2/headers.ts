/**
 * A decoded header list split into pseudo-headers and a header record in the
 * HTTP entry's shape: names lower-case, repeats joined with ", " (cookie
 * crumbs with "; ", RFC 9113 §8.2.3). Pseudo-headers do not go into the
 * record; they become method, path, host, scheme and status.
 */
export interface SplitHeaders {
  method: string;
  path: string;
  scheme: string;
  authority: string;
  status: string;
  /** Regular fields. */
  record: Record<string, string>;
  /** An upper-case name, a pseudo-header after a regular field, or an unknown pseudo-header. */
  violation: boolean;
}

export function splitHeaders(fields: ReadonlyArray<readonly [string, string]>): SplitHeaders {
  const out: SplitHeaders = { method: '', path: '', scheme: '', authority: '', status: '', record: {}, violation: false };
  const rec = out.record;
  let regular = false;
  for (const [name, value] of fields) {
    if (name.charCodeAt(0) === 58 /* : */) {
      if (regular) out.violation = true;
      switch (name) {
        case ':method': out.method = value; break;
        case ':path': out.path = value; break;
        case ':scheme': out.scheme = value; break;
        case ':authority': out.authority = value; break;
        case ':status': out.status = value; break;
        case ':protocol': break; // extended CONNECT (RFC 8441)
        default: out.violation = true;
      }
      continue;
    }
    regular = true;
    if (name !== name.toLowerCase()) out.violation = true;
    const key = name.toLowerCase();
    const prev = rec[key];
    if (typeof prev === 'string') rec[key] = prev + (key === 'cookie' ? '; ' : ', ') + value;
    else if (key === '__proto__') Object.defineProperty(rec, key, { value, enumerable: true, writable: true, configurable: true });
    else rec[key] = value;
  }
  return out;
}

/** A filter path for a value found at `keys` in an entry: `.name` for plain keys, `["any key"]` otherwise, `[i]` in arrays. */
export function filterPath(keys: ReadonlyArray<string | number>): string {
  let out = '';
  for (const k of keys) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) out += out === '' ? k : `.${k}`;
    else out += `[${JSON.stringify(k)}]`;
  }
  return out;
}

/** Is the value at `keys` one the hub masked? (`redacted` lists dotted paths such as `request.headers.authorization`.) */
export function isRedacted(redacted: readonly string[] | undefined, keys: ReadonlyArray<string | number>): boolean {
  if (redacted === undefined || redacted.length === 0) return false;
  const dotted = keys.join('.');
  return redacted.some((r) => r === dotted || dotted.startsWith(`${r}.`));
}

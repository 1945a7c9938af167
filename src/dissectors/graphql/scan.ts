/**
 * GraphQL document scan: the operation a document runs, without a parser.
 * Walks the text once (bounded by MAX_GRAPHQL_SCAN_CHARS), skipping
 * whitespace, commas, `#` comments, strings and block strings, and tracking
 * brace and parenthesis depth; at depth 0 it reads definition keywords.
 * Never throws: anything it cannot read is "not a GraphQL document" (null).
 */

export type GraphqlOperationType = 'query' | 'mutation' | 'subscription';

/** Characters of a document scanned at most; a document whose operation starts later is not recognized. */
export const MAX_GRAPHQL_SCAN_CHARS = 256 * 1024;

export interface ScannedOperation {
  operationType: GraphqlOperationType;
  operationName: string | null;
}

const isNameStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 48 && c <= 57);

/**
 * The operation of `doc`: the one named `wanted` when given and present,
 * else the first; an anonymous `{ ... }` is a query. Null when the document
 * does not start with executable definitions, has an unterminated string,
 * or has no complete operation (its selection set closed) within the scan limit.
 */
export function scanOperation(doc: string, wanted: string | null = null): ScannedOperation | null {
  const end = Math.min(doc.length, MAX_GRAPHQL_SCAN_CHARS);
  let first: ScannedOperation | null = null;
  let depth = 0;
  /** At depth 0: what the current definition is ('' before one starts). */
  let def: '' | 'op' | 'fragment' = '';
  let pending: ScannedOperation | null = null; // operation seen at depth 0, waiting for its `{`
  let open: ScannedOperation | null = null;    // operation whose selection set is open
  let expectName = false;
  let i = 0;
  while (i < end) {
    const c = doc.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 44 || c === 0xfeff) { i++; continue; }
    if (c === 35) { // # comment to end of line
      while (i < end && doc.charCodeAt(i) !== 10 && doc.charCodeAt(i) !== 13) i++;
      continue;
    }
    if (c === 34) { // string or block string
      const j = skipString(doc, i, end);
      if (j < 0) return null;
      i = j;
      expectName = false;
      continue;
    }
    if (c === 123 || c === 40 || c === 91) { // { ( [
      if (depth === 0 && c === 123) {
        if (def === '') { def = 'op'; pending = { operationType: 'query', operationName: null }; } // anonymous query
        open = pending;
        pending = null;
      }
      depth++;
      expectName = false;
      i++;
      continue;
    }
    if (c === 125 || c === 41 || c === 93) { // } ) ]
      if (depth === 0) return first; // unbalanced: keep what was found
      depth--;
      if (depth === 0 && c === 125) {
        def = '';
        if (open !== null) { // an operation's selection set closed: it is complete
          if (first === null) first = open;
          if (wanted === null || open.operationName === wanted) return open;
          open = null;
        }
      }
      i++;
      continue;
    }
    if (isNameStart(c)) {
      let j = i + 1;
      while (j < end && isNameChar(doc.charCodeAt(j))) j++;
      if (depth === 0) {
        const word = doc.slice(i, j);
        if (def === '') {
          if (word === 'query' || word === 'mutation' || word === 'subscription') {
            def = 'op';
            pending = { operationType: word, operationName: null };
            expectName = true;
          } else if (word === 'fragment') {
            def = 'fragment';
          } else {
            return first; // a type definition or prose: not an executable document
          }
        } else if (expectName && pending !== null) {
          pending.operationName = word;
          expectName = false;
        }
      }
      i = j;
      continue;
    }
    // $ @ : ! = | & . and anything else: punctuation or values, nothing to read.
    expectName = false;
    i++;
  }
  return depth === 0 ? first : null; // an unclosed selection set: cut or not GraphQL
}

/** Index after the string starting at `i` (a `"` ), or -1 when it does not end before `end`. */
function skipString(doc: string, i: number, end: number): number {
  if (doc.startsWith('"""', i)) {
    let j = i + 3;
    while (j < end) {
      const c = doc.charCodeAt(j);
      if (c === 92 && doc.startsWith('\\"""', j)) { j += 4; continue; }
      if (c === 34 && doc.startsWith('"""', j)) return j + 3;
      j++;
    }
    return -1;
  }
  let j = i + 1;
  while (j < end) {
    const c = doc.charCodeAt(j);
    if (c === 92) { j += 2; continue; }
    if (c === 34) return j + 1;
    if (c === 10 || c === 13) return -1;
    j++;
  }
  return -1;
}

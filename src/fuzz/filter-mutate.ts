/**
 * Filter text for the filter target: new filters from the grammar-aware
 * generator the property test uses (query/property-support.ts), and
 * token-level mutations of known filters — tokens replaced, dropped,
 * repeated or swapped, keywords and operators dropped in, two filters joined,
 * and text pushed right up to (and one past) each limit in query/limits.ts.
 */
import { formatFilter } from '../query/format.js';
import { MAX_ARITH_TERMS, MAX_FILTER_LENGTH, MAX_INDEX, MAX_LIST_ITEMS, MAX_NESTING_DEPTH, MAX_PATH_SEGMENTS, MAX_REGEX_LENGTH } from '../query/limits.js';
import { generator, randomFilter, type Generator } from '../query/property-support.js';
import { type MutateContext, mutateBytes } from './bytes-mutate.js';
import type { Rng } from './rng.js';

const TOKEN = /\s+|r?"(?:\\.|[^"\\])*"?|r?'(?:\\.|[^'\\])*'?|[A-Za-z_][\w-]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?|&&|\|\||[=!<>]=|./gsu;

export const FILTER_WORDS = [
  'and', 'or', 'not', 'in', 'true', 'false', 'null', 'now()', 'seconds(1)', 'minutes(-5)', 'hours(0.5)', 'days(', '.startsWith("', '.endsWith(',
  '.contains(', '.matches(r"', 'r"', "r'", '"', "'", '==', '!=', '<', '<=', '>', '>=', '&&', '||', '!', '(', ')', '[', ']', ',', '+', '-', '.',
  'http', 'dns', 'redis', 'grpc', 'tcp', 'udp', 'ws', 'request.path', 'response.status', 'src.ip', 'dst.port', 'flags[0]', 'request.headers["x-a"]',
  'timestamp', 'elapsedTime', '1e308', '-0', '0x10', '9007199254740993', '1.5e-7', 'NaN', 'Infinity', 'é', '😀', '\uE000', '\\"', '\\u00e9', '\\x41',
  '\\', '\0', '[0-9]+', '(a|b)*', '\\1', '(?=a)', '.*', '[', '{2,}',
];
const CHARS_PER_UNIT = 8;
/** Mutated filters are cut to this: past MAX_FILTER_LENGTH (so the limit is tested) but bounded. */
const MAX_TEXT_CHARS = 2 * MAX_FILTER_LENGTH;

let gen: Generator | undefined;

/** A fresh filter from the grammar (formatted, so it parses). */
export function generatedFilter(rng: Rng, entries: readonly unknown[]): string {
  gen ??= generator(() => rng.float(), entries);
  return formatFilter(randomFilter({ ...gen, r: () => rng.float() }));
}

/** Text right at a limit, or one past it. */
function atLimit(rng: Rng): string {
  const over = rng.int(2);
  switch (rng.int(7)) {
    case 0: return '('.repeat(MAX_NESTING_DEPTH - 1 + over) + 'true' + ')'.repeat(MAX_NESTING_DEPTH - 1 + over);
    case 1: return '!'.repeat(MAX_NESTING_DEPTH + over) + 'http';
    case 2: return `request.path == r"${'a'.repeat(MAX_REGEX_LENGTH + over)}"`;
    case 3: return `dst.port in [${Array.from({ length: MAX_LIST_ITEMS + over }, (_, i) => i).join(',')}]`;
    case 4: return `elapsedTime${' + 1'.repeat(MAX_ARITH_TERMS - 1 + over)} > 0`;
    case 5: return `request${'.a'.repeat(MAX_PATH_SEGMENTS - 1 + over)}`;
    default: return rng.chance(0.5) ? `flags[${MAX_INDEX + over}]` : `"${'x'.repeat(MAX_FILTER_LENGTH - 2 + over)}"`.slice(0, MAX_FILTER_LENGTH + over);
  }
}

function tokenMutation(text: string, other: string, rng: Rng): string {
  const t = text.match(TOKEN) ?? [];
  const i = rng.int(t.length);
  switch (rng.int(9)) {
    case 0: if (t.length > 0) t[i] = rng.pick(FILTER_WORDS); break;
    case 1: if (t.length > 0) t.splice(i, 1); break;
    case 2: if (t.length > 0) t.splice(i, 0, t[i]); break;
    case 3: { const j = rng.int(t.length); if (t.length > 1) [t[i], t[j]] = [t[j], t[i]]; break; }
    case 4: t.splice(rng.int(t.length + 1), 0, ` ${rng.pick(FILTER_WORDS)} `); break;
    case 5: return `${text} ${rng.pick(['and', 'or', '&&', '||'])} ${other}`;
    case 6: return rng.chance(0.5) ? `!(${text})` : `(${text})`;
    case 7: if (t.length > 0) t[i] = t[i].repeat(1 + rng.size(CHARS_PER_UNIT * 64)); break;
    default: return atLimit(rng);
  }
  return t.join('');
}

/** One new filter text from `input` (UTF-8). */
export function mutateFilter(input: Uint8Array, cx: MutateContext, rounds: number, entries: readonly unknown[]): Uint8Array {
  const { rng } = cx;
  if (rng.chance(0.2)) return Buffer.from(generatedFilter(rng, entries), 'utf8');
  if (rng.chance(0.15)) {
    let b = input;
    for (let k = 0; k < rounds; k++) b = mutateBytes(b, cx);
    return b;
  }
  let text = Buffer.from(input).toString('utf8');
  const other = Buffer.from(cx.other()).toString('utf8');
  // Cut after every round: repeated tokens would otherwise grow past any string length.
  for (let k = 0; k < rounds; k++) text = tokenMutation(text, other, rng).slice(0, MAX_TEXT_CHARS);
  return Buffer.from(text, 'utf8');
}

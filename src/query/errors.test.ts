import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FilterError } from './errors.js';
import { parseFilter } from './parser.js';
import {
  MAX_ARITH_TERMS, MAX_FILTER_LENGTH, MAX_INDEX, MAX_LIST_ITEMS, MAX_NESTING_DEPTH, MAX_PATH_SEGMENTS, MAX_REGEX_LENGTH,
} from './limits.js';

function error(text: string): FilterError {
  try {
    parseFilter(text);
  } catch (err) {
    assert.ok(err instanceof FilterError, `not a FilterError: ${String(err)}`);
    assert.equal(err.name, 'FilterError');
    assert.equal(err.message, `column ${err.column}: ${err.detail}`);
    return err;
  }
  assert.fail(`parsed without error: ${text}`);
}

/** [filter, column, message] — every way a filter can be wrong, with where and what. */
const ERRORS: Array<[string, number, string | RegExp]> = [
  ['', 1, 'expected a condition, found end of input'],
  ['response.status ==', 19, 'expected a value after "==", found end of input'],
  ['response.status == )', 20, 'expected a value after "==", found ")"'],
  ['response.status = 500', 17, 'unexpected character "=" (use "==" to compare)'],
  ['http & dns', 6, 'unexpected character "&" (use "&&" or "and")'],
  ['http | dns', 6, 'unexpected character "|" (use "||" or "or")'],
  ['response.status == #', 20, 'unexpected character "#"'],
  ['(http and dns', 14, 'expected ")" to close the "(" at column 1, found end of input'],
  ['http and', 9, 'expected a condition, found end of input'],
  ['http && || dns', 9, 'expected a condition, found "||"'],
  [')', 1, 'expected a condition, found ")"'],
  ['not', 4, 'expected a condition, found end of input'],
  ['http dns', 6, 'expected "and", "or" or end of input, found "dns"'],
  ['http)', 5, 'expected "and", "or" or end of input, found ")"'],
  ['response.status == 1 == 2', 22, 'expected "and", "or" or end of input, found "=="'],
  ['request.path.startsWith(5)', 25, 'expected a string in startsWith(), found number 5'],
  ['request.path.endsWith()', 23, 'expected a string in endsWith(), found ")"'],
  ['request.path.matches(5)', 22, 'expected a regex r"..." or a string in matches(), found number 5'],
  ['request.path.contains(request.method)', 23, 'expected a string or other literal in contains(), found "request"'],
  ['request.path.startsWith("/a"', 29, 'expected ")" to close startsWith(, found end of input'],
  ['request.path.lower()', 14, /^unknown method "lower"; methods are startsWith, endsWith, contains, matches$/],
  ['"abc".foo', 7, /^only fields have members; "foo" is not a method/],
  ['request.', 9, 'expected a field name or a method after ".", found end of input'],
  ['reqest.path == "/"', 1, /^unknown field "reqest"; a field starts with one of id, protocol, .*request, response/],
  ['http.version == 2', 1, '"http" is a protocol macro: it stands alone as a condition, as in "http and ..."'],
  ['response.status == dns', 20, '"dns" is a protocol macro: it stands alone as a condition, as in "dns and ..."'],
  ['response.status > r"5.."', 19, 'a regex can only follow "==" or "!=", not ">"'],
  ['r"a" == request.path', 1, 'a regex can only follow "==" or "!=", or be the argument of matches()'],
  ['request.path == "abc', 17, 'expected a closing " for the string that starts here, found end of input'],
  ['request.path == r"abc\\"', 17, 'expected a closing " for the regex that starts here, found end of input'],
  ['request.path == "\\x41"', 18, 'unknown escape "\\x" in a string (use r"..." for regex sources)'],
  ['request.path == "\\u12"', 18, 'expected four hex digits after "\\u", found "12""'],
  ['request.path == "\\ud800"', 17, 'a string holds half of a surrogate pair (not valid Unicode)'],
  ['request.path == r"(a)\\1"', 17, /^invalid regex r"\(a\)\\1": it cannot run in linear time/],
  ['request.path == r"(?=a)b"', 17, /^invalid regex .*: it cannot run in linear time/],
  ['request.path == r"(?<!a)b"', 17, /^invalid regex .*: it cannot run in linear time/],
  ['request.path == r"(abc"', 17, /^invalid regex r"\(abc": unterminated group$/],
  ['request.path.matches("[")', 22, /^invalid regex r"\[": unterminated character class$/],
  ['response.status in [1, 2', 25, 'expected "," or "]" in the list, found end of input'],
  ['response.status in [request.path]', 21, 'lists hold only literals (strings, numbers, true, false, null)'],
  ['response.status in 200', 20, 'expected "[" after "in", found number 200'],
  ['foo() == 1', 1, /^unknown function "foo"; functions are now\(\), seconds\(n\), minutes\(n\), hours\(n\), days\(n\)$/],
  ['timestamp > minutes("5")', 21, 'expected a number in minutes(), found string "5"'],
  ['timestamp > now(1)', 17, 'expected ")" after "now(", found number 1'],
  ['timestamp > days(1e307)', 18, 'days(1e307) is out of range'],
  ['request.headers[', 17, 'expected an index or a quoted key after "[", found end of input'],
  ['request.questions[1.5]', 19, `expected an index from 0 to ${MAX_INDEX}, found number 1.5`],
  ['request.questions[0', 20, 'expected "]" after the index or key, found end of input'],
  ['request.path.startsWith("/a") == true', 31, 'startsWith() is already a condition; it cannot be compared with "=="'],
  ['elapsedTime + request.path.contains("x") > 1', 15, 'contains() is a condition; it cannot be added or subtracted'],
  ['elapsedTime > flags.contains("x")', 15, 'contains() is a condition, not a value'],
  ['response.status == 5abc', 20, 'expected a number, found "5a"'],
  ['response.status == 1.', 20, 'expected a number, found "1."'],
  ['response.status > 1e999', 19, 'number 1e999 is out of range'],
  ['response.status == and', 20, 'expected a value after "==", found "and"'],
];

for (const [text, column, message] of ERRORS) {
  test(`error: ${JSON.stringify(text)}`, () => {
    const e = error(text);
    assert.equal(e.column, column, `column (${e.detail})`);
    if (typeof message === 'string') assert.equal(e.detail, message);
    else assert.match(e.detail, message);
  });
}

test('limit: filter length', () => {
  const ok = `request.path == "${'a'.repeat(MAX_FILTER_LENGTH - 18)}"`;
  assert.equal(ok.length, MAX_FILTER_LENGTH);
  assert.doesNotThrow(() => parseFilter(ok));
  const e = error(`${ok} `);
  assert.equal(e.column, MAX_FILTER_LENGTH + 1);
  assert.equal(e.detail, `filter is ${MAX_FILTER_LENGTH + 1} characters long; the limit is ${MAX_FILTER_LENGTH} (MAX_FILTER_LENGTH)`);
});

test('limit: nesting depth of parentheses and not', () => {
  const n = MAX_NESTING_DEPTH;
  assert.doesNotThrow(() => parseFilter(`${'('.repeat(n)}http${')'.repeat(n)}`));
  assert.doesNotThrow(() => parseFilter(`${'!'.repeat(n)}http`));
  assert.doesNotThrow(() => parseFilter(`${'!('.repeat(n / 2)}http${')'.repeat(n / 2)}`));
  for (const deep of [`${'('.repeat(n + 1)}http${')'.repeat(n + 1)}`, `${'!'.repeat(n + 1)}http`, `${'not '.repeat(n + 1)}http`]) {
    const e = error(deep);
    assert.equal(e.detail, `parentheses and "not" nest deeper than ${n} levels (MAX_NESTING_DEPTH)`);
  }
  assert.equal(error(`${'('.repeat(n + 1)}http`).column, n + 1);
});

test('limit: list items, path segments, sum terms, regex length', () => {
  assert.doesNotThrow(() => parseFilter(`src.port in [${Array(MAX_LIST_ITEMS).fill(1).join(',')}]`));
  assert.match(error(`src.port in [${Array(MAX_LIST_ITEMS + 1).fill(1).join(',')}]`).detail, /MAX_LIST_ITEMS/);
  assert.doesNotThrow(() => parseFilter(`request${'.a'.repeat(MAX_PATH_SEGMENTS - 1)}`));
  assert.match(error(`request${'.a'.repeat(MAX_PATH_SEGMENTS)}`).detail, /MAX_PATH_SEGMENTS/);
  assert.doesNotThrow(() => parseFilter(`elapsedTime${' + 1'.repeat(MAX_ARITH_TERMS - 1)} > 0`));
  assert.match(error(`elapsedTime${' + 1'.repeat(MAX_ARITH_TERMS)} > 0`).detail, /MAX_ARITH_TERMS/);
  assert.doesNotThrow(() => parseFilter(`request.path == r"${'a'.repeat(MAX_REGEX_LENGTH)}"`));
  const long = error(`request.path == r"${'a'.repeat(MAX_REGEX_LENGTH + 1)}"`);
  assert.equal(long.column, 17);
  assert.match(long.detail, /MAX_REGEX_LENGTH/);
  assert.match(error(`request.questions[${MAX_INDEX + 1}]`).detail, /expected an index from 0/);
});

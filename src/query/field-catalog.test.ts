import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { parseFilter } from './parser.js';
import { dottedName } from './fields.js';
import { FIELD_CATALOG, macroCatalog } from './field-catalog.js';
import { MACROS } from './macros.js';

const DOC = readFileSync(join(packageRoot(), 'docs', 'fields.md'), 'utf8');

/** Documented: the whole path in backquotes somewhere, or its last key as a table row of docs/fields.md. */
function documented(name: string): boolean {
  const leaf = name.split('.').pop()!;
  return DOC.includes(`\`${name}\``) || DOC.includes(`| \`${leaf}\` |`);
}

test('every catalog field parses as that field, once, and is documented in docs/fields.md', () => {
  const seen = new Set<string>();
  for (const f of FIELD_CATALOG) {
    assert.ok(!seen.has(f.name), `${f.name} listed twice`);
    seen.add(f.name);
    const e = parseFilter(f.name);
    assert.ok(e.kind === 'truthy' && e.value.kind === 'field', `${f.name} parses as a field`);
    assert.equal(dottedName(e.value.path), f.name);
    assert.ok(documented(f.name), `${f.name} is documented in docs/fields.md`);
    assert.ok(f.description.length > 0 && !f.description.includes('\n'), `${f.name}: one-line description`);
  }
});

test('the macro catalog lists every macro', () => {
  assert.deepEqual(macroCatalog().map((m) => m.name), Object.keys(MACROS));
  assert.equal(macroCatalog().find((m) => m.name === 'http')?.description, 'protocol is http or http2 or grpc');
});

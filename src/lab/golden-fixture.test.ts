/**
 * Fast, non-root check of the checked-in golden capture: podtap's entries for
 * fixtures/golden/lab-http-dns.pcap must match lab-http-dns.expected.json,
 * which was written from the clients' side when the capture was recorded
 * (regenerate: see fixtures/golden/README.md).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixturePath } from '../util/paths.js';
import { compareGolden } from './golden/compare.js';
import { GOLDEN_NAME } from './golden/scenario.js';
import type { GoldenExpectation } from './golden/types.js';
import { podtapReadEntries, podtapSkipReason } from './podtap-cli.js';

const expectedFile = fixturePath('golden', `${GOLDEN_NAME}.expected.json`);
const skip = existsSync(expectedFile) ? podtapSkipReason() : `${expectedFile} is missing (regenerate with PODTAP_REGEN_GOLDEN=1)`;

test('podtap read matches the golden lab capture', { skip: skip ?? false }, async () => {
  const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as GoldenExpectation;
  const dir = await mkdtemp(join(tmpdir(), 'podtap-golden-fixture-'));
  try {
    const entries = await podtapReadEntries(fixturePath('golden', expected.capture), join(dir, 'entries.jsonl'));
    assert.deepEqual(compareGolden(entries, expected), []);
    const counts = (p: string) => entries.filter((e) => e.protocol === p).length;
    assert.deepEqual({ http: counts('http'), dns: counts('dns') }, { http: expected.http.length, dns: expected.dns.length });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

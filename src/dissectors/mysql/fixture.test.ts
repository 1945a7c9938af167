import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compareWithTruth, dissectFile, type Truth } from './test-support.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { DissectorRegistry, DISSECTORS } from '../registry.js';
import { readCaptureFile } from '../../capture/open.js';
import { mysqlSpec } from './index.js';

const PCAP = 'fixtures/mysql/mysql2-session.pcap';

test('recorded mysql2 session: entries match the client ground truth', async () => {
  const truth = JSON.parse(readFileSync('fixtures/mysql/mysql2-session.truth.json', 'utf8')) as Truth[];
  const { entries, stats } = await dissectFile(PCAP);
  assert.deepEqual(compareWithTruth(entries, truth), []);
  assert.deepEqual(stats.weirds, {});
  const sel = entries.find((e) => e.request?.query?.startsWith('SELECT id, name, born, weight'));
  assert.deepEqual(sel?.response?.columns, ['id', 'name', 'born', 'weight']);
  assert.deepEqual(sel?.response?.rows, [['1', 'Goofy', '2001-02-03', '12.5'], ['2', 'Garfield', null, '7.25'], ['3', 'Odie', '1999-12-31', '4']]);
  const ex = entries.find((e) => e.request?.command === 'COM_STMT_EXECUTE' && e.response?.status === 'RESULTSET');
  assert.deepEqual(ex?.response?.rows, [['2', 'Garfield', null], ['3', 'Odie', '1999-12-31']]);
  const ins = entries.find((e) => e.request?.query?.startsWith('INSERT'));
  assert.equal(ins?.response?.lastInsertId, 1);
});

test('throughput diagnostic: the recorded session replayed from memory through the pipeline', async (t) => {
  // Copy the records once (the reader reuses its buffers), then replay them: no file I/O in the measure.
  const records: Array<{ ts: number; linkType: number; iface: number; data: Uint8Array; origLength: number }> = [];
  await readCaptureFile(PCAP, { packet: (r: { ts: number; linkType: number; iface: number; data: Uint8Array; origLength: number }) => { records.push({ ...r, data: r.data.slice() }); } } as unknown as Pipeline);
  const rounds = 2000;
  let entries = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    const p = new Pipeline(() => { entries++; }, {}, new DissectorRegistry([...DISSECTORS, mysqlSpec]));
    for (const r of records) p.packet({ ...r, ts: r.ts + i * 10_000 });
    p.finish();
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const packets = rounds * records.length;
  t.diagnostic(`mysql: ${packets} packets, ${entries} entries in ${secs.toFixed(2)} s = ${Math.round(packets / secs)} packets/s, ${Math.round(entries / secs)} entries/s`);
  assert.equal(entries, rounds * 12);
});

/**
 * The committed driver/stand-in capture (fixtures/mongodb/, made by
 * live.test.ts with PODTAP_UPDATE_FIXTURES=1) against the driver's record
 * stored beside it; then the same capture as a throughput diagnostic.
 */
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkAgainstTruth, readMongodbCapture, runMongodbBuffer, type DriverTruth } from './truth.js';

const PCAP = 'fixtures/mongodb/driver.pcap';
const TRUTH = 'fixtures/mongodb/driver.truth.json';
const skip = existsSync(PCAP) && existsSync(TRUTH) ? false : 'fixtures/mongodb is missing';

test('the recorded driver capture gives every command once, as the driver saw it', { skip }, async () => {
  checkAgainstTruth(await readMongodbCapture(PCAP), JSON.parse(readFileSync(TRUTH, 'utf8')) as DriverTruth[]);
});

test('throughput on the recorded capture (diagnostic)', { skip }, async (t) => {
  const buf = readFileSync(PCAP);
  const rounds = 500;
  runMongodbBuffer(buf); // warm-up
  let packets = 0;
  let entries = 0;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) { const r = runMongodbBuffer(buf); packets += r.stats.packets; entries += r.entries.length; }
  const s = (performance.now() - t0) / 1000;
  const mib = (buf.length * rounds) / 2 ** 20;
  t.diagnostic(`mongodb: ${packets} packets in ${s.toFixed(2)} s = ${Math.round(packets / s)} packets/s, ${(mib / s).toFixed(0)} MiB/s, ${Math.round(entries / s)} entries/s (in memory)`);
});

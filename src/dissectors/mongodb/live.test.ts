/**
 * Real traffic: the official `mongodb` driver against the stand-in server
 * (test-server.ts; no mongod is installed here), plain and zlib-compressed,
 * recorded with tcpdump on `lo`, read back through the pipeline and compared
 * with the driver's own command-monitoring record. `PODTAP_UPDATE_FIXTURES=1`
 * also stores the capture and the record in fixtures/mongodb/ (read by
 * fixture.test.ts).
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { which } from '../../lab/proc.js';
import { startCapture } from '../../lab/record.js';
import { startStandIn } from './test-server.js';
import { checkAgainstTruth, driveDriver, readMongodbCapture, type DriverTruth } from './truth.js';

const skip = process.getuid?.() !== 0 ? 'capturing needs root' : which('tcpdump') === undefined ? 'tcpdump is not installed' : false;

test('the mongodb driver against the stand-in: every command once, as the driver saw it', { skip, timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podtap-mongodb-'));
  const server = await startStandIn();
  try {
    const cap = await startCapture({ iface: 'lo', file: join(dir, 'mongodb.pcap'), filter: `tcp port ${server.port}` });
    const runs: DriverTruth[] = [];
    try {
      runs.push(await driveDriver(server.port));
      runs.push(await driveDriver(server.port, ['zlib']));
    } finally { await cap.stop(); }
    const result = await readMongodbCapture(cap.file);
    checkAgainstTruth(result, runs);
    if (process.env.PODTAP_UPDATE_FIXTURES === '1') {
      await mkdir('fixtures/mongodb', { recursive: true });
      await copyFile(cap.file, 'fixtures/mongodb/driver.pcap');
      await writeFile('fixtures/mongodb/driver.truth.json', JSON.stringify(runs, null, 1));
    }
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

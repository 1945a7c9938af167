import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { startCapture } from '../../lab/record.js';
import { which } from '../../lab/proc.js';
import { compareWithTruth, dissectFile, driveMysql } from './test-support.js';

function serverUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(3306, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

test('live: mysql2 against 127.0.0.1:3306, every command once with its text, status and counts', async (t) => {
  if (process.getuid?.() !== 0 || which('tcpdump') === undefined) return t.skip('needs root and tcpdump');
  if (!(await serverUp())) return t.skip('no MySQL/MariaDB on 127.0.0.1:3306');
  const dir = mkdtempSync(join(tmpdir(), 'podtap-mysql-'));
  try {
    const file = join(dir, 'live.pcap');
    const cap = await startCapture({ file, iface: 'lo', filter: 'tcp port 3306' });
    const truth = await driveMysql();
    const stats = await cap.stop();
    assert.equal(stats.droppedByKernel, 0);
    const { entries } = await dissectFile(file);
    assert.deepEqual(compareWithTruth(entries, truth), []);
    const hs = entries[0];
    assert.equal(hs.request?.command, 'HANDSHAKE');
    assert.equal(hs.request?.user, 'root');
    assert.equal(hs.request?.database, 'test');
    assert.match(hs.request?.serverVersion ?? '', /\d+\.\d+/);
    assert.equal(hs.response?.status, 'OK');
    const err = entries.find((e) => e.response?.status === 'ERR');
    assert.match(err?.response?.error ?? '', /no_such_table/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

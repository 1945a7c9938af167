/** tcpdump is started, stopped cleanly and its counters read; loopback capture needs a port filter. */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { countPcapRecords } from '../bench/pcap-file.js';
import { which } from './proc.js';
import { parseTcpdumpStats, startCapture } from './record.js';

test('tcpdump counters are read from its exit message', () => {
  const stderr = 'listening on eth0\n12 packets captured\n14 packets received by filter\n1 packet dropped by kernel\n';
  assert.deepEqual(parseTcpdumpStats(stderr), { captured: 12, receivedByFilter: 14, droppedByKernel: 1 });
});

const skip = process.getuid?.() !== 0 ? 'capturing needs root' : which('tcpdump') === undefined ? 'tcpdump is not installed' : undefined;

test('a loopback capture with a port filter holds every packet of a request', { skip: skip ?? false }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podtap-record-'));
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const cap = await startCapture({ iface: 'lo', file: join(dir, 'lo.pcap'), filter: `tcp port ${port}` });
    await new Promise<void>((resolve, reject) => get({ host: '127.0.0.1', port, agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject));
    const stats = await cap.stop();
    assert.equal(stats.droppedByKernel, 0);
    assert.ok(stats.captured >= 6, `handshake, request, response: ${stats.captured} packets`);
    assert.equal((await countPcapRecords(cap.file)).records, stats.captured);
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

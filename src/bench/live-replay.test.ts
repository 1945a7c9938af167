import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pcapFile } from '../capture/writer.js';
import { tcpFrame } from '../testing/packets.js';
import { parseTcpreplay, recordingEndpoints } from './live-replay.js';

test('tcpreplay summary: packets sent, seconds and failures', () => {
  const out = `Actual: 806174 packets (137820660 bytes) sent in 8.06 seconds
Rated: 17099010.8 Bps, 136.79 Mbps, 100021.59 pps
Statistics for network device: eth0
\tSuccessful packets:        806170
\tFailed packets:            4
\tTruncated packets:         0
`;
  assert.deepEqual(parseTcpreplay(out), { sent: 806174, seconds: 8.06, failed: 4 });
  assert.throws(() => parseTcpreplay('tcpreplay: error: eth9: no such device'), /no summary: tcpreplay: error/);
});

test('the recording\'s client and server are found from the server port, whichever direction comes first', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podtap-replay-ends-'));
  try {
    const file = join(dir, 'r.pcap');
    await writeFile(file, pcapFile([
      { ts: 1, data: tcpFrame({ src: '10.0.0.9', dst: '10.0.0.2', sport: 5353, dport: 53, seq: 1, flags: 'S' }) },
      { ts: 2, data: tcpFrame({ src: '10.231.1.1', dst: '10.231.1.2', sport: 80, dport: 45000, seq: 1, flags: 'SA' }) },
    ], { linkType: 1 }));
    assert.deepEqual(await recordingEndpoints(file, 80), { client: '10.231.1.2', server: '10.231.1.1' });
    await assert.rejects(recordingEndpoints(file, 8080), /no TCP packet to or from port 8080/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

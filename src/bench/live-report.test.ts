import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRow, type LiveRow } from './live-report.js';
import { emptyTally } from './live-entries.js';
import { parseWorkerMetrics, processCpuSeconds } from './live-worker.js';

const METRICS = `# HELP podtap_packets_captured_total Packets delivered by the kernel to podtap.
# TYPE podtap_packets_captured_total counter
podtap_packets_captured_total{node="node1",iface="veth1"} 100
podtap_packets_captured_total{node="node1",iface="veth2"} 20
podtap_packets_captured_total{node="node1",iface="(closed)"} 0
podtap_packets_processed_total{node="node1",iface="veth1"} 118
podtap_packets_duplicate_total{node="node1",iface="veth1"} 2
podtap_kernel_drops_total{node="node1",iface="veth1"} 0
podtap_entries_total{node="node1",protocol="http"} 59
podtap_bpf_instructions{node="node1",iface="veth1"} 40
podtap_bpf_instructions{node="node1",iface="veth2"} 40
podtap_bpf_instructions{node="node1",iface="(closed)"} 0
`;

test('worker metrics are summed over interfaces; open captures counted', () => {
  assert.deepEqual(parseWorkerMetrics(METRICS), { captured: 120, processed: 118, duplicate: 2, untargeted: 0, kernelDrops: 0, entries: 59, bpfInterfaces: 2 });
});

test('process CPU comes from /proc/<pid>/stat', { skip: process.platform !== 'linux' }, async () => {
  const s = await processCpuSeconds(process.pid);
  assert.ok(s >= 0 && s < 3600);
});

function row(over: Partial<LiveRow>): Omit<LiveRow, 'checks' | 'problems' | 'pass'> {
  return {
    scenario: 'same node', path: '', nodes: ['node1'], load: 'wrk -c 50', connections: 50, seconds: 10,
    counters: { captured: 2_000_000, processed: 2_000_000, duplicate: 0, untargeted: 0, kernelDrops: 0, entries: 1_000_000 },
    capturedPerSecond: 200_000, processedPerSecond: 200_000, workerCpuSeconds: 5, workerCpuPercent: 50,
    usPerCapturedPacket: 2.5, usPerProcessedPacket: 2.5, cpuBusyPercent: {},
    wrk: { sent: 1_000_000, completed: 999_980, reported: 999_980, non2xx: 0, socketErrors: 'none' },
    entries: { ...emptyTally(), total: 1_000_000, http: 1_000_000, httpRequests: 1_000_000, httpComplete: 999_990, httpNoResponse: 10 },
    ...over,
  };
}

test('a row passes with every request an entry and at most one in flight per connection', () => {
  const r = checkRow(row({}));
  assert.deepEqual(r.problems, []);
  assert.equal(r.pass, true);
});

test('drops, a low rate and a missing entry each fail their own check', () => {
  const base = row({});
  const r = checkRow({ ...base, processedPerSecond: 99_999, counters: { ...base.counters, kernelDrops: 3 }, entries: { ...base.entries, httpRequests: 999_999 } });
  assert.deepEqual(r.checks, { noDrops: false, rate: false, entries: false });
  assert.equal(r.problems.length, 3);
});

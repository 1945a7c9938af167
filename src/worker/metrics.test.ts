import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkerMetrics } from './metrics.js';
import { emptyCaptureCounters } from './capture-point.js';

test('metrics mirror the counters and stay monotonic across scrapes', async () => {
  const counters = emptyCaptureCounters();
  const entries: Record<string, number> = { http: 0 };
  const reg = createWorkerMetrics({
    node: 'node1',
    capturePoints: () => [{ iface: 'veth1', counters, kernelDrops: 0, bpfInstructions: 42 }],
    entriesByProtocol: () => entries,
    targetedPods: () => 3,
  });
  Object.assign(counters, { captured: 10, duplicate: 2, untargeted: 1, processed: 7 });
  entries.http = 4;
  let text = await reg.metrics();
  assert.match(text, /podtap_packets_captured_total\{node="node1",iface="veth1"\} 10/);
  assert.match(text, /podtap_packets_duplicate_total\{node="node1",iface="veth1"\} 2/);
  assert.match(text, /podtap_packets_untargeted_total\{node="node1",iface="veth1"\} 1/);
  assert.match(text, /podtap_packets_processed_total\{node="node1",iface="veth1"\} 7/);
  assert.match(text, /podtap_entries_total\{node="node1",protocol="http"\} 4/);
  assert.match(text, /podtap_targeted_pods\{node="node1"\} 3/);
  assert.match(text, /podtap_bpf_instructions\{node="node1",iface="veth1"\} 42/);
  counters.captured = 15;
  text = await reg.metrics();
  assert.match(text, /podtap_packets_captured_total\{node="node1",iface="veth1"\} 15/);
});

/**
 * Prometheus metrics of a worker (prom-client). Values are read from the
 * capture points, the pipeline and libpcap at scrape time, so the hot path
 * only bumps plain numbers. Counter names are the contract users build
 * dashboards on: amplification = processed ÷ unique targeted packets.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { CaptureCounters } from './capture-point.js';

export interface MetricsSource {
  node: string;
  /** Per interface: the capture point's counters. */
  capturePoints(): Iterable<{ iface: string; counters: CaptureCounters; kernelDrops: number; bpfInstructions: number; filterFallback?: boolean }>;
  entriesByProtocol(): Record<string, number>;
  targetedPods(): number;
}

/** A counter whose value is read from a cumulative number at scrape time. */
export function mirroredCounter(registry: Registry, name: string, help: string, labelNames: string[], read: () => Array<[Record<string, string>, number]>): void {
  const last = new Map<string, number>();
  const c: Counter<string> = new Counter({
    name, help, labelNames, registers: [registry],
    collect() {
      for (const [labels, value] of read()) {
        const key = JSON.stringify(labels);
        const delta = value - (last.get(key) ?? 0);
        if (delta > 0) c.inc(labels, delta);
        last.set(key, value);
      }
    },
  });
}

export function createWorkerMetrics(src: MetricsSource): Registry {
  const registry = new Registry();
  const perPoint = (pick: (p: { counters: CaptureCounters; kernelDrops: number }) => number) => () =>
    [...src.capturePoints()].map((p): [Record<string, string>, number] => [{ node: src.node, iface: p.iface }, pick(p)]);
  mirroredCounter(registry, 'podtap_packets_captured_total', 'Packets delivered by the kernel to podtap.', ['node', 'iface'], perPoint((p) => p.counters.captured));
  mirroredCounter(registry, 'podtap_packets_duplicate_total', 'Packets dropped in user space because another capture point owns them or they were already processed.', ['node', 'iface'], perPoint((p) => p.counters.duplicate));
  mirroredCounter(registry, 'podtap_packets_untargeted_total', 'Packets rejected in user space because neither end is a targeted pod.', ['node', 'iface'], perPoint((p) => p.counters.untargeted));
  mirroredCounter(registry, 'podtap_packets_processed_total', 'Packets that entered reassembly and dissection.', ['node', 'iface'], perPoint((p) => p.counters.processed));
  mirroredCounter(registry, 'podtap_kernel_drops_total', 'Packets the kernel dropped before podtap read them.', ['node', 'iface'], perPoint((p) => p.kernelDrops));
  mirroredCounter(registry, 'podtap_entries_total', 'Entries produced, per protocol.', ['node', 'protocol'], () =>
    Object.entries(src.entriesByProtocol()).map(([protocol, n]): [Record<string, string>, number] => [{ node: src.node, protocol }, n]));
  const targeted = new Gauge({ name: 'podtap_targeted_pods', help: 'Pods targeted on this node.', labelNames: ['node'], registers: [registry],
    collect() { targeted.set({ node: src.node }, src.targetedPods()); } });
  const bpf = new Gauge({ name: 'podtap_bpf_instructions', help: 'Instructions of the kernel filter attached to each interface.', labelNames: ['node', 'iface'], registers: [registry],
    collect() { bpf.reset(); for (const p of src.capturePoints()) bpf.set({ node: src.node, iface: p.iface }, p.bpfInstructions); } });
  const fallback = new Gauge({ name: 'podtap_bpf_fallback', help: '1 when an interface runs the coarse kernel filter (the ownership filter did not fit); ownership is then checked in user space only.', labelNames: ['node', 'iface'], registers: [registry],
    collect() { fallback.reset(); for (const p of src.capturePoints()) fallback.set({ node: src.node, iface: p.iface }, p.filterFallback === true ? 1 : 0); } });
  return registry;
}

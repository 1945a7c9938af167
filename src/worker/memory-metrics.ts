/**
 * Prometheus metrics of the worker's memory cap (pipeline/memory-guard.ts):
 * sheds, bytes of buffers given up, connections closed for memory, and the
 * cap itself next to the resident set size the guard last saw at its peak.
 */
import { Gauge, type Registry } from 'prom-client';
import type { MemoryGuard } from '../pipeline/memory-guard.js';
import { mirroredCounter } from './metrics.js';

export function registerMemoryMetrics(registry: Registry, node: string, guard: MemoryGuard): void {
  const one = (read: () => number) => (): Array<[Record<string, string>, number]> => [[{ node }, read()]];
  mirroredCounter(registry, 'podtap_memory_shed_total', 'Checks that found the worker above 90% of --memory-cap and shed buffered state (oldest first).', ['node'], one(() => guard.shedCount));
  mirroredCounter(registry, 'podtap_memory_shed_bytes_total', 'Buffered bytes (out-of-order TCP segments, IP fragments) given up to stay under --memory-cap.', ['node'], one(() => guard.shedBytes));
  mirroredCounter(registry, 'podtap_memory_shed_connections_total', 'Connections closed early to stay under --memory-cap.', ['node'], one(() => guard.closedConnections));
  const cap = new Gauge({ name: 'podtap_memory_cap_bytes', help: 'The worker\'s --memory-cap.', labelNames: ['node'], registers: [registry],
    collect() { cap.set({ node }, guard.capBytes); } });
  const peak = new Gauge({ name: 'podtap_memory_peak_rss_bytes', help: 'Highest resident set size seen by the memory guard.', labelNames: ['node'], registers: [registry],
    collect() { peak.set({ node }, guard.peakRss); } });
}

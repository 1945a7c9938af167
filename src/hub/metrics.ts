/**
 * The hub's Prometheus metrics: its own (ingest, store, stream) and the sum
 * of its workers' counters with a `node` label, under the same names the
 * worker exports (so one dashboard fits a worker scraped directly or the hub).
 * Values are read at scrape time.
 */
import { Gauge, Registry } from 'prom-client';
import { mirroredCounter } from '../worker/metrics.js';
import type { EntryStore } from './store.js';
import type { LiveFanout } from './live.js';
import type { WorkerRegistry, SummedCounter } from './workers.js';

export interface HubMetricsSource {
  store: EntryStore;
  live: LiveFanout;
  workers: WorkerRegistry;
  ingest: { batches: number; rejected: number; protocolErrors: number; authFailures: number };
}

export function createHubMetrics(src: HubMetricsSource): Registry {
  const r = new Registry();
  const one = (v: () => number) => () => [[{}, v()] as [Record<string, string>, number]];
  mirroredCounter(r, 'podtap_hub_entries_stored_total', 'Entries stored by the hub.', [], one(() => src.store.counters.inserted));
  mirroredCounter(r, 'podtap_hub_entries_duplicate_total', 'Entries a worker sent again (after a reconnect) that were already stored, and dropped.', [], one(() => src.store.counters.duplicates));
  mirroredCounter(r, 'podtap_hub_entries_rejected_total', 'Entries refused because they were not well-formed.', [], one(() => src.ingest.rejected));
  mirroredCounter(r, 'podtap_hub_entries_retention_deleted_total', 'Entries deleted by retention (age or size).', [], one(() => src.store.counters.retainedOut));
  mirroredCounter(r, 'podtap_hub_batches_total', 'Batches received from workers.', [], one(() => src.ingest.batches));
  mirroredCounter(r, 'podtap_hub_protocol_errors_total', 'Stream connections closed because a peer broke the protocol.', [], one(() => src.ingest.protocolErrors));
  mirroredCounter(r, 'podtap_hub_auth_failures_total', 'Requests refused for a missing or wrong token.', [], one(() => src.ingest.authFailures));
  mirroredCounter(r, 'podtap_hub_stream_entries_sent_total', 'Entries pushed to live stream clients.', [], one(() => src.live.counters.sent));
  mirroredCounter(r, 'podtap_hub_stream_entries_skipped_total', 'Entries not pushed to a live client that was too slow (the client is told how many).', [], one(() => src.live.counters.skipped));
  mirroredCounter(r, 'podtap_hub_stream_clients_cut_total', 'Live clients cut off for not reading.', [], one(() => src.live.counters.cutOff));
  const g = (name: string, help: string, v: () => number) => {
    const gauge: Gauge<string> = new Gauge({ name, help, registers: [r], collect() { gauge.set(v()); } });
  };
  g('podtap_hub_store_bytes', 'Bytes of database pages in use.', () => src.store.usedBytes());
  g('podtap_hub_stream_clients', 'Live stream clients connected.', () => src.live.size);
  g('podtap_hub_workers_connected', 'Workers connected now.', () => src.workers.list().filter((w) => w.connected).length);
  const worker = (name: string, help: string, key: SummedCounter) =>
    mirroredCounter(r, name, help, ['node'], () => src.workers.summed(key).map(([node, v]) => [{ node }, v]));
  worker('podtap_packets_captured_total', 'Packets delivered by the kernel to the workers.', 'captured');
  worker('podtap_packets_processed_total', 'Packets that entered reassembly and dissection.', 'processed');
  worker('podtap_packets_duplicate_total', 'Packets dropped because another capture point owns them or they were already processed.', 'duplicate');
  worker('podtap_packets_untargeted_total', 'Packets rejected in user space because neither end is targeted.', 'untargeted');
  worker('podtap_kernel_drops_total', 'Packets the kernel dropped before a worker read them.', 'kernelDrops');
  worker('podtap_uplink_dropped_total', 'Entries a worker could not keep while the hub was away (buffer full).', 'uplinkDropped');
  mirroredCounter(r, 'podtap_entries_total', 'Entries produced by the workers, per protocol.', ['node', 'protocol'], () =>
    src.workers.summedEntries().map(([node, protocol, v]) => [{ node, protocol }, v]));
  return r;
}

/**
 * `podtap worker`: captures the targeted pods of one node, exactly once.
 *
 * Lifecycle:
 *   1. Load and watch the inventory; on every snapshot, reconcile:
 *      resolve targets → update the cluster-wide targeted set → find the
 *      local targeted pods' veths → open/close captures → (re)build each
 *      interface's kernel filter from the ownership rule.
 *   2. Every capture point checks packets in user space (untargeted, owned
 *      elsewhere, duplicate) and feeds the one shared pipeline.
 *   3. Entries go out as JSON lines; counters as Prometheus metrics.
 *   4. On stop (SIGINT/SIGTERM): close captures (delivering what the kernel
 *      still holds), flush the pipeline and the output, exit 0.
 */
import { createServer, type Server } from 'node:http';
import type { Entry } from '../entries/types.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { FdSink } from '../output/fd-sink.js';
import { JsonlWriter } from '../output/jsonl.js';
import type { ClusterSnapshot, PodInfo } from '../cluster/model.js';
import { compileRules, type PodFilter, type TargetRules } from '../cluster/rules.js';
import { resolveTargets, type TargetSet } from '../cluster/targets.js';
import { IpOwnerHistory } from '../cluster/ip-owners.js';
import { watchInventory, type InventoryWatcher } from '../cluster/watch.js';
import { buildInterfaceFilter } from '../filters/bpf.js';
import { openLiveCapture, type FilterInfo, type LiveCapture } from '../live/capture.js';
import { DuplicateFilter } from '../ownership/dedup.js';
import { CapturePoint } from './capture-point.js';
import { TargetView } from './target-view.js';
import { createWorkerMetrics } from './metrics.js';
import { defaultRunner, discoverPodInterfaces, type JsonRunner } from './interfaces.js';

/** How often the pipeline clock moves and the output is flushed when traffic is quiet. */
export const WORKER_TICK_MS = 500;

export interface WorkerOptions {
  node: string;
  inventory: string;
  rules: TargetRules;
  /** Output file, or '-' for standard output. */
  out: string;
  /** HOST:PORT for /metrics; none when undefined. */
  metricsListen?: string;
  /** Capture inside this named network namespace (a lab node); default: the worker's own. */
  netns?: string;
  snaplen?: number;
  bufferBytes?: number;
  log?: (line: string) => void;
}

interface Tap {
  pod: PodInfo;
  iface: string;
  capture: LiveCapture;
  point: CapturePoint;
  filter: FilterInfo;
}

export class Worker {
  readonly targets = new TargetView();
  private readonly dedup = new DuplicateFilter();
  private readonly taps = new Map<string, Tap>();
  private readonly pipeline: Pipeline;
  private readonly writer: JsonlWriter;
  private readonly sink: FdSink;
  private readonly filter: PodFilter;
  private readonly history = new IpOwnerHistory();
  private readonly log: (line: string) => void;
  private readonly runner: JsonRunner;
  private watcher: InventoryWatcher | null = null;
  private server: Server | null = null;
  private tick: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> = Promise.resolve();
  private localPods = 0;
  /** Counters of captures already closed, so metrics stay monotonic. */
  private readonly retired = { captured: 0, untargeted: 0, duplicate: 0, processed: 0 };
  lastTargets: TargetSet | null = null;

  constructor(private readonly opts: WorkerOptions) {
    this.filter = compileRules(opts.rules); // throws RuleError with the fix
    this.log = opts.log ?? ((l) => process.stderr.write(`${l}\n`));
    this.sink = opts.out === '-' ? FdSink.stdout() : FdSink.open(opts.out);
    this.writer = new JsonlWriter(this.sink);
    this.pipeline = new Pipeline((e: Entry) => this.writer.write(e));
    const ns = opts.netns;
    this.runner = ns === undefined ? defaultRunner : (cmd, args) => defaultRunner('ip', ['netns', 'exec', ns, cmd, '-j', ...args]);
  }

  async start(): Promise<void> {
    const watcher = watchInventory(this.opts.inventory, (s) => this.schedule(s), (err) => this.log(`podtap worker: ${err.message}`));
    this.watcher = watcher;
    const first = await watcher.ready;
    if (first === undefined) throw new Error(`cannot start: the inventory ${this.opts.inventory} could not be read (see the message above)`);
    await this.reconciling;
    if (this.opts.metricsListen !== undefined) await this.listenMetrics(this.opts.metricsListen);
    this.tick = setInterval(() => {
      this.pipeline.advance(Date.now());
      this.sink.flush();
    }, WORKER_TICK_MS);
  }

  /** Reconciles run one at a time, in snapshot order. */
  private schedule(snapshot: ClusterSnapshot): void {
    this.reconciling = this.reconciling.then(() => this.reconcile(snapshot)).catch((err) => this.log(`podtap worker: reconcile failed: ${(err as Error).message}`));
  }

  private async reconcile(snapshot: ClusterSnapshot): Promise<void> {
    const targets = resolveTargets(snapshot, this.filter, this.history);
    this.lastTargets = targets;
    this.targets.update(targets.ips.values());
    const local = targets.byNode.get(this.opts.node)?.pods.map((t) => t.pod) ?? [];
    this.localPods = local.length;
    const podCidrs = snapshot.nodes.flatMap((n) => n.podCIDRs);
    const allIps = [...targets.ips.values()];
    const wanted = new Map(local.map((p) => [p.key, p]));
    for (const [key, tap] of this.taps) {
      const pod = wanted.get(key);
      if (pod === undefined || pod.uid !== tap.pod.uid || pod.ips.join() !== tap.pod.ips.join()) await this.closeTap(key, tap);
    }
    const discovery = await discoverPodInterfaces(local.filter((p) => !this.taps.has(p.key)), this.runner);
    for (const m of discovery.missing) this.log(`podtap worker: ${m.podKey}: ${m.reason}`);
    for (const found of discovery.found) {
      const pod = wanted.get(found.podKey)!;
      const expr = buildInterfaceFilter({ localIps: pod.ips, targetedIps: allIps, podCidrs }).expression;
      const point = new CapturePoint(found.iface, pod.key, pod.ips, this.targets, this.dedup, this.pipeline);
      try {
        const capture = openLiveCapture(found.iface, point, {
          filter: expr, netns: this.opts.netns === undefined ? undefined : `/var/run/netns/${this.opts.netns}`,
          snaplen: this.opts.snaplen, bufferBytes: this.opts.bufferBytes,
          onError: (err) => this.log(`podtap worker: ${found.iface} (${pod.key}): ${err.message}`),
        });
        const filter = capture.setFilter(expr);
        if (!filter.attachedInKernel) this.log(`podtap worker: WARNING: the kernel did not accept the filter for ${found.iface}; filtering in user space`);
        this.taps.set(pod.key, { pod, iface: found.iface, capture, point, filter });
        this.log(`podtap worker: capturing ${pod.key} on ${found.iface} (${filter.instructions} BPF instructions)`);
      } catch (err) {
        this.log(`podtap worker: ${pod.key}: ${(err as Error).message}`);
      }
    }
    // Targets elsewhere changed: every open interface's ownership clause follows.
    for (const tap of this.taps.values()) {
      const expr = buildInterfaceFilter({ localIps: tap.pod.ips, targetedIps: allIps, podCidrs }).expression;
      if (expr !== tap.filter.expression) {
        try { tap.filter = tap.capture.setFilter(expr); } catch (err) { this.log(`podtap worker: ${tap.iface}: ${(err as Error).message}`); }
      }
    }
  }

  private async closeTap(key: string, tap: Tap): Promise<void> {
    this.taps.delete(key);
    await tap.capture.close();
    for (const k of ['captured', 'untargeted', 'duplicate', 'processed'] as const) this.retired[k] += tap.point.counters[k];
    this.log(`podtap worker: stopped capturing ${key} on ${tap.iface}`);
  }

  private async listenMetrics(hostPort: string): Promise<void> {
    const i = hostPort.lastIndexOf(':');
    const host = hostPort.slice(0, i) || '0.0.0.0';
    const port = Number(hostPort.slice(i + 1));
    const registry = createWorkerMetrics({
      node: this.opts.node,
      capturePoints: () => [
        ...[...this.taps.values()].map((t) => ({ iface: t.iface, counters: t.point.counters, kernelDrops: t.capture.stats().droppedByKernel, bpfInstructions: t.filter.instructions })),
        { iface: '(closed)', counters: this.retired, kernelDrops: 0, bpfInstructions: 0 },
      ],
      entriesByProtocol: () => this.pipeline.stats.entriesByProtocol,
      targetedPods: () => this.localPods,
    });
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') { res.writeHead(404).end('not found\n'); return; }
      registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(`${err.message}\n`));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new Error(`--metrics-listen ${hostPort}: ${err.message}`)));
      server.listen(port, host, () => resolve());
    });
  }

  /** Counters summed over every capture point, open or closed. */
  totals(): { captured: number; untargeted: number; duplicate: number; processed: number; kernelDrops: number } {
    const t = { ...this.retired, kernelDrops: 0 };
    for (const tap of this.taps.values()) {
      for (const k of ['captured', 'untargeted', 'duplicate', 'processed'] as const) t[k] += tap.point.counters[k];
      t.kernelDrops += tap.capture.stats().droppedByKernel;
    }
    return t;
  }

  get interfaces(): string[] { return [...this.taps.values()].map((t) => t.iface); }

  async stop(): Promise<void> {
    if (this.tick !== null) clearInterval(this.tick);
    this.watcher?.close();
    await this.reconciling;
    for (const tap of this.taps.values()) await tap.capture.close();
    this.pipeline.finish();
    this.writer.end();
    await new Promise<void>((r) => (this.server === null ? r() : this.server.close(() => r())));
  }
}

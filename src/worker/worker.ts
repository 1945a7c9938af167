/**
 * `podtap worker`: captures the targeted pods of one node, exactly once.
 *
 * Lifecycle:
 *   0. Check up front what would otherwise fail quietly later: capabilities,
 *      the --netns namespace, the rules (file), the inventory. Each failure
 *      is one named error (LiveCaptureError, RuleError, InventoryError).
 *   1. Load and watch the inventory (and the --rules file, or take the rules
 *      the hub sends when there is no file); on every snapshot or rules
 *      change, reconcile against the last snapshot:
 *      resolve targets → update the cluster-wide targeted set → find the
 *      local targeted pods' veths → open/close captures → (re)build each
 *      interface's kernel filter from the ownership rule. The first
 *      reconcile is strict: a capture that cannot be opened for lack of
 *      permission, or a node namespace that cannot be read, stops the start.
 *      Later ones log one line per problem and go on. A capture whose
 *      interface disappears (pod deleted under traffic) logs one line and is
 *      retired; its counters stay in the `(closed)` totals.
 *   2. Every capture point checks packets in user space (untargeted, owned
 *      elsewhere, duplicate) and feeds the one shared pipeline.
 *   3. With `privileges`, once the first captures are open (and /metrics is
 *      listening): every capability but those it still needs for new
 *      captures is dropped, no_new_privs is set, and the uid optionally
 *      switched (privileges.ts). Logged, and exported as a metric.
 *   4. Entries go out as JSON lines; counters as Prometheus metrics.
 *   5. On stop (SIGINT/SIGTERM): close captures (delivering what the kernel
 *      still holds), flush the pipeline and the output, exit 0.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Entry } from '../entries/types.js';
import type { PacketSink } from '../capture/types.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { memoryBudget } from '../pipeline/memory-budget.js';
import { MemoryGuard } from '../pipeline/memory-guard.js';
import { rssWithoutRings } from './ring-rss.js';
import { registerMemoryMetrics } from './memory-metrics.js';
import { FdSink } from '../output/fd-sink.js';
import { JsonlWriter } from '../output/jsonl.js';
import { InventoryError, type ClusterSnapshot, type PodInfo } from '../cluster/model.js';
import { loadInventory } from '../cluster/inventory.js';
import { compileRules, type PodFilter, type TargetRules } from '../cluster/rules.js';
import { RuleError } from '../cluster/model.js';
import { resolveTargets, type TargetSet } from '../cluster/targets.js';
import { IpOwnerHistory } from '../cluster/ip-owners.js';
import { EndpointNamer } from '../cluster/namer.js';
import { watchKubernetes } from '../cluster/kube/source.js';
import { KubeError, type KubeOptions } from '../cluster/kube/config.js';
import { watchInventory, type InventoryWatcher } from '../cluster/watch.js';
import { buildInterfaceFilter, chooseKernelFilterAsync, type InterfaceFilterInput } from '../filters/bpf.js';
import { compileFilterAsync, openLiveCapture, LiveCaptureError, type LiveCapture } from '../live/capture.js';
import { DuplicateFilter } from '../ownership/dedup.js';
import { CapturePoint, type CaptureCounters } from './capture-point.js';
import { LoopbackPoint, loopbackFilter } from './loopback-point.js';
import { TargetView } from './target-view.js';
import { createWorkerMetrics } from './metrics.js';
import { defaultRunner, discoverPodInterfaces, type DiscoveryResult, type JsonRunner } from './interfaces.js';
import { watchRulesFile, type CompiledRules, type RulesWatcher } from './rules-file.js';
import { Uplink } from '../hub/uplink.js';
import { PacketRing } from './packet-ring.js';
import type { WorkerState } from '../hub/protocol.js';
import { podtapVersion } from '../util/version.js';
import { randomBytes } from 'node:crypto';
import type { TlsMaterial } from '../hub/tls.js';
import { describePrivileges, dropPrivileges, registerPrivilegesMetric, workerPlan, type PrivilegeState } from './privileges.js';

/** How long a stopping worker waits for the hub to acknowledge what it sent. */
export const HUB_DRAIN_MS = 5000;

/** How often the pipeline clock moves and the output is flushed when traffic is quiet. */
export const WORKER_TICK_MS = 500;

export interface WorkerOptions {
  node: string;
  /** Cluster metadata from a file (watched)... */
  inventory?: string;
  /** ...or from the Kubernetes API (list+watch). */
  kube?: KubeOptions;
  /** Rules from the command-line flags; ignored when `rulesFile` is given, replaced by rules the hub sends. */
  rules?: TargetRules;
  /** JSON/YAML rules file, watched: changes apply without a restart. The source of truth: rules from the hub are ignored. */
  rulesFile?: string;
  /** Output file, or '-' for standard output; none when undefined (entries go to the hub only). */
  out?: string;
  /** Stream entries, counters and targets to a hub; `ringBytes`: raw packets kept for pcapng export. */
  hub?: { url: string; token: string; spoolDir?: string; maxBufferedEntries?: number; ringBytes?: number; tls?: TlsMaterial };
  /** HOST:PORT for /metrics; none when undefined. */
  metricsListen?: string;
  /** Capture inside this named network namespace (a lab node); default: the worker's own. */
  netns?: string;
  snaplen?: number;
  bufferBytes?: number;
  log?: (line: string) => void;
  /** Also capture loopback (`podtap tap`): TCP/UDP on `lo` except these ports (podtap's own). */
  loopback?: { excludePorts: number[] };
  /** Sees every packet the worker processes, before the pipeline (tests, debugging). */
  tap?: PacketSink;
  /**
   * `--memory-cap`: pipeline limits are sized from it (memory-budget.ts) and
   * a guard sheds state above 90% of it (memory-guard.ts). None when
   * undefined (in-process workers share the process with a hub).
   */
  memoryCapBytes?: number;
  /**
   * Drop the privileges capturing no longer needs once started (`podtap
   * worker`; privileges.ts), optionally switching to `user`. Affects the
   * whole process: in-process workers (`podtap tap`, tests) leave it out.
   */
  privileges?: { user?: { uid: number; gid: number } };
}

interface Tap {
  pod: PodInfo;
  iface: string;
  capture: LiveCapture;
  point: CapturePoint;
  /** What the kernel runs now (the precise filter, or the coarse fallback). */
  filter: KernelFilter;
  /** The precise filter expression last asked for: a change of targets elsewhere changes it. */
  wanted: string;
}

/** Pod veths carry Ethernet frames: filters are compiled for this link type ahead of opening. */
const LINKTYPE_ETHERNET = 1;

/** The filter attached to a tap's interface. */
interface KernelFilter {
  expression: string;
  instructions: number;
  attachedInKernel: boolean;
  /** The precise ownership filter did not fit; the pod's own addresses are filtered instead. */
  fallback: boolean;
}

/** --metrics-listen could not be served (address in use, not local, bad port). */
export class MetricsListenError extends Error {
  override readonly name = 'MetricsListenError';
}

export class Worker {
  readonly targets = new TargetView();
  private readonly dedup = new DuplicateFilter();
  private readonly taps = new Map<string, Tap>();
  private readonly pipeline: Pipeline;
  /** Keeps the process under --memory-cap; null without one. */
  readonly memory: MemoryGuard | null = null;
  private readonly writer: JsonlWriter | null = null;
  private readonly sink: FdSink | null = null;
  /** The stream to the hub, and the writer rendering entries into it. */
  readonly uplink: Uplink | null = null;
  /** The last processed packets, for the hub's pcapng export (with --hub only). */
  readonly ring: PacketRing | null = null;
  private readonly uplinkWriter: JsonlWriter | null = null;
  /** This run's id: with the node name, it prefixes every entry id sent to the hub. */
  readonly runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  private filter: PodFilter;
  /** Where the rules in force came from, and what they are (for the hub). */
  private rulesInForce: { source: 'flags' | 'file' | 'hub'; rules: TargetRules };
  /** Rule sets the hub sent that were ignored because a --rules file is in force (the first is logged). */
  hubRulesIgnored = 0;
  private readonly history = new IpOwnerHistory();
  /** Names both ends of every entry from the cluster model (time-aware). */
  readonly namer = new EndpointNamer();
  private readonly log: (line: string) => void;
  private readonly runner: JsonRunner;
  private watcher: InventoryWatcher | null = null;
  private rulesWatcher: RulesWatcher | null = null;
  /** The snapshot reconciled against when the rules change. */
  private snapshot: ClusterSnapshot | undefined;
  /** False until the first (strict) reconcile is done: later changes are scheduled. */
  private started = false;
  private stopped = false;
  private server: Server | null = null;
  private tick: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> = Promise.resolve();
  private localPods = 0;
  /** Counters of captures already closed, so metrics stay monotonic. */
  private readonly retired = { captured: 0, untargeted: 0, duplicate: 0, processed: 0 };
  /** Kernel drops of capture handles already closed (taps removed or replaced). */
  private retiredKernelDrops = 0;
  lastTargets: TargetSet | null = null;
  /** What the worker holds after dropping privileges; null before (or without `privileges`). */
  privileges: PrivilegeState | null = null;
  /** The loopback capture of `podtap tap`, when asked for. */
  private loop: { capture: LiveCapture; point: LoopbackPoint; filter: string } | null = null;

  /** Where capture points hand packets they process: the pipeline, the packet ring and the optional tap first. */
  private get processed(): PacketSink {
    const tap = this.opts.tap, ring = this.ring, pipeline = this.pipeline;
    if (tap === undefined && ring === null) return pipeline;
    return { packet: (rec) => { tap?.packet(rec); ring?.add(rec); pipeline.packet(rec); } };
  }

  constructor(private readonly opts: WorkerOptions) {
    this.filter = compileRules(opts.rulesFile === undefined ? opts.rules : {}); // throws RuleError with the fix
    this.rulesInForce = opts.rulesFile === undefined ? { source: 'flags', rules: opts.rules ?? {} } : { source: 'file', rules: {} };
    this.log = opts.log ?? ((l) => process.stderr.write(`${l}\n`));
    if (opts.out !== undefined) {
      this.sink = opts.out === '-' ? FdSink.stdout() : FdSink.open(opts.out);
      this.writer = new JsonlWriter(this.sink);
    }
    if (opts.hub !== undefined) {
      const ring = new PacketRing(opts.hub.ringBytes);
      this.ring = ring;
      this.uplink = new Uplink({
        packets: (flows) => ring.find(flows),
        url: opts.hub.url, token: opts.hub.token, tls: opts.hub.tls, node: opts.node, runId: this.runId, version: podtapVersion(),
        spoolDir: opts.hub.spoolDir, maxBufferedEntries: opts.hub.maxBufferedEntries, log: this.log, state: () => this.hubState(),
        onRules: (rules) => this.hubRules(rules),
      });
      this.uplinkWriter = new JsonlWriter(this.uplink);
    }
    const { writer, uplink, uplinkWriter, namer } = this;
    this.pipeline = new Pipeline((raw: Entry) => {
      const e = namer.name(raw);
      writer?.write(e);
      if (uplink !== null && uplink.admit()) { uplinkWriter!.write(e); uplink.written(); }
    }, {
      ...(opts.memoryCapBytes === undefined ? {} : memoryBudget(opts.memoryCapBytes)),
      ...(opts.hub === undefined ? {} : { idPrefix: `${opts.node}.${this.runId}.` }),
    });
    if (opts.memoryCapBytes !== undefined) this.memory = new MemoryGuard(this.pipeline, { capBytes: opts.memoryCapBytes, rss: rssWithoutRings, log: this.log }); // rings are sized by bufferBytes, not by the cap
    const ns = opts.netns;
    // `ip -n NS` / `bridge -n NS` enter the namespace themselves: one process per command, not two.
    this.runner = ns === undefined ? defaultRunner : (cmd, args) => defaultRunner(cmd, ['-n', ns, ...args]);
  }

  /**
   * Throws, before capturing anything: LiveCaptureError (permission, netns),
   * RuleError (rules file), InventoryError, MetricsListenError. Call stop()
   * after a failed start to release what was opened.
   */
  async start(): Promise<void> {
    checkCapabilities(this.opts.netns);
    if (this.opts.netns !== undefined && !existsSync(`/var/run/netns/${this.opts.netns}`)) {
      throw new LiveCaptureError('netns', `--netns ${this.opts.netns}: no such network namespace (/var/run/netns/${this.opts.netns} does not exist); list them with 'ip netns list'`);
    }
    if (this.opts.rulesFile !== undefined) {
      const file = this.opts.rulesFile;
      this.rulesWatcher = watchRulesFile(file, (r) => this.applyRules(r, 'file', file), (err) => { if (this.started) this.log(`podtap worker: ${err.message}; the last good rules stay in force`); });
      const first = await this.rulesWatcher.ready;
      if (first instanceof Error) throw first;
      this.log(`podtap worker: rules from ${file}: ${describeRules(first.rules)}`);
    }
    const onSnapshot = (s: ClusterSnapshot) => {
      this.snapshot = s;
      if (this.started) this.schedule();
    };
    let first: ClusterSnapshot | undefined;
    if (this.opts.kube !== undefined) {
      // One list+watch per resource type for the whole process; the first list must succeed.
      let firstError: InventoryError | undefined;
      const watcher = watchKubernetes(this.opts.kube, onSnapshot, (err) => { firstError ??= err; if (this.started) this.log(`podtap worker: ${err.message}`); }, this.log);
      this.watcher = watcher;
      first = await watcher.ready;
      if (first === undefined) throw new KubeError(firstError?.message ?? 'the Kubernetes API could not be listed');
    } else {
      const file = this.opts.inventory;
      if (file === undefined) throw new InventoryError('no cluster metadata: give --inventory FILE or the Kubernetes API (--kubeconfig, --in-cluster)');
      await loadInventory(file); // a missing or invalid file is an InventoryError here, once
      const watcher = watchInventory(file, onSnapshot, (err) => this.log(`podtap worker: ${err.message}`));
      this.watcher = watcher;
      first = await watcher.ready;
      if (first === undefined) throw new InventoryError(`${file}: could not be read after it was checked (see the message above)`);
    }
    const rulesUsed = this.filter;
    await this.reconcile(first, true);
    this.started = true;
    if (this.snapshot !== first || this.filter !== rulesUsed) this.schedule(); // rewritten (or new rules) during the first reconcile
    if (this.opts.loopback !== undefined) this.openLoopback(this.opts.loopback.excludePorts);
    if (this.opts.metricsListen !== undefined) await this.listenMetrics(this.opts.metricsListen);
    if (this.opts.privileges !== undefined) this.dropPrivileges(this.opts.privileges.user);
    this.tick = setInterval(() => {
      this.pipeline.advance(Date.now());
      this.sink?.flush();
    }, WORKER_TICK_MS);
    this.memory?.start();
  }

  /**
   * After the first captures: keep what opening the next ones needs, drop the
   * rest (throws PrivilegeError). A new user gets the spool directory first.
   */
  private dropPrivileges(user: { uid: number; gid: number } | undefined): void {
    const spool = this.opts.hub?.spoolDir;
    if (user !== undefined && spool !== undefined) mkdirSync(spool, { recursive: true });
    this.privileges = dropPrivileges(workerPlan({ netns: this.opts.netns, user }), spool === undefined ? [] : [spool]);
    this.log(`podtap worker: ${describePrivileges(this.privileges)}`);
  }

  private openLoopback(excludePorts: number[]): void {
    const point = new LoopbackPoint(excludePorts, this.processed);
    const filter = loopbackFilter(excludePorts);
    const capture = openLiveCapture('lo', point, {
      filter, netns: this.opts.netns === undefined ? undefined : `/var/run/netns/${this.opts.netns}`,
      onError: (err) => this.log(`podtap worker: lo: ${err.message}`),
    });
    this.loop = { capture, point, filter };
    this.log(`podtap worker: capturing loopback (${filter})`);
  }

  /** Every open capture point: the pods' and loopback. */
  private points(): Array<{ iface: string; counters: CaptureCounters; kernelDrops: number; bpfInstructions: number; filterFallback: boolean; pod: string; filter: string }> {
    const out = [...this.taps.values()].map((t) => ({ iface: t.iface, counters: t.point.counters, kernelDrops: t.capture.stats().droppedByKernel, bpfInstructions: t.filter.instructions, filterFallback: t.filter.fallback, pod: t.pod.key, filter: t.filter.expression }));
    const l = this.loop;
    if (l !== null) out.push({ iface: 'lo', counters: l.point.counters, kernelDrops: l.capture.stats().droppedByKernel, bpfInstructions: l.capture.filter?.instructions ?? 0, filterFallback: false, pod: '(loopback)', filter: l.filter });
    return out;
  }

  /**
   * New rules in force, from the --rules file or from the hub: every rules
   * change goes through here. Before the first reconcile they are simply the
   * ones it uses (start() reconciles again if they came during it).
   */
  private applyRules(r: CompiledRules, source: 'file' | 'hub', origin: string): void {
    this.filter = r.filter;
    this.rulesInForce = { source, rules: r.rules };
    if (!this.started) return;
    this.log(`podtap worker: rules changed (${origin}): ${describeRules(r.rules)}`);
    this.schedule();
  }

  /** Rules the hub sent (already checked by the protocol): applied unless a --rules file is the source of truth. */
  private hubRules(rules: TargetRules): void {
    if (this.stopped) return;
    if (this.opts.rulesFile !== undefined) {
      if (this.hubRulesIgnored++ === 0) this.log(`podtap worker: rules from the hub ignored: --rules ${this.opts.rulesFile} is the source of truth (later ones are counted, not logged)`);
      return;
    }
    // The hub sends its rules after every hello: the same rules again change nothing.
    if (this.rulesInForce.source === 'hub' && JSON.stringify(this.rulesInForce.rules) === JSON.stringify(rules)) return;
    let filter: PodFilter;
    try {
      filter = compileRules(rules);
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      this.log(`podtap worker: rules from the hub: ${err.message}; the last good rules stay in force`);
      return;
    }
    if (!this.started) this.log(`podtap worker: rules from the hub: ${describeRules(rules)}`);
    this.applyRules({ rules, filter }, 'hub', 'hub');
  }

  /** The rules in force as text, for the hub. */
  private rulesText(): string {
    const r = this.rulesInForce;
    if (r.source === 'hub') return `hub: ${describeRules(r.rules)}`;
    if (r.source === 'flags') return describeRules(r.rules);
    return `file ${this.opts.rulesFile}${this.hubRulesIgnored > 0 ? ` (rules from the hub ignored ${this.hubRulesIgnored} times)` : ''}`;
  }

  /** Reconciles run one at a time, each against the latest snapshot and rules. */
  private schedule(): void {
    this.reconciling = this.reconciling
      .then(() => (this.stopped || this.snapshot === undefined ? undefined : this.reconcile(this.snapshot, false)))
      .catch((err) => this.log(`podtap worker: reconcile failed: ${oneLine((err as Error).message)}`));
  }

  /** `strict`: the first one, where a capture that cannot be opened at all (permission, netns) is fatal. */
  private async reconcile(snapshot: ClusterSnapshot, strict: boolean): Promise<void> {
    this.namer.update(snapshot);
    const targets = resolveTargets(snapshot, this.filter, this.history);
    this.lastTargets = targets;
    this.targets.update(targets.ips);
    const local = targets.byNode.get(this.opts.node)?.pods.map((t) => t.pod) ?? [];
    this.localPods = local.length;
    const podCidrs = snapshot.nodes.flatMap((n) => n.podCIDRs);
    const allIps = [...targets.ips.values()];
    const wanted = new Map(local.map((p) => [p.key, p]));
    for (const [key, tap] of this.taps) {
      const pod = wanted.get(key);
      if (pod === undefined || pod.uid !== tap.pod.uid || pod.ips.join() !== tap.pod.ips.join()) await this.closeTap(key, tap);
    }
    const fresh = local.filter((p) => !this.taps.has(p.key));
    let discovery: DiscoveryResult = { found: [], missing: [] };
    try {
      if (fresh.length > 0) discovery = await discoverPodInterfaces(fresh, this.runner); // no new pod: no command run
    } catch (err) {
      const where = this.opts.netns === undefined ? 'this network namespace' : `network namespace ${this.opts.netns}`;
      throw new LiveCaptureError('netns', `cannot list the interfaces of ${where}: ${oneLine((err as Error).message).slice(0, 200)} (needs root or CAP_NET_ADMIN and CAP_SYS_ADMIN)`);
    }
    for (const m of discovery.missing) this.log(`podtap worker: ${m.podKey}: ${m.reason}`);
    for (const found of discovery.found) {
      const pod = wanted.get(found.podKey)!;
      const input: InterfaceFilterInput = { localIps: pod.ips, targetedIps: allIps, podCidrs };
      const precise = buildInterfaceFilter(input).expression;
      const point = new CapturePoint(found.iface, pod.key, pod.ips, this.targets, this.dedup, this.processed);
      try {
        const { capture, filter } = await this.openCapture(found.iface, pod.key, point, input);
        this.taps.set(pod.key, { pod, iface: found.iface, capture, point, filter, wanted: precise });
        this.log(`podtap worker: capturing ${pod.key} on ${found.iface} (${filter.instructions} BPF instructions)`);
      } catch (err) {
        if (strict && err instanceof LiveCaptureError && (err.kind === 'permission' || err.kind === 'not-built' || err.kind === 'netns')) throw err;
        this.log(`podtap worker: ${pod.key}: ${(err as Error).message}`);
      }
    }
    // Targets elsewhere changed: every open interface's ownership clause follows.
    for (const tap of this.taps.values()) {
      const input: InterfaceFilterInput = { localIps: tap.pod.ips, targetedIps: allIps, podCidrs };
      const precise = buildInterfaceFilter(input).expression;
      if (precise === tap.wanted) continue;
      try {
        // Make before break: libpcap may drop packets in flight while it swaps a
        // socket's filter, so a new handle with the new filter starts first; the
        // old one is closed after (delivering what its ring holds). Packets both
        // saw are dropped by the duplicate window and counted.
        const next = await this.openCapture(tap.iface, tap.pod.key, tap.point, input);
        const old = tap.capture;
        tap.capture = next.capture;
        tap.filter = next.filter;
        tap.wanted = precise;
        this.retiredKernelDrops += old.stats().droppedByKernel;
        await old.close();
      } catch (err) {
        this.log(`podtap worker: ${tap.iface}: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Open `iface` with the kernel filter chosen for it: the precise ownership
   * filter when libpcap fits it in the kernel, else the pod's own addresses
   * (said loudly, counted in podtap_bpf_fallback) — never no filter.
   */
  private async openCapture(iface: string, podKey: string, point: CapturePoint, input: InterfaceFilterInput): Promise<{ capture: LiveCapture; filter: KernelFilter }> {
    // Compiled on the libuv pool for Ethernet (pod veths); the handle attaches the
    // ready program at open, or compiles the expression itself for another link type.
    const chosen = await chooseKernelFilterAsync(input, (e) => compileFilterAsync(e, LINKTYPE_ETHERNET));
    const capture = openLiveCapture(iface, point, {
      filter: chosen.expression,
      program: chosen.compiled,
      netns: this.opts.netns === undefined ? undefined : `/var/run/netns/${this.opts.netns}`,
      snaplen: this.opts.snaplen, bufferBytes: this.opts.bufferBytes,
      onError: (err) => this.captureFailed(podKey, point, err),
    });
    const attached = capture.filter;
    const filter: KernelFilter = { expression: chosen.expression, instructions: attached?.instructions ?? chosen.instructions, attachedInKernel: attached?.attachedInKernel ?? false, fallback: chosen.fallback };
    this.noteFilter(iface, filter);
    return { capture, filter };
  }

  /** A filter that is not the precise one, or not in the kernel, is said loudly (and counted in metrics). */
  private noteFilter(iface: string, f: KernelFilter): void {
    if (f.fallback) {
      this.log(`podtap worker: WARNING: ${iface}: the ownership filter does not fit the kernel; the kernel filters on the pod's addresses only and ownership is checked in user space`);
    }
    if (!f.attachedInKernel) this.log(`podtap worker: WARNING: ${iface}: the kernel refused the filter; libpcap filters in user space`);
  }

  /** The reader stopped (interface deleted under traffic): one line, and the tap is retired. */
  private captureFailed(key: string, point: CapturePoint, err: LiveCaptureError): void {
    this.log(`podtap worker: ${point.iface} (${key}): ${err.message}; still capturing the other pods`);
    this.reconciling = this.reconciling.then(async () => {
      const tap = this.taps.get(key);
      if (tap !== undefined && tap.point === point) await this.closeTap(key, tap);
    }).catch((e) => this.log(`podtap worker: closing ${key}: ${oneLine((e as Error).message)}`));
  }

  private async closeTap(key: string, tap: Tap): Promise<void> {
    this.taps.delete(key);
    await tap.capture.close();
    this.retiredKernelDrops += tap.capture.stats().droppedByKernel;
    for (const k of ['captured', 'untargeted', 'duplicate', 'processed'] as const) this.retired[k] += tap.point.counters[k];
    this.log(`podtap worker: stopped capturing ${key} on ${tap.iface}`);
  }

  private async listenMetrics(hostPort: string): Promise<void> {
    const i = hostPort.lastIndexOf(':');
    const host = hostPort.slice(0, i).replace(/^\[(.*)\]$/, '$1') || '0.0.0.0';
    const port = Number(hostPort.slice(i + 1));
    const registry = createWorkerMetrics({
      node: this.opts.node,
      capturePoints: () => [
        ...this.points(),
        { iface: '(closed)', counters: this.retired, kernelDrops: this.retiredKernelDrops, bpfInstructions: 0, filterFallback: false },
      ],
      entriesByProtocol: () => this.pipeline.stats.entriesByProtocol,
      targetedPods: () => this.localPods,
    });
    registerPrivilegesMetric(registry, this.opts.node, () => this.privileges);
    if (this.memory !== null) registerMemoryMetrics(registry, this.opts.node, this.memory);
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') { res.writeHead(404).end('not found\n'); return; }
      registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(`${err.message}\n`));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new MetricsListenError(`--metrics-listen ${hostPort}: ${err.message}; pick a free port on a local address`)));
      try {
        server.listen(port, host, () => {
          const a = server.address() as AddressInfo;
          this.log(`podtap worker: metrics on http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/metrics`);
          resolve();
        });
      } catch (err) {
        reject(new MetricsListenError(`--metrics-listen ${hostPort}: ${oneLine((err as Error).message)}`));
      }
    });
  }

  /** Counters summed over every capture point, open or closed. */
  totals(): { captured: number; untargeted: number; duplicate: number; processed: number; kernelDrops: number } {
    const t = { ...this.retired, kernelDrops: this.retiredKernelDrops };
    for (const p of this.points()) {
      for (const k of ['captured', 'untargeted', 'duplicate', 'processed'] as const) t[k] += p.counters[k];
      t.kernelDrops += p.kernelDrops;
    }
    return t;
  }

  /** What the hub shows of this worker: counters, targets and their filters, rules. */
  private hubState(): WorkerState {
    const t = this.totals();
    return {
      counters: { ...t, entries: { ...this.pipeline.stats.entriesByProtocol }, uplinkDropped: this.uplink?.counters.dropped ?? 0, uplinkBuffered: this.uplink?.bufferedEntries ?? 0 },
      targets: this.points().map((p) => ({ pod: p.pod, iface: p.iface, filter: p.filter, bpfInstructions: p.bpfInstructions })),
      rules: this.rulesText(),
      targetRules: ruleKeys(this.rulesInForce.rules),
    };
  }

  get interfaces(): string[] { return [...this.taps.values()].map((t) => t.iface); }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tick !== null) clearInterval(this.tick);
    this.memory?.stop();
    this.watcher?.close();
    this.rulesWatcher?.close();
    await this.reconciling;
    for (const tap of this.taps.values()) await tap.capture.close();
    if (this.loop !== null) await this.loop.capture.close();
    this.pipeline.finish();
    this.writer?.end();
    if (this.uplink !== null) {
      const drained = await this.uplink.drain(HUB_DRAIN_MS);
      if (!drained) this.log(`podtap worker: the hub did not acknowledge ${this.uplink.bufferedEntries} entries within ${HUB_DRAIN_MS / 1000} s${this.opts.hub?.spoolDir === undefined ? '; they are lost' : '; they stay in the spool for the next run'}`);
      this.uplink.close();
    }
    await new Promise<void>((r) => (this.server === null ? r() : this.server.close(() => r())));
  }
}

/** Effective capability bits (linux/capability.h). */
const CAP_NET_RAW = 13, CAP_SYS_ADMIN = 21;

/**
 * Throws LiveCaptureError('permission') when this process cannot capture:
 * CAP_NET_RAW (capture with a kernel filter; podtap never sets promiscuous mode, so
 * CAP_NET_ADMIN is not needed), and CAP_SYS_ADMIN to enter --netns. Read from
 * /proc/self/status; where that is unreadable the open itself reports.
 */
function checkCapabilities(netns: string | undefined): void {
  let eff: bigint;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m === null) return;
    eff = BigInt(`0x${m[1]}`);
  } catch { return; }
  const has = (bit: number) => (eff >> BigInt(bit)) & 1n;
  const missing = [[CAP_NET_RAW, 'CAP_NET_RAW'], ...(netns === undefined ? [] : [[CAP_SYS_ADMIN, 'CAP_SYS_ADMIN'] as const])]
    .filter(([bit]) => !has(bit as number)).map(([, name]) => name);
  if (missing.length > 0) {
    throw new LiveCaptureError('permission', `no permission to capture (missing ${missing.join(', ')}${netns === undefined ? '' : '; CAP_SYS_ADMIN is for --netns'}): run as root or grant ${missing.join(' and ')}`);
  }
}

function describeRules(r: TargetRules): string {
  const parts = [
    r.podRegex ? `regex ${JSON.stringify(r.podRegex)}` : '',
    r.namespaces?.length ? `namespaces ${r.namespaces.join(',')}` : '',
    r.excludedNamespaces?.length ? `excluded ${r.excludedNamespaces.join(',')}` : '',
    r.selector ? `selector ${JSON.stringify(r.selector)}` : '',
    r.includeHostNetwork ? 'host-network pods included' : '',
  ].filter(Boolean);
  return parts.length === 0 ? 'every pod' : parts.join(', ');
}

/** The keys a rules file has, without empty ones: what the hub shows and can send back. */
function ruleKeys(r: TargetRules): TargetRules {
  const { podRegex, namespaces, excludedNamespaces, selector, includeHostNetwork } = r;
  return JSON.parse(JSON.stringify({ podRegex, namespaces, excludedNamespaces, selector, includeHostNetwork: includeHostNetwork === true })) as TargetRules;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

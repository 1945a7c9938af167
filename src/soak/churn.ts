/**
 * Pods that come and go while the soak runs. Every `everyMs` a new client
 * pod `soak/c<n>` starts, on node1 and node2 in turn, lives through one
 * counted client run of `requests` requests, and is deleted:
 *
 *  1. the pod is added to the lab (namespace, veth, routes) and to the
 *     inventory file the workers watch;
 *  2. its node's worker says `capturing soak/c<n> on <veth>`; `settleMs`
 *     more for the other node's worker to see the new target (it logs
 *     nothing for that) — a pod whose capture does not open in
 *     CAPTURE_WAIT_MS is noted (`captureWaitTimeouts`) and runs anyway;
 *  3. the client runs to its count (clients.ts) and exits; `lingerMs` for
 *     the kernel to hand the last packets over;
 *  4. deletion, in one of two orders by turn: like the kubelet (the
 *     network namespace and veth first — the capture sees its interface
 *     vanish — then the inventory), or the inventory first (the worker
 *     closes the capture itself), then the namespace.
 * At most `maxAlive` pods live at once (a tick is skipped past that).
 */
import { writeFile, rename } from 'node:fs/promises';
import type { ClusterLab } from '../lab/cluster/lab.js';
import { formatInventory } from '../lab/cluster/inventory.js';
import { sleep } from '../lab/proc.js';
import { startClient } from './clients.js';
import type { PodtapProcess } from './podtap-procs.js';
import type { ClientReport } from './request-ids.js';
import { CHURN_LABELS, SOAK_NS } from './spec.js';

export const CAPTURE_WAIT_MS = 20_000;

export interface ChurnOptions {
  lab: ClusterLab;
  /** Worker process per node name (their output says when a capture opens and closes). */
  workers: ReadonlyMap<string, PodtapProcess>;
  /** Writes the inventory, without the pods in `hidden` (inventoryWriter). */
  writeInventory: () => Promise<void>;
  hidden: Set<string>;
  everyMs: number;
  requests: number;
  rate: number;
  maxAlive: number;
  settleMs: number;
  lingerMs: number;
  /** Seconds since the load started, for the event log. */
  clock: () => number;
  log: (line: string) => void;
}

export interface PodEvent {
  pod: string;
  node: string;
  ip: string;
  created: number;
  captured: number | null;
  clientDone: number | null;
  deleted: number | null;
  order: 'netns-first' | 'inventory-first';
}

/**
 * Writes the lab's inventory to `file` atomically (the workers watch the
 * directory), one write at a time, leaving out the pods in `hidden` (deleted
 * from the API while their namespace still exists).
 */
export function inventoryWriter(lab: ClusterLab, file: string, hidden: ReadonlySet<string>): () => Promise<void> {
  let chain = Promise.resolve();
  return () => (chain = chain.then(async () => {
    const list = lab.inventory();
    const items = list.items.filter((i) => i.kind !== 'Pod' || !hidden.has(`${i.metadata.namespace}/${i.metadata.name}`));
    await writeFile(`${file}.tmp`, formatInventory({ ...list, items }));
    await rename(`${file}.tmp`, file);
  }));
}

export class Churn {
  readonly reports: ClientReport[] = [];
  readonly events: PodEvent[] = [];
  readonly failures: string[] = [];
  captureWaitTimeouts = 0;
  skippedTicks = 0;
  private n = 0;
  private readonly alive = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: ChurnOptions) {}

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.o.everyMs);
  }

  /** No new pods; resolves when the ones alive are deleted. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.alive]);
  }

  private tick(): void {
    if (this.alive.size >= this.o.maxAlive) { this.skippedTicks++; return; }
    const n = ++this.n;
    const nodes = [...this.o.workers.keys()];
    const life = this.lifecycle(n, nodes[(n - 1) % nodes.length]!).catch((err: Error) => {
      this.failures.push(`c${n}: ${err.message}`);
      this.o.log(`soak: churn pod c${n}: ${err.message}`);
    });
    this.alive.add(life);
    void life.finally(() => this.alive.delete(life));
  }

  private async lifecycle(n: number, node: string): Promise<void> {
    const { lab, workers, clock } = this.o;
    const name = `c${n}`, key = `${SOAK_NS}/${name}`;
    const worker = workers.get(node)!;
    const pod = await lab.addPod(node, { name, namespace: SOAK_NS, labels: CHURN_LABELS });
    const ev: PodEvent = { pod: key, node, ip: pod.ip, created: clock(), captured: null, clientDone: null, deleted: null, order: n % 2 === 0 ? 'netns-first' : 'inventory-first' };
    this.events.push(ev);
    const escaped = key.replace('/', '\\/');
    const since = Date.now();
    await this.o.writeInventory();
    try {
      await worker.waitForLine(new RegExp(`podtap worker: capturing ${escaped} on `), { since, timeoutMs: CAPTURE_WAIT_MS });
      ev.captured = clock();
    } catch (err) {
      this.captureWaitTimeouts++;
      this.o.log(`soak: ${key}: ${(err as Error).message}; its client runs anyway`);
    }
    await sleep(this.o.settleMs);
    try {
      const client = startClient(lab, key, name, { rate: this.o.rate, count: this.o.requests });
      this.reports.push(await client.done);
      ev.clientDone = clock();
      await sleep(this.o.lingerMs);
    } finally {
      const stopped = ev.captured === null ? Promise.resolve() : worker.waitForLine(new RegExp(`stopped capturing ${escaped} on `), { since: Date.now(), timeoutMs: CAPTURE_WAIT_MS }).catch((err: Error) => {
        this.o.log(`soak: ${key}: ${err.message}`);
      });
      if (ev.order === 'netns-first') {
        await lab.removePod(key);
        await this.o.writeInventory();
      } else {
        this.o.hidden.add(key);
        await this.o.writeInventory();
        await stopped;
        await lab.removePod(key);
        this.o.hidden.delete(key);
      }
      await stopped;
      ev.deleted = clock();
    }
  }
}

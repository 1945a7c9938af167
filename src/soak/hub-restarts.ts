/**
 * The hub as the soak runs it: one `podtap hub` process at a time on the
 * same data directory and port. `restart()` reads the counters of the one
 * running, stops it (SIGTERM: it closes the workers' streams and its store),
 * starts the next, and waits until every worker has reconnected, noting how
 * many entries each worker held unacknowledged when it lost the hub (its log
 * line): those are what it resends.
 */
import { startHub, type HubSetup, type PodtapProcess } from './podtap-procs.js';
import type { HubInstance, HubRestart } from './report.js';

/** Longest wait for every worker to be connected to a restarted hub. */
export const RECONNECT_WAIT_MS = 30_000;

export class SoakHub {
  /** Counters of each hub process, read just before it stopped (`noteCounters`). */
  readonly instances: HubInstance[] = [];
  readonly restarts: HubRestart[] = [];
  /** Every hub process so far, the current one last. */
  readonly processes: PodtapProcess[] = [];
  readonly url: string;

  constructor(private readonly setup: HubSetup, private readonly log: (line: string) => void) {
    this.url = `http://127.0.0.1:${setup.port}`;
  }

  get current(): PodtapProcess {
    const p = this.processes[this.processes.length - 1];
    if (p === undefined) throw new Error('the hub has not been started');
    return p;
  }

  async start(): Promise<PodtapProcess> {
    const p = await startHub(this.processes.length + 1, this.setup);
    this.processes.push(p);
    return p;
  }

  /** GET `path` with the token; the body as text. */
  async get(path: string): Promise<string> {
    const r = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${this.setup.token}` } });
    if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status}`);
    return r.text();
  }

  /** Records the running hub's own counters from /metrics (-1 each when it does not answer). */
  async noteCounters(): Promise<void> {
    let c = { stored: -1, duplicatesDropped: -1, retentionDeleted: -1 };
    try {
      const text = await this.get('/metrics');
      const v = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
      c = { stored: v('podtap_hub_entries_stored_total'), duplicatesDropped: v('podtap_hub_entries_duplicate_total'), retentionDeleted: v('podtap_hub_entries_retention_deleted_total') };
    } catch (err) {
      this.log(`soak: hub #${this.processes.length} counters: ${(err as Error).message}`);
    }
    this.instances.push({ instance: this.processes.length, pid: this.current.pid, ...c });
  }

  /**
   * Stops the running hub and starts the next. `at`: seconds since the load
   * started; `stopping` is called before the stop, `started` with the new process.
   */
  async restart(at: number, workers: ReadonlyMap<string, PodtapProcess>, hooks: { stopping: () => void; started: (p: PodtapProcess) => void }): Promise<HubRestart> {
    await this.noteCounters();
    hooks.stopping();
    const down = Date.now();
    await this.current.stop();
    const hub = await this.start();
    hooks.started(hub);
    const downMs = Date.now() - down;
    let reconnectedMs: number | null = null;
    try {
      const lines = await Promise.all([...workers.keys()].map((n) => hub.waitForLine(new RegExp(`worker ${n} connected`), { since: down, timeoutMs: RECONNECT_WAIT_MS })));
      reconnectedMs = Math.max(...lines.map((l) => l.at)) - down;
    } catch (err) {
      this.log(`soak: ${(err as Error).message}`);
    }
    const heldAtLoss: Record<string, number> = {};
    for (const [n, w] of workers) {
      const held = w.lines.filter((x) => x.at >= down).map((x) => /lost the hub; (\d+) entries buffered/.exec(x.line)?.[1]).find((x) => x !== undefined);
      if (held !== undefined) heldAtLoss[n] = Number(held);
    }
    const r: HubRestart = { at, downMs, reconnectedMs, heldAtLoss };
    this.restarts.push(r);
    return r;
  }

  async stop(): Promise<void> {
    await this.processes[this.processes.length - 1]?.stop();
  }
}

/**
 * podtap itself in the soak, as separate processes the way it is deployed:
 * `podtap hub --data DIR --listen 127.0.0.1:PORT` and one
 * `podtap worker --node N --netns NS --inventory FILE --hub URL --spool DIR`
 * per simulated node (in the host's namespace, capturing inside the node's:
 * the uplink to the hub stays on loopback). The token goes in PODTAP_TOKEN,
 * never on a command line. Each runs with the soak probe preloaded
 * (probe.ts). Output goes to a log file per process and is read line by
 * line, kept with the time it came, so the soak can wait for a line that
 * came after a given moment (`waitForLine`). Every process is SIGKILLed if the soak exits
 * without stopping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';
import { podtapBin } from '../lab/podtap-cli.js';
import { sleep, waitForExit } from '../lab/proc.js';
import { PROBE_DIR_ENV } from './probe.js';

/** How long a hub or worker may take to say it is ready. */
export const START_TIMEOUT_MS = 30_000;
/** How long `stop` waits after SIGTERM (a worker drains to the hub for up to 5 s) before SIGKILL. */
export const STOP_TIMEOUT_MS = 15_000;

const probeUrl = pathToFileURL(fileURLToPath(new URL('./probe.js', import.meta.url))).href;
const live = new Set<ChildProcess>();
let exitHook = false;

/** Output lines kept per process, for waitForLine. */
export const MAX_KEPT_LINES = 50_000;
/** How often waitForLine looks at the lines again. */
const LINE_POLL_MS = 25;

export class PodtapProcess {
  /** Output lines with the time they came, oldest first (at most MAX_KEPT_LINES). */
  readonly lines: Array<{ at: number; line: string }> = [];
  /** Lines dropped from the front of `lines` so far. */
  private dropped = 0;
  private partial = '';
  private readonly log: WriteStream;
  readonly startedAt = Date.now();

  private constructor(readonly name: string, readonly child: ChildProcess, logFile: string) {
    this.log = createWriteStream(logFile, { flags: 'a' });
    for (const s of [this.child.stdout, this.child.stderr]) s?.setEncoding('utf8').on('data', (chunk: string) => this.onData(chunk));
    this.child.once('exit', (code, signal) => {
      live.delete(this.child);
      this.log.end(`-- exited (${signal ?? code})\n`);
    });
  }

  /** Starts `podtap <args>`; resolves once a line matches `ready`. */
  static async start(name: string, args: readonly string[], o: { token: string; probeDir: string; logFile: string; ready: RegExp }): Promise<PodtapProcess> {
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => { for (const c of live) c.kill('SIGKILL'); });
    }
    const child = spawn(process.execPath, ['--import', probeUrl, podtapBin(), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PODTAP_TOKEN: o.token, [PROBE_DIR_ENV]: o.probeDir },
    });
    live.add(child);
    const p = new PodtapProcess(name, child, o.logFile);
    try {
      await p.waitForLine(o.ready, { since: p.startedAt, timeoutMs: START_TIMEOUT_MS });
    } catch (err) {
      await p.stop();
      throw new Error(`${name} did not start: ${(err as Error).message}`);
    }
    return p;
  }

  get pid(): number { return this.child.pid ?? 0; }
  get running(): boolean { return this.child.exitCode === null && this.child.signalCode === null; }

  /**
   * The first line at or after `since` (ms) that matches `re`, with its time;
   * rejects after `timeoutMs`, or when the process has exited without one.
   */
  async waitForLine(re: RegExp, o: { since: number; timeoutMs: number }): Promise<{ at: number; line: string }> {
    const deadline = Date.now() + o.timeoutMs;
    let from = this.dropped; // absolute line number
    for (;;) {
      // Lines are in time order: each is looked at once.
      for (from = Math.max(from, this.dropped); from - this.dropped < this.lines.length; from++) {
        const l = this.lines[from - this.dropped]!;
        if (l.at >= o.since && re.test(l.line)) return l;
      }
      if (!this.running) throw new Error(`${this.name} exited (${this.child.signalCode ?? this.child.exitCode}) without a line ${re}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no line ${re} within ${o.timeoutMs} ms`);
      await sleep(LINE_POLL_MS);
    }
  }

  private onData(chunk: string): void {
    this.log.write(chunk);
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    const at = Date.now();
    for (const line of parts) this.lines.push({ at, line });
    if (this.lines.length > MAX_KEPT_LINES) {
      const n = this.lines.length - MAX_KEPT_LINES;
      this.lines.splice(0, n);
      this.dropped += n;
    }
  }

  /** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS; resolves with the exit code (null when killed by a signal). */
  async stop(): Promise<number | null> {
    if (!this.running) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const code = await waitForExit(this.child);
    clearTimeout(timer);
    return code;
  }
}

export interface HubSetup { dataDir: string; port: number; token: string; probeDir: string; logFile: string }

export function startHub(instance: number, h: HubSetup): Promise<PodtapProcess> {
  return PodtapProcess.start(`hub #${instance}`, ['hub', '--data', h.dataDir, '--listen', `127.0.0.1:${h.port}`], {
    token: h.token, probeDir: h.probeDir, logFile: h.logFile, ready: /podtap hub: serving on /,
  });
}

export interface WorkerSetup {
  node: string;
  netns: string;
  inventory: string;
  hubUrl: string;
  token: string;
  spoolDir: string;
  /** `--packet-ring`: see soak.ts for why the soak sizes it. */
  packetRing: string;
  probeDir: string;
  logFile: string;
}

/** Resolves once the worker has opened its first captures and connected to the hub. Its /metrics: `workerMetrics`. */
export function startWorker(w: WorkerSetup): Promise<PodtapProcess> {
  return PodtapProcess.start(`worker ${w.node}`, [
    'worker', '--node', w.node, '--netns', w.netns, '--inventory', w.inventory, '--hub', w.hubUrl, '--spool', w.spoolDir, '--packet-ring', w.packetRing,
    '--metrics-listen', '127.0.0.1:0',
  ], { token: w.token, probeDir: w.probeDir, logFile: w.logFile, ready: /podtap worker: connected to hub/ });
}

/** The worker's Prometheus text from its --metrics-listen address (the port it logged). */
export async function workerMetrics(w: PodtapProcess): Promise<string> {
  const l = await w.waitForLine(/podtap worker: metrics on (http:\/\/\S+)/, { since: w.startedAt, timeoutMs: 1000 });
  const r = await fetch(/metrics on (\S+)/.exec(l.line)![1]!);
  if (!r.ok) throw new Error(`${w.name} /metrics: HTTP ${r.status}`);
  return r.text();
}

/** The value of an unlabelled-or-node-labelled sample `name` in Prometheus text (0 when absent). */
export function metricValue(text: string, name: string): number {
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}

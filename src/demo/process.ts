/**
 * One program the demo runs inside a pod (`lab.spawn`, so it is tracked by
 * the lab and killed at teardown at the latest): its output is drained and
 * the last lines kept for error messages; `started` waits for a readiness
 * line; `stop` sends a signal and waits, then SIGKILLs.
 */
import type { ChildProcess } from 'node:child_process';
import type { ClusterLab } from '../lab/cluster/lab.js';
import { waitForExit, waitForOutput } from '../lab/proc.js';
import { DemoError } from './preflight.js';

/** How long a program may take to print its readiness line. */
export const DEMO_START_TIMEOUT_MS = 15_000;
/** How long `stop` waits after the signal before SIGKILL. */
export const DEMO_STOP_TIMEOUT_MS = 3_000;
/** Output lines kept per program for error messages. */
export const TAIL_LINES = 20;

export class DemoProcess {
  private readonly tail: string[] = [];

  private constructor(readonly name: string, readonly child: ChildProcess, private readonly stopSignal: NodeJS.Signals) {
    for (const s of [child.stdout, child.stderr]) {
      s?.setEncoding('utf8').on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) if (line.trim() !== '') this.tail.push(line);
        this.tail.splice(0, Math.max(0, this.tail.length - TAIL_LINES));
      });
    }
  }

  /** Starts `argv` in pod `where` and waits until its output matches `readyLine`. */
  static async start(lab: ClusterLab, where: string, argv: readonly string[], o: { name: string; ready: RegExp; stopSignal?: NodeJS.Signals; env?: NodeJS.ProcessEnv }): Promise<DemoProcess> {
    const child = lab.spawn(where, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...(o.env === undefined ? {} : { env: o.env }) });
    const p = new DemoProcess(o.name, child, o.stopSignal ?? 'SIGTERM');
    try {
      await waitForOutput(child, o.ready, DEMO_START_TIMEOUT_MS);
    } catch (err) {
      await p.stop();
      throw new DemoError(`${o.name} in ${where} did not start: ${(err as Error).message.split('\n')[0]}${p.lastLines()}`);
    }
    return p;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  lastLines(): string {
    return this.tail.length === 0 ? '' : ` (last output: ${this.tail.slice(-3).join(' | ').slice(0, 400)})`;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill(this.stopSignal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), DEMO_STOP_TIMEOUT_MS);
    await waitForExit(this.child);
    clearTimeout(timer);
  }
}

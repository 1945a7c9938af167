/**
 * Records real traffic with tcpdump, inside a lab namespace or on loopback.
 *
 * Lifecycle: `startCapture()` spawns tcpdump and resolves once tcpdump says
 * "listening on", so no packet sent afterwards is missed. `stop()` sends
 * SIGINT, waits for tcpdump to exit (it flushes and closes the file on
 * SIGINT) and returns the counters it printed. A capture that reports
 * dropped packets is not an error here; callers decide (the benchmark
 * refuses one, the golden test too).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { Lab } from './netns.js';
import { sleep, waitForExit, waitForOutput, which } from './proc.js';

/** How long tcpdump may take to open the interface. */
export const CAPTURE_START_TIMEOUT_MS = 10_000;
/** How long tcpdump may take to flush and exit after SIGINT. */
export const CAPTURE_STOP_TIMEOUT_MS = 15_000;
/** Settle time before SIGINT so the last packets (FIN/ACK) reach the socket buffer. */
export const CAPTURE_SETTLE_MS = 200;
/** Settle time without immediate mode: longer than libpcap's 1 s block timeout. */
export const IMMEDIATE_OFF_SETTLE_MS = 1_500;
/** Most tcpdump stderr kept for error messages and counters. */
const MAX_STDERR_CHARS = 64 * 1024;

export interface CaptureOptions {
  /** Output file (pcap). */
  file: string;
  /** Interface to listen on: a lab interface (`eth0`, `br0`) or `lo`. */
  iface: string;
  /** Run inside this lab node or hub; omit for the host (loopback only). */
  lab?: Lab;
  where?: string;
  /** BPF filter, e.g. `tcp port 8080` (needed on host loopback). */
  filter?: string;
  /** Kernel buffer in KiB (`-B`). Default 64 MiB. */
  bufferKiB?: number;
  /** Pin tcpdump to these CPUs (`taskset -c`). */
  cpu?: string;
  /**
   * Deliver each packet at once (`--immediate-mode`). Without it libpcap's
   * TPACKET_V3 ring hands packets over in blocks, and packets still in an
   * unfinished block when SIGINT arrives are lost; `stop()` then waits
   * IMMEDIATE_OFF_SETTLE_MS first. Default true; high-rate captures turn it off.
   */
  immediate?: boolean;
}

export interface CaptureStats {
  captured: number;
  receivedByFilter: number;
  droppedByKernel: number;
}

/** tcpdump is missing, failed to start, or did not exit cleanly. */
export class CaptureError extends Error {
  override readonly name = 'CaptureError';
}

export class Capture {
  private stderr = '';

  constructor(readonly file: string, private readonly child: ChildProcess, private readonly settleMs: number) {
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      this.stderr = (this.stderr + s).slice(-MAX_STDERR_CHARS);
    });
  }

  /** Stops tcpdump with SIGINT, waits for it to exit and returns its counters. */
  async stop(): Promise<CaptureStats> {
    await sleep(this.settleMs);
    if (this.child.exitCode !== null) throw new CaptureError(`tcpdump exited early (${this.child.exitCode}): ${this.stderr.trim()}`);
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), CAPTURE_STOP_TIMEOUT_MS);
    const code = await waitForExit(this.child);
    clearTimeout(timer);
    if (code !== 0) throw new CaptureError(`tcpdump did not exit cleanly (${code ?? this.child.signalCode}): ${this.stderr.trim()}`);
    return parseTcpdumpStats(this.stderr);
  }
}

/** Reads "N packets captured / received by filter / dropped by kernel" from tcpdump's stderr. */
export function parseTcpdumpStats(stderr: string): CaptureStats {
  const num = (label: string): number => {
    const m = new RegExp(`(\\d+) packets? ${label}`).exec(stderr);
    if (!m) throw new CaptureError(`tcpdump printed no "${label}" counter: ${stderr.trim().slice(-400)}`);
    return Number(m[1]);
  };
  return { captured: num('captured'), receivedByFilter: num('received by filter'), droppedByKernel: num('dropped by kernel') };
}

/** Starts tcpdump writing `opts.file`; resolves once it is listening. */
export async function startCapture(opts: CaptureOptions): Promise<Capture> {
  if (which('tcpdump') === undefined) throw new CaptureError('tcpdump is not installed');
  if (opts.lab === undefined && opts.iface !== 'lo') throw new CaptureError('outside a lab, capture on loopback only');
  if (opts.lab !== undefined && opts.where === undefined) throw new CaptureError('a lab capture needs `where` (a node role or the hub)');
  const immediate = opts.immediate ?? true;
  // -Z root: keep root so tcpdump can write where we ask; -U: flush per packet;
  // -s 0: whole packets; -n: no name lookups (no DNS traffic of our own).
  const args = [...(immediate ? ['--immediate-mode'] : []), '-i', opts.iface, '-w', opts.file, '-U', '-s', '0', '-n', '-Z', 'root', '-B', String(opts.bufferKiB ?? 65536)];
  if (opts.filter) args.push(opts.filter);
  let child: ChildProcess;
  if (opts.lab) {
    child = opts.lab.spawn(opts.where as string, 'tcpdump', args, { cpu: opts.cpu, stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    const pin = opts.cpu === undefined ? [] : ['-c', opts.cpu];
    child = opts.cpu === undefined
      ? spawn('tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn('taskset', [...pin, 'tcpdump', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  if (!opts.lab) {
    // Lab children are killed by the lab; a host tcpdump must not outlive us either.
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
  }
  const capture = new Capture(opts.file, child, immediate ? CAPTURE_SETTLE_MS : IMMEDIATE_OFF_SETTLE_MS);
  try {
    await waitForOutput(child, /listening on /, CAPTURE_START_TIMEOUT_MS);
  } catch (err) {
    child.kill('SIGKILL');
    throw new CaptureError(`tcpdump did not start: ${(err as Error).message}`);
  }
  return capture;
}

/**
 * Small process helpers for the lab and the benchmark: find a tool on PATH,
 * run a command to completion with a time limit, wait for a line of output.
 * Nothing here touches the network.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Extra folders searched besides PATH (tools in sbin are often not on a user PATH). */
const EXTRA_BIN_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin'];

/** Absolute path of an executable, or undefined when it is not installed. */
export function which(cmd: string): string | undefined {
  if (cmd.includes('/')) return isExecutable(cmd) ? cmd : undefined;
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(EXTRA_BIN_DIRS);
  for (const dir of dirs) {
    if (dir === '') continue;
    const p = join(dir, cmd);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The tools from `cmds` that are not installed (empty when all are). */
export function missingTools(cmds: readonly string[]): string[] {
  return cmds.filter((c) => which(c) === undefined);
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A command that exited non-zero (or by signal) where success was required. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(readonly argv: readonly string[], readonly result: RunResult) {
    super(`${argv.join(' ')} failed (${result.signal ?? `exit ${result.code}`}): ${result.stderr.trim().slice(-600)}`);
  }
}

export interface RunOptions {
  /** Kill with SIGKILL after this long. Default 60 s. */
  timeoutMs?: number;
  /** Throw CommandError on a non-zero exit. Default true. */
  check?: boolean;
  input?: string;
}

/** Runs a command to completion, collecting its output (utf-8). */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const { timeoutMs = 60_000, check = true } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: RunResult = { code, signal, stdout, stderr };
      if (check && code !== 0) reject(new CommandError([cmd, ...args], result));
      else resolve(result);
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // the child may exit without reading its input
      child.stdin.end(opts.input);
    }
  });
}

/** Synchronous variant for exit handlers, where nothing asynchronous runs. */
export function runSync(cmd: string, args: readonly string[]): number | null {
  return spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status;
}

/**
 * Resolves when `pattern` appears on the child's stdout or stderr (checked
 * line by line); rejects when the child exits first or after `timeoutMs`.
 * Returns the text seen so far so callers can parse e.g. a port.
 */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer | string): void => {
      seen += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      if (pattern.test(seen)) finish(undefined);
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(new Error(`process exited (${signal ?? code}) before printing ${pattern}: ${seen.trim().slice(-400)}`));
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}: ${seen.trim().slice(-400)}`)), timeoutMs);
    function finish(err: Error | undefined): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(seen);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

/** Resolves with the exit code once the child has exited (immediately if it already has). */
export function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How often stopChildren looks whether the children have exited. */
const STOP_POLL_MS = 20;

/** SIGTERMs every child, waits up to `timeoutMs` for all to exit, then SIGKILLs the ones left. */
export async function stopChildren(children: readonly ChildProcess[], timeoutMs: number): Promise<void> {
  const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
  for (const c of children) c.kill('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (children.some(running) && Date.now() < deadline) await sleep(STOP_POLL_MS);
  for (const c of children) if (running(c)) c.kill('SIGKILL');
}

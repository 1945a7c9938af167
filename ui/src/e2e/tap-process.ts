/** `podtap tap` as a child process (a real hub and a worker capturing loopback), for the UI tests. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageRoot } from '../../../src/util/paths.js';

export const TAP_START_TIMEOUT_MS = 20_000;

export function tapSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to capture loopback';
  if (!existsSync(join(packageRoot(), 'native', 'pcap', 'build', 'Release', 'podtap_pcap.node'))) return 'the pcap addon is not built';
  return undefined;
}

export interface TapProcess { url: string; token: string; log: () => string; stop(): Promise<void> }

export async function startTap(token: string, extra: string[] = []): Promise<TapProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-ui-'));
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'podtap.js'), 'tap', '--listen', '127.0.0.1:0', '--data', dir, '--token', token, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const end = Date.now() + TAP_START_TIMEOUT_MS;
  for (;;) {
    const m = /hub on (http:\/\/[\d.]+:\d+)/.exec(err);
    if (m !== null) return { url: m[1]!, token, log: () => err, stop };
    if (child.exitCode !== null || Date.now() > end) { await stop(); throw new Error(`podtap tap did not start:\n${err}`); }
    await sleep(50);
  }
}

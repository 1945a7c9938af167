/**
 * podtap itself in the demo, as `podtap tap` runs it: a hub in this process
 * on 127.0.0.1, and one worker per simulated node, also in this process,
 * each capturing inside its node's network namespace (the addon enters the
 * namespace on its own thread; the uplink to the hub stays on loopback).
 * No targeting rule: every workload pod, each packet once.
 */
import { Hub } from '../hub/server.js';
import { DEFAULT_SECRET_WORDS } from '../hub/redact.js';
import type { ClusterLab } from '../lab/cluster/lab.js';
import { Worker } from '../worker/worker.js';
import { DemoError } from './preflight.js';

export const HUB_HOST = '127.0.0.1';
/** The demo's store lives in memory, trimmed to this size and age. */
export const DEMO_STORE_MAX_BYTES = 256 * 1024 ** 2;
export const DEMO_STORE_MAX_AGE_MS = 3_600_000;

export interface Capture {
  hub: Hub;
  /** http://127.0.0.1:PORT */
  url: string;
  workers: Worker[];
  stop(): Promise<void>;
}

export async function startCapture(lab: ClusterLab, o: { inventory: string; port: number; token: string; log: (line: string) => void }): Promise<Capture> {
  const hub = new Hub({
    host: HUB_HOST, port: o.port, token: o.token, log: o.log,
    store: { maxBytes: DEMO_STORE_MAX_BYTES, maxAgeMs: DEMO_STORE_MAX_AGE_MS },
    redact: { enabled: true, words: DEFAULT_SECRET_WORDS },
  });
  let url: string;
  try {
    url = await hub.start();
  } catch (err) {
    await hub.stop().catch(() => {});
    throw new DemoError(`hub on ${HUB_HOST}:${o.port}: ${(err as Error).message}`);
  }
  const workers = lab.nodes.map((n) => new Worker({
    node: n.name, inventory: o.inventory, rules: {}, hub: { url, token: o.token }, netns: n.ns, log: (l) => o.log(`[${n.name}] ${l}`),
  }));
  const stop = async (): Promise<void> => {
    await Promise.allSettled(workers.map((w) => w.stop()));
    await hub.stop();
  };
  try {
    await Promise.all(workers.map((w) => w.start()));
  } catch (err) {
    await stop();
    throw err;
  }
  return { hub, url, workers, stop };
}

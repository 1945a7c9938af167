import type { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '../entries/types.js';
import { Worker } from '../worker/worker.js';
import { LiveCaptureError } from '../live/errors.js';
import { processCaptureFile } from '../pipeline/read-file.js';
import { hostInventory } from '../tap/host-inventory.js';
import { addHubOptions, hubFromOptions, startHub, untilSignal, type HubCliOptions } from './hub-cmd.js';
import { demoCapture } from './read.js';
import { addRuleOptions, hasRuleFlags } from './rules-options.js';
import { addClusterOptions, runClusterTap, wantsCluster, type ClusterTapOptions } from './cluster-cmd.js';
import { UsageError } from './errors.js';

/** How often `podtap tap` looks for new or removed network namespaces. */
export const TAP_INVENTORY_MS = 5000;

interface TapOptions extends HubCliOptions {
  loopback: boolean;
  demo?: boolean;
}

export function addTapCommand(program: Command): void {
  addClusterOptions(addRuleOptions(addHubOptions(program.command('tap')
    .description('With a cluster (--kubeconfig, --context or KUBECONFIG): deploy podtap, wait for it and port-forward to the hub.\nWithout one: a hub plus a worker capturing this host\'s network namespaces and loopback. Prints the URL.'))))
    .option('--listen <host:port>', 'this host: address of the hub', '127.0.0.1:8899')
    .option('--no-loopback', 'this host: do not capture loopback')
    .option('--demo', 'this host: load the bundled demo capture (HTTP and DNS) into the hub, re-timed to now; works without capture permission')
    .action(async (podRegex: string | undefined, o: TapOptions & ClusterTapOptions) => {
      if (wantsCluster(o)) { await runClusterTap({ ...o, podRegex }); return; }
      if (hasRuleFlags(podRegex, o)) throw new UsageError('the pod regex and -n/-e/-l target pods in a cluster: add --kubeconfig or --context (this host\'s namespaces are all captured)');
      const log = (l: string) => process.stderr.write(`${l}\n`);
      const { hub, token } = hubFromOptions(o);
      const url = await startHub(hub, o.listen);
      if (o.demo === true) log(`podtap tap: loaded ${await loadDemo((e) => hub.accept(e))} demo entries`);
      const node = hostname();
      const dir = mkdtempSync(join(tmpdir(), 'podtap-tap-'));
      const inventory = join(dir, 'inventory.json');
      writeFileSync(inventory, JSON.stringify(await hostInventory(undefined, node)));
      const refresh = setInterval(() => {
        void hostInventory(undefined, node).then((inv) => {
          const text = JSON.stringify(inv);
          if (readFileSync(inventory, 'utf8') !== text) writeFileSync(inventory, text); // the worker watches the file
        }).catch(() => { /* next round */ });
      }, TAP_INVENTORY_MS);
      const hubPort = Number(new URL(url).port);
      const worker = new Worker({
        node, inventory, rules: {}, hub: { url, token }, log,
        ...(o.loopback ? { loopback: { excludePorts: [hubPort] } } : {}),
      });
      let capturing = true;
      try {
        await worker.start();
      } catch (err) {
        await worker.stop().catch(() => {});
        if (!(err instanceof LiveCaptureError)) throw err;
        capturing = false;
        log(`podtap tap: live capture is off: ${err.message}${o.demo === true ? '' : ' (try --demo to see the UI with recorded traffic)'}`);
      }
      log(`podtap tap: hub on ${url}${capturing ? `, capturing ${o.loopback ? 'loopback and ' : ''}this host's network namespaces` : ''}`);
      log(`podtap tap: open ${url}/login?token=${encodeURIComponent(token)}`);
      log(`podtap tap: API: curl -H 'Authorization: Bearer ${token}' ${url}/api/entries`);
      await untilSignal();
      clearInterval(refresh);
      if (capturing) await worker.stop();
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    });
}

/**
 * The bundled demo capture's entries, re-timed so the newest is now (retention keeps
 * them). Their ids are fixed, so loading the demo again adds nothing twice.
 */
export async function loadDemo(accept: (entries: Entry[]) => Promise<unknown>): Promise<number> {
  const r = await processCaptureFile(demoCapture(), { idPrefix: 'demo.' });
  const last = Math.max(...r.entries.map((e) => e.timestamp));
  const shift = Date.now() - last;
  const entries = r.entries.map((e) => ({ ...e, timestamp: e.timestamp + shift }) as Entry);
  await accept(entries);
  return entries.length;
}

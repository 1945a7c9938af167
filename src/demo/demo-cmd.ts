/**
 * `podtap demo [--port N] [--rate N] [--token T]`: starts the demo shop
 * (demo.ts), prints the UI's login URL, and on SIGINT/SIGTERM stops it all.
 * Problems (not root, not Linux, a tool missing, the port taken) are one
 * line on stderr and exit code 1.
 */
import type { Command } from 'commander';
import { LabError } from '../lab/netns.js';
import { LiveCaptureError } from '../live/errors.js';
import { DEFAULT_DEMO_PORT, DEFAULT_DEMO_RATE, startDemo, type Demo } from './demo.js';
import { DemoError } from './preflight.js';

interface DemoCliOptions { port: string; rate: string; token?: string }

/** Resolves on the first SIGINT/SIGTERM; later ones are ignored while the demo stops (the lab's own handler re-raises the signal). */
function firstSignal(): Promise<void> {
  return new Promise((resolve) => {
    const on = (): void => resolve();
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function addDemoCommand(program: Command): void {
  program.command('demo')
    .description('Run a small shop (HTTP, gRPC, Redis, PostgreSQL, MQTT, DNS) in a simulated two-node cluster of network namespaces, capture it and serve the UI (root, Linux).')
    .option('--port <port>', 'hub and UI port on 127.0.0.1', String(DEFAULT_DEMO_PORT))
    .option('--rate <calls>', 'calls per second the frontend sends', String(DEFAULT_DEMO_RATE))
    .option('--token <token>', 'token for the UI and API (default: PODTAP_TOKEN, else a new one)')
    .action(async (o: DemoCliOptions) => {
      // Once stopping, only the demo's own lines: on a signal the lab's guard has already removed the
      // namespaces, and the workers would report every interface gone.
      let stopping = false;
      const log = (l: string): void => { if (!stopping || l.startsWith('podtap demo:')) process.stdout.write(`${l}\n`); };
      const signalled = firstSignal();
      let demo: Demo;
      try {
        const token = o.token ?? (process.env.PODTAP_TOKEN || undefined);
        demo = await startDemo({ port: Number(o.port), rate: Number(o.rate), log, ...(token === undefined ? {} : { token }) });
      } catch (err) {
        if (!(err instanceof DemoError || err instanceof LabError || err instanceof LiveCaptureError)) throw err;
        process.stderr.write(`podtap demo: ${err.message}\n`);
        process.exitCode = 1;
        return;
      }
      log(`podtap demo: hub on ${demo.url}, capturing ${demo.nodes.join(' and ')}`);
      log(`podtap demo: open ${demo.loginUrl}`);
      log(`podtap demo: API: curl -H 'Authorization: Bearer ${demo.token}' ${demo.url}/api/entries`);
      log('podtap demo: Ctrl-C stops the shop and removes its namespaces');
      await signalled;
      log('podtap demo: stopping…');
      stopping = true;
      await demo.stop();
      log('podtap demo: stopped, namespaces removed');
      process.exitCode = 0;
    });
}

/**
 * A fuzz worker: starts block coverage before any code under test is
 * loaded, then fuzzes the target of the RunRequest it is sent, reporting
 * progress about once a second. The main thread terminates it afterwards.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startCoverage } from './coverage.js';
import { Heartbeat } from './heartbeat.js';
import type { RunRequest, WorkerMessage, WorkerSetup } from './protocol.js';
import type { FuzzTarget } from './target.js';

const setup = workerData as WorkerSetup;
if (setup.coverage) startCoverage();
const { Engine } = await import('./engine.js');
const { targetNamed } = await import('./targets/index.js');
const heartbeat = new Heartbeat(setup.heartbeat);
const port = parentPort!;
const send = (m: WorkerMessage): void => port.postMessage(m);

port.on('message', async (req: RunRequest) => {
  const target = req.module === undefined ? targetNamed(req.target) : ((await import(req.module)) as { target: FuzzTarget }).target;
  if (target === undefined) { send({ type: 'failed', error: `no fuzz target named ${req.target}` }); return; }
  const engine = new Engine(target, { ...req, heartbeat, coverage: setup.coverage, onProgress: (stats) => send({ type: 'progress', stats }) });
  engine.fuzz().then(
    (stats) => send({ type: 'done', stats }),
    (e: unknown) => send({ type: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
send({ type: 'ready' });

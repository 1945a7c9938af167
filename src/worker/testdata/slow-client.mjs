// A keep-alive HTTP client for lab tests, run inside a pod:
//   node slow-client.mjs HOST PORT PATH COUNT PAUSE_AFTER DELAY_MS
// GET PATH/1 … PATH/COUNT on ONE connection, DELAY_MS apart. Prints "ok I"
// after each response; after PAUSE_AFTER responses it waits for a line on
// stdin before going on (so a test can start capturing mid-connection).
// Ends with a JSON line: { ok, failed, connections }.
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

const [host, port, path, count, pauseAfter, delay] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once('line', resolve));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ports = new Set();
let ok = 0, failed = 0;
for (let i = 1; i <= Number(count); i++) {
  if (i === Number(pauseAfter) + 1) await nextLine();
  try {
    await new Promise((resolve, reject) => {
      const req = request({ host, port: Number(port), path: `${path}/${i}`, agent, timeout: 3000 }, (res) => {
        ports.add(res.socket.localPort);
        res.resume();
        res.on('end', resolve);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
    ok++;
    process.stdout.write(`ok ${i}\n`);
  } catch (err) {
    failed++;
    process.stdout.write(`failed ${i} ${err.message}\n`);
  }
  await sleep(Number(delay));
}
agent.destroy();
lines.close();
process.stdout.write(`${JSON.stringify({ ok, failed, connections: ports.size })}\n`);

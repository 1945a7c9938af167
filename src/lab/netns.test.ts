/** The lab builds isolated namespaces, touches nothing on the host and always cleans up. */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertLabAddress, Lab, LabError, netnsSkipReason } from './netns.js';
import { run, waitForExit, waitForOutput } from './proc.js';

const skip = netnsSkipReason();

async function namespaces(): Promise<string[]> {
  return (await run('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean);
}
async function hostLinks(): Promise<string> {
  return (await run('ip', ['-o', 'link', 'show'])).stdout.split('\n').map((l) => l.split(':')[1]?.trim()).sort().join(',');
}

const ECHO_SERVER = "require('net').createServer((s) => s.end('hi from server')).listen(7000, process.argv[1], () => console.log('up'))";
const ECHO_CLIENT = "require('net').connect(7000, process.argv[1]).on('data', (d) => process.stdout.write(d))";

test('lab addresses must stay inside 10.231.0.0/16', () => {
  assert.throws(() => assertLabAddress('192.168.1.5/24'), LabError);
  assert.throws(() => assertLabAddress('10.232.0.1'), LabError);
  assertLabAddress('10.231.4.5/24');
});

describe('network namespace lab', { skip: skip ?? false }, () => {
  test('a pair lab connects two namespaces, leaves the host alone and is removed at teardown', async () => {
    const before = await hostLinks();
    const lab = await Lab.create({ nodes: ['server', 'client'] });
    try {
      assert.deepEqual(lab.nodes.map((n) => n.ip), ['10.231.1.1', '10.231.1.2']);
      const names = await namespaces();
      for (const n of lab.nodes) assert.ok(names.includes(n.ns), `${n.ns} exists`);
      assert.match(lab.nodes[0]!.ns, new RegExp(`^ptlab-${process.pid}-\\d+-server$`));
      assert.equal(await hostLinks(), before, 'no link was created on the host');
      const server = lab.spawn('server', process.execPath, ['-e', ECHO_SERVER, '10.231.1.1']);
      await waitForOutput(server, /up/, 5_000);
      const r = await lab.exec('client', process.execPath, ['-e', ECHO_CLIENT, '10.231.1.1'], { timeoutMs: 5_000 });
      assert.equal(r.stdout, 'hi from server');
    } finally {
      await lab.teardown();
    }
    const after = await namespaces();
    for (const n of lab.nodes) assert.ok(!after.includes(n.ns), `${n.ns} removed`);
  });

  test('a bridge lab joins three nodes through a hub namespace', async () => {
    const lab = await Lab.create({ nodes: ['a', 'b', 'c'], topology: 'bridge' });
    try {
      assert.ok(lab.hub && (await namespaces()).includes(lab.hub));
      const server = lab.spawn('a', process.execPath, ['-e', ECHO_SERVER, '10.231.1.1']);
      await waitForOutput(server, /up/, 5_000);
      const r = await lab.exec('c', process.execPath, ['-e', ECHO_CLIENT, '10.231.1.1'], { timeoutMs: 5_000 });
      assert.equal(r.stdout, 'hi from server');
    } finally {
      await lab.teardown();
    }
    assert.ok(!(await namespaces()).some((n) => n.startsWith(lab.id)));
  });

  test('SIGINT to the owning process removes its namespaces', async () => {
    const netns = new URL('./netns.js', import.meta.url).href;
    const script = `import { Lab } from '${netns}';
const lab = await Lab.create({ nodes: ['one', 'two'] });
lab.spawn('one', 'sleep', ['60']);
console.log('ready ' + lab.id);
setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], cwd: fileURLToPath(new URL('.', import.meta.url)) });
    const out = await waitForOutput(child, /ready \S+/, 10_000);
    const id = /ready (\S+)/.exec(out)?.[1] as string;
    assert.ok((await namespaces()).some((n) => n.startsWith(`${id}-`)));
    child.kill('SIGINT');
    await waitForExit(child);
    assert.equal(child.signalCode, 'SIGINT');
    assert.ok(!(await namespaces()).some((n) => n.startsWith(`${id}-`)), 'namespaces removed on SIGINT');
  });
});

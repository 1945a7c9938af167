import type { Command } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Hub } from '../hub/server.js';
import { generateToken, MIN_TOKEN_LENGTH } from '../hub/auth.js';
import { DEFAULT_SECRET_WORDS } from '../hub/redact.js';
import { describeCert } from '../hub/certs.js';
import { loadTls, tlsFiles, TlsConfigError, type TlsFlags, type TlsMaterial } from '../hub/tls.js';
import { UsageError } from './errors.js';
import { parseDuration, parseHostPort, parseSize } from './units.js';

export interface HubCliOptions extends TlsFlags {
  listen: string;
  data?: string;
  token?: string;
  maxBytes: string;
  maxAge: string;
  redact: boolean;
  redactWords?: string;
}

/** Where the hub keeps its database when --data is not given. */
export function defaultDataDir(): string {
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'podtap');
}

export function addHubOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', `database directory (default: ${defaultDataDir()})`)
    .option('--token <token>', 'token workers and API clients must send (default: PODTAP_TOKEN, else a new one is printed)')
    .option('--max-bytes <size>', 'retention: database size limit', '1g')
    .option('--max-age <duration>', 'retention: entries older than this are deleted', '7d')
    .option('--no-redact', 'store secrets (Authorization, Cookie, …) as captured')
    .option('--redact-words <list>', `comma-separated words: headers, query parameters and JSON fields whose name contains one are masked (default: ${DEFAULT_SECRET_WORDS.join(',')})`);
}

/** Build a hub from checked options; the caller starts it. */
export function hubFromOptions(o: HubCliOptions, log?: (line: string) => void): { hub: Hub; token: string; generated: boolean; tls?: TlsMaterial } {
  const { host, port } = parseHostPort(o.listen, '--listen');
  let token = o.token ?? process.env.PODTAP_TOKEN;
  const generated = token === undefined || token === '';
  if (generated) token = generateToken();
  else if (token!.length < MIN_TOKEN_LENGTH) throw new UsageError(`--token: use at least ${MIN_TOKEN_LENGTH} characters (or leave it out and one is generated)`);
  const tls = tlsOptions(o, 'hub');
  const words = o.redactWords === undefined ? DEFAULT_SECRET_WORDS : o.redactWords.split(',').map((w) => w.trim()).filter(Boolean);
  const hub = new Hub({
    host, port, token: token!, log, tls,
    store: { dir: o.data ?? defaultDataDir(), maxBytes: parseSize(o.maxBytes, '--max-bytes'), maxAgeMs: parseDuration(o.maxAge, '--max-age') },
    redact: { enabled: o.redact, words },
  });
  return { hub, token: token!, generated, ...(tls === undefined ? {} : { tls }) };
}

/** The checked TLS files of --tls-dir / --tls-cert, --tls-key, --tls-ca, or undefined without them; a bad one is a UsageError. */
export function tlsOptions(o: TlsFlags, role: 'hub' | 'worker'): TlsMaterial | undefined {
  try {
    const files = tlsFiles(o, role);
    return files === undefined ? undefined : loadTls(files, role);
  } catch (err) {
    if (err instanceof TlsConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** What `podtap hub` and `podtap worker` say about their TLS files at start. */
export function describeTls(m: TlsMaterial, role: 'hub' | 'worker'): string[] {
  const peer = role === 'hub' ? 'workers must present a client certificate signed by' : 'the hub must present a certificate signed by';
  return [`TLS with ${m.files.cert}: ${describeCert(m.cert)}; ${peer} ${describeCert(m.ca)} (${m.files.ca})`, ...m.warnings.map((w) => `WARNING: ${w}`)];
}

export function addHubCommand(program: Command): void {
  addHubOptions(program.command('hub')
    .description('Receive entries from workers, store them (SQLite) and serve the API on one port.'))
    .option('--listen <host:port>', 'address to serve on', '0.0.0.0:8899')
    .option('--tls-dir <dir>', 'serve HTTPS and WSS with ca.crt, hub.crt and hub.key from `podtap certs`; workers must then present a client certificate signed by that CA')
    .option('--tls-cert <file>', 'instead of --tls-dir: the hub\'s certificate (PEM)')
    .option('--tls-key <file>', 'instead of --tls-dir: its private key (PEM)')
    .option('--tls-ca <file>', 'instead of --tls-dir: the CA that signs the workers\' client certificates (PEM)')
    .action(async (o: HubCliOptions) => {
      const { hub, token, generated, tls } = hubFromOptions(o);
      const url = await startHub(hub, o.listen);
      process.stderr.write(`podtap hub: serving on ${url} (data in ${o.data ?? defaultDataDir()})\n`);
      if (tls !== undefined) for (const l of describeTls(tls, 'hub')) process.stderr.write(`podtap hub: ${l}\n`);
      if (generated) process.stderr.write(`podtap hub: token ${token}\npodtap hub: log in: ${url}/login?token=${encodeURIComponent(token)}\n`);
      await untilSignal();
      await hub.stop();
    });
}

export async function startHub(hub: Hub, listen: string): Promise<string> {
  try {
    return await hub.start();
  } catch (err) {
    await hub.stop().catch(() => {});
    throw new UsageError(`--listen ${listen}: ${(err as Error).message}`);
  }
}

export function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

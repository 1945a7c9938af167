/**
 * PostgreSQL for the db pod, real when it can be:
 *  1. `prepareDatabase` (root namespace, no network, can run while the lab
 *     is built): initdb into the demo's temp dir as user postgres (trust
 *     auth), then the `shop` database and its seed through single-user mode;
 *  2. `startDatabase`: postgres in the pod, listening on the pod IP only,
 *     its socket in the temp dir, fsync off;
 *  3. when either step fails, a minimal PostgreSQL-wire stand-in
 *     (app/pg-standin.ts) runs instead, and the demo says so.
 * The server stops with SIGINT (fast shutdown). Should it die abruptly
 * instead (Ctrl-C tears the lab down at once), `removeLeftoverShm` removes
 * its System V interlock segment, which would otherwise outlive it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { appendFile, chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterLab } from '../lab/cluster/lab.js';
import { run, which } from '../lab/proc.js';
import { seedSql } from './app/catalog-data.js';
import { DemoProcess } from './process.js';
import { POSTGRES_PORT } from './spec.js';

export const PG_USER = 'postgres';
export const PG_SETUP_TIMEOUT_MS = 30_000;
const PG_ROOT = '/usr/lib/postgresql';

export interface Database {
  process: DemoProcess;
  /** True when the stand-in runs instead of PostgreSQL. */
  standIn: boolean;
  /** System V segment of the real server (from postmaster.pid), if any. */
  shmid: number | undefined;
}

/** The newest installed PostgreSQL's bin directory, or undefined. */
export function postgresBin(): string | undefined {
  let versions: string[] = [];
  try { versions = readdirSync(PG_ROOT).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)); } catch { /* not installed */ }
  return versions.map((v) => join(PG_ROOT, v, 'bin')).find((d) => which(join(d, 'postgres')) !== undefined);
}

/** argv prefix that runs a program as the postgres user without a wrapper process (PostgreSQL refuses root). */
function asPostgres(): string[] {
  return which('setpriv') !== undefined ? ['setpriv', `--reuid=${PG_USER}`, `--regid=${PG_USER}`, '--clear-groups', '--'] : ['runuser', '-u', PG_USER, '--'];
}

async function pgIds(): Promise<{ uid: number; gid: number }> {
  const r = await run('id', [PG_USER]);
  const uid = /uid=(\d+)/.exec(r.stdout)?.[1], gid = /gid=(\d+)/.exec(r.stdout)?.[1];
  if (uid === undefined || gid === undefined) throw new Error(`no user ${PG_USER}`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** Creates and seeds a cluster in `dir/pg`; returns its data directory. Throws with the reason. */
export async function prepareDatabase(dir: string): Promise<string> {
  const bin = postgresBin();
  if (bin === undefined) throw new Error(`no PostgreSQL under ${PG_ROOT}`);
  const { uid, gid } = await pgIds();
  const home = join(dir, 'pg');
  await mkdir(home, { mode: 0o700 });
  await chown(home, uid, gid);
  const data = join(home, 'data');
  const opts = { timeoutMs: PG_SETUP_TIMEOUT_MS };
  await run(asPostgres()[0]!, [...asPostgres().slice(1), join(bin, 'initdb'), '-D', data, '-U', PG_USER, '-A', 'trust', '-N', '-E', 'UTF8', '--locale=C'], opts);
  // Single-user mode reads one statement per line and reports errors on stderr only.
  const single = async (db: string, input: string): Promise<void> => {
    const r = await run(asPostgres()[0]!, [...asPostgres().slice(1), join(bin, 'postgres'), '--single', '-D', data, '-c', 'fsync=off', db], { ...opts, input });
    const err = /ERROR:.*/.exec(r.stderr);
    if (err !== null) throw new Error(`seeding database ${db}: ${err[0]}`);
  };
  // initdb trusts local connections only; the shop's pods connect over the lab's network.
  await appendFile(join(data, 'pg_hba.conf'), 'host all all 0.0.0.0/0 trust\n');
  await single('postgres', 'CREATE DATABASE shop\n');
  await single('shop', seedSql());
  return data;
}

/** Starts PostgreSQL on `data` in pod `where`, or the stand-in when `data` is an Error. */
export async function startDatabase(lab: ClusterLab, where: string, data: string | Error, log: (line: string) => void): Promise<Database> {
  const ip = lab.pod(where).ip;
  if (typeof data === 'string') {
    const argv = [...asPostgres(), join(postgresBin()!, 'postgres'), '-D', data, '-h', ip, '-p', String(POSTGRES_PORT), '-k', join(data, '..'),
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'shared_buffers=16MB', '-c', 'max_connections=40', '-c', 'dynamic_shared_memory_type=mmap'];
    try {
      const server = await DemoProcess.start(lab, where, argv, { name: 'postgres', ready: /ready to accept connections/, stopSignal: 'SIGINT' });
      return { process: server, standIn: false, shmid: shmidOf(data) };
    } catch (err) {
      data = err as Error;
    }
  }
  log(`demo: PostgreSQL could not start (${data.message.slice(0, 300)}); using a minimal PostgreSQL-wire stand-in in ${where} instead`);
  const script = fileURLToPath(new URL('./app/pg-standin.js', import.meta.url));
  const standIn = await DemoProcess.start(lab, where, [process.execPath, script, '--host', ip, '--port', String(POSTGRES_PORT)], { name: 'pg-standin', ready: /^ready /m });
  return { process: standIn, standIn: true, shmid: undefined };
}

/** Line 7 of postmaster.pid: "<key> <shmid>". */
function shmidOf(data: string): number | undefined {
  try {
    const id = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[6]?.trim().split(/\s+/)[1]);
    return Number.isInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the server's System V segment when no process is attached any more. */
export async function removeLeftoverShm(shmid: number | undefined): Promise<void> {
  if (shmid === undefined) return;
  let table = '';
  try { table = readFileSync('/proc/sysvipc/shm', 'utf8'); } catch { return; }
  // Columns: key shmid perms size cpid lpid nattch …
  const row = table.split('\n').map((l) => l.trim().split(/\s+/)).find((c) => Number(c[1]) === shmid);
  if (row !== undefined && Number(row[6]) === 0) await run('ipcrm', ['-m', String(shmid)], { check: false });
}

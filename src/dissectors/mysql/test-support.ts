/** Helpers for the MySQL tests: run a capture through a pipeline with this dissector, and drive a real server. */
import { Pipeline } from '../../pipeline/pipeline.js';
import { DissectorRegistry, DISSECTORS } from '../registry.js';
import { readCaptureFile } from '../../capture/open.js';
import type { PipelineStats } from '../../pipeline/types.js';
import type { MysqlEntry } from './entry.js';
import { mysqlSpec } from './index.js';

export async function dissectFile(path: string): Promise<{ entries: MysqlEntry[]; stats: PipelineStats }> {
  const entries: MysqlEntry[] = [];
  const p = new Pipeline((e) => { if ((e as { protocol: string }).protocol === 'mysql') entries.push(e as unknown as MysqlEntry); }, {}, new DissectorRegistry([...DISSECTORS, mysqlSpec]));
  await readCaptureFile(path, p);
  const stats = p.finish();
  return { entries, stats };
}

/** One command the client ran and what it got back (the ground truth). */
export interface Truth {
  command: string;
  query?: string;
  params?: Array<string | null>;
  status: 'OK' | 'ERR' | 'RESULTSET';
  rowCount?: number;
  affectedRows?: number;
  errorCode?: number;
  sqlState?: string;
}

/** Drives 127.0.0.1:3306 with mysql2 (root, no password, database test); returns what was sent and received. */
export async function driveMysql(port = 3306): Promise<Truth[]> {
  const mysql = await import('mysql2/promise');
  const truth: Truth[] = [];
  const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: '', database: 'test' });
  const q = async (sql: string): Promise<void> => {
    try {
      const [res] = await conn.query(sql);
      if (Array.isArray(res)) truth.push({ command: 'COM_QUERY', query: sql, status: 'RESULTSET', rowCount: res.length });
      else truth.push({ command: 'COM_QUERY', query: sql, status: 'OK', affectedRows: (res as { affectedRows: number }).affectedRows });
    } catch (e) {
      const err = e as { errno: number; sqlState: string };
      truth.push({ command: 'COM_QUERY', query: sql, status: 'ERR', errorCode: err.errno, sqlState: err.sqlState });
    }
  };
  await q('CREATE TEMPORARY TABLE pets (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64), born DATE NULL, weight DOUBLE)');
  await q("INSERT INTO pets (name, born, weight) VALUES ('Goofy', '2001-02-03', 12.5), ('Garfield', NULL, 7.25), ('Odie', '1999-12-31', 4)");
  await q('SELECT id, name, born, weight FROM pets ORDER BY id');
  const sql = 'SELECT id, name, born FROM pets WHERE id >= ? AND name <> ?';
  const [rows] = await conn.execute(sql, [2, 'nobody']);
  truth.push({ command: 'COM_STMT_PREPARE', query: sql, status: 'OK' });
  truth.push({ command: 'COM_STMT_EXECUTE', query: sql, params: ['2', 'nobody'], status: 'RESULTSET', rowCount: (rows as unknown[]).length });
  const upd = 'UPDATE pets SET weight = ? WHERE name = ?';
  const [u] = await conn.execute(upd, [8.5, 'Garfield']);
  truth.push({ command: 'COM_STMT_PREPARE', query: upd, status: 'OK' });
  truth.push({ command: 'COM_STMT_EXECUTE', query: upd, params: ['8.5', 'Garfield'], status: 'OK', affectedRows: (u as { affectedRows: number }).affectedRows });
  await q('SELECT * FROM no_such_table');
  await q('USE test');
  await conn.ping();
  truth.push({ command: 'COM_PING', status: 'OK' });
  await conn.end();
  truth.push({ command: 'COM_QUIT', status: 'OK' });
  return truth;
}

/** Every command of the ground truth appears exactly once, in order, with its text, status and counts. */
export function compareWithTruth(entries: readonly MysqlEntry[], truth: readonly Truth[]): string[] {
  const problems: string[] = [];
  const cmds = entries.filter((e) => e.request?.command !== 'HANDSHAKE');
  if (cmds.length !== truth.length) problems.push(`${cmds.length} command entries, ${truth.length} commands run`);
  truth.forEach((t, i) => {
    const e = cmds[i];
    if (e === undefined) return;
    const want = (what: string, got: unknown, exp: unknown): void => {
      if (exp !== undefined && JSON.stringify(got) !== JSON.stringify(exp)) problems.push(`#${i} ${t.query ?? t.command}: ${what} ${JSON.stringify(got)} != ${JSON.stringify(exp)}`);
    };
    want('command', e.request?.command, t.command);
    want('query', e.request?.query, t.query);
    want('params', e.request?.params, t.params);
    if (t.command === 'COM_QUIT') { want('response', e.response, null); return; }
    want('status', e.response?.status, t.command === 'COM_STMT_PREPARE' ? 'PREPARED' : t.status);
    want('rowCount', e.response?.rowCount, t.rowCount);
    want('affectedRows', e.response?.affectedRows, t.affectedRows);
    want('errorCode', e.response?.errorCode, t.errorCode);
    want('sqlState', e.response?.sqlState, t.sqlState);
    if (e.flags.length > 0) problems.push(`#${i}: flags ${e.flags.join(',')}`);
  });
  return problems;
}

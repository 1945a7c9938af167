/**
 * The Zeek MySQL traces (fixtures/mysql/zeek, copied from ../shared/corpus,
 * BSD-3-Clause) against Zeek's mysql.log baselines: per entry the command,
 * its argument (query, user, database, table), success and affected rows.
 * Known, deliberate differences are listed in ALLOWED, never skipped silently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dissectFile } from './test-support.js';
import type { MysqlEntry } from './entry.js';

const DIR = 'fixtures/mysql/zeek/';
const ZEEK_CMD: Record<string, string> = {
  HANDSHAKE: 'login', COM_QUERY: 'query', COM_INIT_DB: 'init_db', COM_FIELD_LIST: 'field_list', COM_QUIT: 'quit',
  COM_PING: 'ping', COM_CHANGE_USER: 'change_user', COM_STATISTICS: 'statistics',
};

/** Lines podtap gives that Zeek does not log, or logs otherwise. */
const ALLOWED: Record<string, { extra?: string[]; replace?: Array<[string, string]> }> = {
  // Three connections refused at the greeting (ERR 1130 instead of protocol 10): podtap logs them, Zeek does not.
  'auth.pcap': { extra: ['login |  | F | -', 'login |  | F | -', 'login |  | F | -'] },
  // Zeek does not pair COM_STATISTICS with its plain-text answer; podtap does.
  'caching_sha2_password-after-auth-switch.pcapng': { replace: [['statistics |  | - | -', 'statistics |  | T | 0']] },
  // The client asks for TLS (SSLRequest): podtap logs the handshake as a tunnel, Zeek logs nothing.
  'encrypted.pcap': { extra: ['login |  | - | -'] },
};

function line(e: MysqlEntry): string {
  const r = e.request;
  const cmd = ZEEK_CMD[r?.command ?? ''] ?? r?.command;
  const arg = r?.query ?? r?.user ?? r?.database ?? r?.table ?? '';
  const success = e.response === null ? '-' : e.response.status === 'ERR' ? 'F' : 'T';
  const rows = e.response === null || e.response.status === 'ERR' ? '-' : String(e.response.affectedRows ?? 0);
  return [cmd, arg, success, rows].join(' | ');
}

test('Zeek mysql traces: commands, arguments, success and affected rows as in mysql.log', async (t) => {
  const files = readdirSync(DIR).filter((f) => /\.pcap(ng)?$/.test(f));
  assert.ok(files.length >= 14);
  for (const f of files) {
    await t.test(f, async () => {
      const log = readFileSync(DIR + f.replace(/\.pcap(ng)?$/, '.mysql.log'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      let want = log.map((l) => { const c = l.split('\t'); return [c[6], c[7] === '(empty)' ? '' : c[7], c[8], c[9]].join(' | '); });
      const allowed = ALLOWED[f];
      for (const [z, p] of allowed?.replace ?? []) want = want.map((w) => (w === z ? p : w));
      const { entries, stats } = await dissectFile(DIR + f);
      const got = entries.map(line);
      for (const x of allowed?.extra ?? []) {
        const i = got.indexOf(x);
        assert.ok(i !== -1, `allowed extra line present: ${x}`);
        got.splice(i, 1);
      }
      assert.deepEqual(got, want);
      assert.deepEqual(stats.weirds, {});
    });
  }
});

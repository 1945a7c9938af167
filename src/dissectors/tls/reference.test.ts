/**
 * The Zeek TLS traces (fixtures/tls/zeek-*.pcap, copied from the shared
 * corpus with their ssl.log baselines) against Zeek's verdicts: version,
 * cipher, server_name, last_alert and next_protocol (ALPN) per connection.
 * Zeek's version names are mapped to ours; the one disagreement in kind is
 * listed in VERSION_ALLOW.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fixturePath } from '../../util/paths.js';
import { runCapture } from './test-support.js';

const TRACES = [
  'tls-conn-with-extensions', 'dhe', 'ecdhe', 'tls-1.2-handshake-failure', 'tls1.2', 'tls13draft23-chrome67.0.3368.0-canary',
  'tls1_1', 'chrome-63.0.3211.0-canary-tls_experiment', 'ecdsa-cert', 'tls13-ech',
];

/** Zeek prints versions it has no name for as unknown-<decimal>; we print hex (0x7E01 was a Chrome TLS 1.3 experiment). */
const VERSION_ALLOW: Record<string, string> = { 'unknown-32257': '0x7E01' };

function zeekVersion(v: string): string {
  if (VERSION_ALLOW[v] !== undefined) return VERSION_ALLOW[v]!;
  const m = /^TLSv1(\d)(?:-draft(\d+))?$/.exec(v);
  if (m === null) return v === '-' ? '' : v;
  return m[2] !== undefined ? `TLS 1.3 draft ${m[2]}` : `TLS 1.${m[1]}`;
}

function readZeekLog(path: string): Array<Record<string, string>> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const fields = lines.find((l) => l.startsWith('#fields'))!.split('\t').slice(1);
  return lines.filter((l) => l !== '' && !l.startsWith('#')).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [fields[i], v])));
}

for (const name of TRACES) {
  test(`zeek ${name}: version, cipher, SNI, alert and ALPN agree with ssl.log`, async () => {
    const { entries } = await runCapture(fixturePath('tls', `zeek-${name}.pcap`));
    const rows = readZeekLog(fixturePath('tls', `zeek-${name}.ssl.log`));
    assert.equal(entries.length, rows.length, 'one entry per Zeek ssl.log row');
    for (const row of rows) {
      const e = entries.find((x) => x.src.port === Number(row['id.orig_p']));
      assert.ok(e !== undefined, `entry for client port ${row['id.orig_p']}`);
      const dash = (s: string | undefined): string => (s === undefined || s === '' ? '-' : s);
      assert.equal(e.response?.version ?? '', zeekVersion(row.version!), 'version');
      assert.equal(dash(e.response?.cipher), row.cipher, 'cipher');
      assert.equal(dash(e.request?.sni), row.server_name, 'server_name');
      assert.equal(dash(e.response?.alert ?? e.request?.alert), row.last_alert, 'last_alert');
      assert.equal(dash(e.response?.alpn), row.next_protocol, 'next_protocol');
    }
  });
}

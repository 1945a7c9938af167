import type { Command } from 'commander';
import { describeCert, generateBundle, LEAF_DAYS, LOOPBACK_NAMES, TlsConfigError, writeBundle } from '../hub/certs.js';
import { UsageError } from './errors.js';

/**
 * `podtap certs --out DIR [--hub-names a,b,10.0.0.5]`: a CA, the hub's server
 * certificate and the workers' client certificate for mutual TLS (certs.ts).
 * The CA key is not kept.
 */
export function addCertsCommand(program: Command): void {
  program.command('certs')
    .description('Make the TLS files for worker → hub streams (mutual TLS): ca.crt, hub.crt/hub.key for `podtap hub --tls-dir`, worker.crt/worker.key for `podtap worker --tls-dir`. The CA key is discarded.')
    .requiredOption('--out <dir>', 'directory to write the five files to (created 0700; keys are written 0600)')
    .option('--hub-names <list>', `comma-separated host names and IP addresses workers reach the hub by (${LOOPBACK_NAMES.join(', ')} are always added)`)
    .option('--days <n>', 'validity of the hub and worker certificates in days', String(LEAF_DAYS))
    .option('--force', 'replace files that already exist')
    .action((o: { out: string; hubNames?: string; days: string; force?: boolean }) => {
      const days = Number(o.days);
      try {
        const bundle = generateBundle({ hubNames: (o.hubNames ?? '').split(',').filter((n) => n.trim() !== ''), days: Number.isInteger(days) ? days : NaN });
        const written = writeBundle(o.out, bundle, { force: o.force === true });
        process.stderr.write(`podtap certs: wrote ${written.join(', ')}\n`);
        process.stderr.write(`podtap certs: hub: ${describeCert(bundle.hubCert)}\n`);
        process.stderr.write(`podtap certs: worker: ${describeCert(bundle.workerCert)}\n`);
        process.stderr.write(`podtap certs: run podtap hub --tls-dir ${o.out} and podtap worker --hub https://HOST:8899 --tls-dir ${o.out}\n`);
      } catch (err) {
        if (err instanceof TlsConfigError) throw new UsageError(err.message);
        throw err;
      }
    });
}

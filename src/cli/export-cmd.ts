import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UsageError } from './errors.js';

export const EXPORT_FORMATS = ['har', 'pcapng'] as const;

/** A hub that answered with an error (wrong token, invalid filter, unreachable). */
export class HubRequestError extends Error {
  override readonly name = 'HubRequestError';
}

export function addExportCommand(program: Command): void {
  program.command('export')
    .description('Download from a hub: the matching entries as HAR 1.2, or the original packets of their connections as pcapng (from the workers\' packet rings).')
    .requiredOption('--hub <url>', 'the hub (http://host:8899)')
    .option('--token <token>', 'the hub\'s token (default: PODTAP_TOKEN)')
    .option('--format <format>', `output format: ${EXPORT_FORMATS.join(', ')}`, 'har')
    .option('--filter <expr>', 'only entries matching this filter (docs/filters.md)')
    .option('-o, --out <file>', 'write to FILE instead of standard output')
    .action(async (o: { hub: string; token?: string; format: string; filter?: string; out?: string }) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(o.format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${o.format}"`);
      let base: URL;
      try { base = new URL(o.hub); } catch { throw new UsageError(`--hub: expected a URL like http://hub:8899, got "${o.hub}"`); }
      const token = o.token ?? process.env.PODTAP_TOKEN;
      if (token === undefined || token === '') throw new UsageError('--token TOKEN or PODTAP_TOKEN is needed to talk to the hub');
      const url = new URL(`/api/export.${o.format}`, base);
      if (o.filter !== undefined) url.searchParams.set('q', o.filter);
      let res: Response;
      try {
        res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      } catch (err) {
        throw new HubRequestError(`cannot reach the hub at ${base.origin}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
      }
      if (!res.ok || res.body === null) {
        let detail = `HTTP ${res.status}`;
        try { const b = (await res.json()) as { error?: string }; if (b.error) detail += `: ${b.error}`; } catch { /* not JSON */ }
        throw new HubRequestError(`the hub refused the export: ${detail}`);
      }
      const out = o.out === undefined ? process.stdout : createWriteStream(o.out);
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), out);
      const missing = res.headers.get('x-podtap-missing-nodes');
      if (missing) process.stderr.write(`podtap export: no packets from node(s) ${missing} (not connected or no answer)\n`);
      if (res.headers.get('x-podtap-truncated') === '1') process.stderr.write('podtap export: the export was cut at its size limits; narrow the filter\n');
    });
}

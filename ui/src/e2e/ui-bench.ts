/**
 * `npm run bench -- --ui`: the web UI's figures, measured in Chromium
 * against an in-process hub fed with the demo capture's entries.
 *  - bundle: size of the built JS and CSS, raw and gzipped;
 *  - first load: login to the first row on screen, and the page's load event;
 *  - live load: 2,000 entries/s for 30 s (--quick: 10 s) with the user
 *    scrolling; the longest main-thread task from a performance trace, and
 *    the JS heap as the row cap evicts (memory stays bounded).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { Hub } from '../../../src/hub/server.js';
import { packageRoot } from '../../../src/util/paths.js';
import { browserSkipReason, launchBrowser } from './browser.js';
import { demoEntries, feed } from './feed.js';
import { heapMiB, startTrace } from './trace.js';

const TOKEN = 'ui-bench-token-0123456789abcdef';
export const LIVE_RATE = 2000;
/** Row cap during the live run: reached after 10 s at 2,000/s, so eviction is part of what is measured. */
export const BENCH_CAP = 20_000;

function bundle(): { jsKiB: number; cssKiB: number; gzipKiB: number; files: number } {
  const dir = join(packageRoot(), 'dist', 'ui', 'assets');
  let js = 0, css = 0, gz = 0, files = 0;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    const size = statSync(p).size;
    files++;
    if (f.endsWith('.js')) js += size; else if (f.endsWith('.css')) css += size; else continue;
    gz += gzipSync(readFileSync(p)).length;
  }
  return { jsKiB: js / 1024, cssKiB: css / 1024, gzipKiB: gz / 1024, files };
}

export async function runUiBench(argv: string[]): Promise<number> {
  const skip = browserSkipReason();
  if (skip !== undefined) { process.stdout.write(`ui bench skipped: ${skip}\n`); return 0; }
  const seconds = argv.includes('--quick') ? 10 : 30;
  const b = bundle();
  process.stdout.write(`ui bundle: ${b.jsKiB.toFixed(0)} KiB JS + ${b.cssKiB.toFixed(0)} KiB CSS (${b.gzipKiB.toFixed(0)} KiB gzipped, ${b.files} files)\n`);

  const hub = new Hub({ host: '127.0.0.1', port: 0, token: TOKEN, store: { maxAgeMs: Infinity }, log: () => {} });
  const url = await hub.start();
  const templates = await demoEntries();
  await hub.accept((await import('./feed.js')).copies(templates, 'seed.', 0, 500), 'bench-node');
  const browser = await launchBrowser();
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await ctx.newPage();
    // First load: a warm hub, a cold page (new context: no cache).
    const t0 = performance.now();
    await page.goto(`${url}/login?token=${TOKEN}`);
    await page.waitForSelector('[data-testid=entry-row]');
    const firstRowMs = performance.now() - t0;
    const nav = await page.evaluate(() => { const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming; return { load: n.loadEventEnd, dcl: n.domContentLoadedEventEnd }; });
    process.stdout.write(`ui first load: first row ${firstRowMs.toFixed(0)} ms after navigation (login redirect included); load event ${nav.load.toFixed(0)} ms, DOMContentLoaded ${nav.dcl.toFixed(0)} ms\n`);

    await page.goto(`${url}/?cap=${BENCH_CAP}`);
    await page.waitForSelector('[data-testid=stream-state] >> text=live');
    const trace = await startTrace(page);
    const f = feed(hub, templates, { perSecond: LIVE_RATE, total: LIVE_RATE * seconds, prefix: 'live.' });
    const heaps: number[] = [];
    const end = Date.now() + seconds * 1000;
    let scrolls = 0;
    while (Date.now() < end) {
      await page.mouse.move(600, 400);
      await page.mouse.wheel(0, scrolls % 4 === 3 ? 4000 : -600);
      scrolls++;
      if (scrolls % 10 === 0) heaps.push(await heapMiB(page));
      await sleep(250);
    }
    const fed = await f.done;
    const tasks = await trace.stop();
    await sleep(500);
    const shown = Number(await page.getAttribute('[data-testid=counters]', 'data-shown'));
    const received = Number(await page.getAttribute('[data-testid=counters]', 'data-received'));
    process.stdout.write(`ui live: ${fed} entries at ${LIVE_RATE}/s for ${seconds} s, ${scrolls} scrolls; page received ${received}, shows ${shown} (cap ${BENCH_CAP})\n`);
    process.stdout.write(`ui main thread: ${tasks.tasks} tasks, ${tasks.over50} over 50 ms, ${tasks.over100} over 100 ms, longest ${tasks.maxMs.toFixed(1)} ms, busy ${(tasks.totalBusyMs / 1000 / seconds * 100).toFixed(0)}% of the time\n`);
    if (tasks.longTaskParts.length > 0) process.stdout.write(`ui tasks over 50 ms spent (ms, nested events overlap): ${tasks.longTaskParts.map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(', ')}\n`);
    process.stdout.write(`ui JS heap (MiB, every ~2.5 s): ${heaps.map((h) => h.toFixed(0)).join(' ')}\n`);
    const verdict = tasks.over100 === 0 ? 'ok' : 'NOT MET';
    process.stdout.write(`ui check: no task over 100 ms at ${LIVE_RATE} entries/s: ${verdict}; page loaded under 1 s: ${nav.load < 1000 ? 'ok' : 'NOT MET'}; first row under 1 s: ${firstRowMs < 1000 ? 'ok' : 'NOT MET'}\n`);
    await ctx.close();
    return 0;
  } finally {
    await browser.close();
    await hub.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) runUiBench(process.argv.slice(2)).then((c) => { process.exitCode = c; }, (e: unknown) => { console.error(e); process.exitCode = 1; });

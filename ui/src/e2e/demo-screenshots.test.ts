/**
 * The README's screenshots: `podtap demo` (the simulated cluster with its
 * microservice app) in the traffic view and the service map, taken in
 * Chromium at 1280×720 into docs/images/. Needs root (network namespaces).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/util/paths.js';
import { browserSkipReason, launchBrowser } from './browser.js';

const TOKEN = 'ui-demo-token-0123456789abcdef';
const demoModule = join(packageRoot(), 'dist', 'demo', 'demo.js');
const skip = browserSkipReason() ?? (process.getuid?.() !== 0 ? 'needs root (network namespaces)' : !existsSync(demoModule) ? 'podtap demo is not built' : undefined);

test('README screenshots of the demo: traffic view and service map', { skip, timeout: 120_000 }, async () => {
  const { startDemo } = (await import(demoModule)) as { startDemo: (o: { port?: number; token?: string; log?: (l: string) => void }) => Promise<{ url: string; stop(): Promise<void> }> };
  const demo = await startDemo({ port: 0, token: TOKEN, log: () => {} });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${demo.url}/login?token=${TOKEN}`);
    // Wait until the app's traffic has several protocols on screen.
    await page.waitForFunction(() => new Set([...document.querySelectorAll('[data-testid=entry-row] .badge')].map((b) => b.textContent)).size >= 4, undefined, { timeout: 60_000 });
    const images = join(packageRoot(), 'docs', 'images');
    await page.screenshot({ path: join(images, 'demo-traffic.png') });
    await page.locator('[data-testid=entry-row]').filter({ hasText: '/api/' }).last().click();
    await page.waitForSelector('[data-testid=entry-details] [data-testid=response-side]');
    await page.screenshot({ path: join(images, 'demo-details.png') });
    await page.click('[data-testid=tab-map]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=map-edge]').length >= 4, undefined, { timeout: 30_000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(images, 'demo-map.png') });
    const names = await page.$$eval('[data-testid=map-node]', (els) => els.map((e) => e.getAttribute('data-name')));
    assert.ok(names.length >= 4, `map nodes: ${names.join(', ')}`);
  } finally {
    await browser.close();
    await demo.stop();
  }
});

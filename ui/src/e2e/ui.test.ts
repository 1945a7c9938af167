/**
 * End to end in real Chromium against a real hub fed by real captured
 * traffic: `podtap tap` captures loopback while a client calls a JSON
 * service; the page must show entries arriving live, follow a filter in the
 * list and the map, open an entry with its body, explain a filter error,
 * pause and resume, and download a HAR. Screenshots go to test-artifacts/ui.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { artifactDir, browserSkipReason, launchBrowser } from './browser.js';
import { startShopClient, startShopServer, type ShopServer } from './shop-server.js';
import { startTap, tapSkipReason, type TapProcess } from './tap-process.js';

const TOKEN = 'ui-e2e-token-0123456789abcdef';
const skip = browserSkipReason() ?? tapSkipReason();
const shots = artifactDir('ui');

const counter = async (page: Page, attr: 'received' | 'shown'): Promise<number> =>
  Number(await page.getAttribute('[data-testid=counters]', `data-${attr}`));

async function applyFilter(page: Page, text: string): Promise<void> {
  const input = page.getByRole('combobox', { name: 'Filter' });
  await input.fill(text);
  await input.press('Escape');
  await input.press('Enter');
}

describe('web UI in Chromium', { skip }, () => {
  let tap: TapProcess;
  let shop: ShopServer;
  let client: ReturnType<typeof startShopClient>;
  let browser: Browser;
  let page: Page;

  before(async () => {
    tap = await startTap(TOKEN);
    shop = await startShopServer();
    await sleep(700); // the loopback capture opens after the hub
    client = startShopClient(shop.port, 20);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
    page.on('pageerror', (err) => { throw err; });
    await page.goto(`${tap.url}/login?token=${TOKEN}`);
  });

  after(async () => {
    await browser?.close();
    await client?.stop();
    await shop?.close();
    await tap?.stop();
  });

  test('entries arrive live and the counters say so', async () => {
    await page.waitForSelector('[data-testid=entry-row]', { timeout: 15_000 });
    const first = await counter(page, 'received');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=counters]')?.getAttribute('data-received')) > n + 5, first, { timeout: 10_000 });
    assert.match((await page.textContent('[data-testid=stream-state]')) ?? '', /live/);
    await page.screenshot({ path: join(shots, 'traffic-live.png') });
  });

  test('a filter selects the list, is kept in the URL, and the map follows it', async () => {
    await applyFilter(page, `http and response.status >= 500 and dst.port == ${shop.port}`);
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid=entry-row] .c-status')];
      return rows.length > 0 && rows.every((r) => r.textContent === '500');
    }, undefined, { timeout: 15_000 });
    assert.match(page.url(), /q=http\+and\+response\.status\+%3E%3D\+500/);
    const targets = await page.$$eval('[data-testid=entry-row] .c-target', (els) => els.map((e) => e.textContent));
    assert.ok(targets.every((t) => t === '/api/checkout'), targets.join(','));
    await page.screenshot({ path: join(shots, 'traffic-filtered.png') });

    await page.click('[data-testid=tab-map]');
    await page.waitForSelector('[data-testid=map-edge]', { timeout: 15_000 });
    const edges = await page.$$eval('[data-testid=map-edge]', (els) => els.map((e) => `${e.getAttribute('data-src')}>${e.getAttribute('data-dst')}`));
    assert.ok(edges.length >= 1, 'the map shows the filtered pair');
    // Loopback ends have no workload: the namer calls them "external".
    assert.equal(edges.length, 1, `only the filtered pair: ${edges.join(', ')}`);
    const dst = edges[0]!.split('>')[1]!;
    await page.screenshot({ path: join(shots, 'map.png') });
    // Clicking an edge filters the traffic view to that pair.
    await page.locator('[data-testid=map-edge]').first().click();
    await page.waitForSelector('[data-testid=traffic-view]');
    assert.ok(decodeURIComponent(page.url()).replace(/\+/g, ' ').includes(`dst.name == "${dst}"`), page.url());
    await page.waitForSelector('[data-testid=entry-row]', { timeout: 15_000 });
  });

  test('an entry opens with its request and response bodies', async () => {
    await applyFilter(page, `http and request.path == "/api/cart" and dst.port == ${shop.port}`);
    await page.waitForSelector('[data-testid=entry-row] >> text="/api/cart"', { timeout: 15_000 });
    await page.locator('[data-testid=entry-row]').last().click();
    await page.waitForSelector('[data-testid=entry-details] [data-testid=response-side] [data-testid=json-tree]', { timeout: 10_000 });
    const req = (await page.textContent('[data-testid=request-side]')) ?? '';
    assert.match(req, /productId/);
    assert.match(req, /gift <b>wrap<\/b>/, 'markup in a body is shown as text');
    assert.equal(await page.locator('[data-testid=request-side] b').count(), 0, 'and never rendered');
    const res = (await page.textContent('[data-testid=response-side]')) ?? '';
    assert.match(res, /HTTP\/1\.1 201 Created/);
    assert.match(res, /received/);
    await page.screenshot({ path: join(shots, 'entry-details.png') });
  });

  test('the entry downloads as HAR', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download HAR')]);
    const path = join(artifactDir('ui', 'downloads'), download.suggestedFilename());
    await download.saveAs(path);
    const har = JSON.parse(readFileSync(path, 'utf8')) as { log: { version: string; entries: Array<{ request: { url: string; method: string }; response: { status: number } }> } };
    assert.equal(har.log.version, '1.2');
    assert.equal(har.log.entries.length, 1);
    assert.equal(har.log.entries[0]!.request.method, 'POST');
    assert.match(har.log.entries[0]!.request.url, /\/api\/cart$/);
    assert.equal(har.log.entries[0]!.response.status, 201);
  });

  test('clicking a value in an entry adds it to the filter', async () => {
    const before = decodeURIComponent(page.url());
    await page.locator('[data-testid=request-side] tr:has(th:text-is("user-agent")) button.pick').click();
    await page.waitForFunction((b) => decodeURIComponent(location.href) !== b, before);
    assert.match(decodeURIComponent(page.url()).replace(/\+/g, ' '), /request\.headers\["user-agent"\] == "shop-client\/1\.0"/);
  });

  test('a filter error is explained under the faulty token and nothing is applied', async () => {
    const url = page.url();
    const input = page.getByRole('combobox', { name: 'Filter' });
    await input.fill('http and response.status >= ');
    await input.press('Enter');
    const msg = (await page.textContent('[data-testid=filter-error]')) ?? '';
    assert.match(msg, /column 29: expected a value/, msg);
    assert.equal(await page.locator('.filter-overlay .tok-error').count(), 1);
    assert.equal(page.url(), url, 'an invalid filter is not applied');
    await input.fill('reqest.path == "/"');
    assert.match((await page.textContent('[data-testid=filter-error]')) ?? '', /column 1/);
    await page.screenshot({ path: join(shots, 'filter-error.png') });
  });

  test('autocompletion offers fields and known values', async () => {
    const input = page.getByRole('combobox', { name: 'Filter' });
    await input.fill('');
    await input.type('request.met');
    await page.waitForSelector('[data-testid=filter-suggestions] >> text=request.method');
    await input.press('Tab');
    assert.equal(await input.inputValue(), 'request.method');
    await input.type(' == "P');
    await page.waitForSelector('[data-testid=filter-suggestions] >> text=POST', { timeout: 5_000 });
    await input.press('Tab');
    assert.equal(await input.inputValue(), 'request.method == "POST"');
    await input.press('Enter');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=entry-row] .c-method')].some((r) => r.textContent === 'POST'));
  });

  test('pause holds the list, resume brings what arrived meanwhile', async () => {
    await applyFilter(page, `dst.port == ${shop.port}`);
    await page.waitForSelector('[data-testid=entry-row]', { timeout: 15_000 });
    await page.click('[data-testid=pause]');
    const shown = await counter(page, 'shown');
    await sleep(1500);
    assert.equal(await counter(page, 'shown'), shown, 'nothing new is shown while paused');
    assert.match((await page.textContent('[data-testid=counters]')) ?? '', /waiting/);
    await page.click('[data-testid=pause]');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=counters]')?.getAttribute('data-shown')) > n, shown, { timeout: 5_000 });
  });

  test('keyboard: the list is reachable, arrows select, Escape closes; the theme switches', async () => {
    await page.focus('[data-testid=entry-list]');
    await page.keyboard.press('End');
    await page.waitForSelector('[data-testid=entry-details]');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=entry-details]', { state: 'detached' });
    // Tab walks the controls, and the focused one is visibly outlined.
    await page.focus('[data-testid=tab-traffic]');
    const seen: string[] = [];
    for (let i = 0; i < 16; i++) {
      const f = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (el === null || el === document.body) return null;
        const st = getComputedStyle(el);
        return { what: `${el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent?.slice(0, 20) ?? ''}`, outline: st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 1 };
      });
      if (f === null) break; // past the last control
      assert.ok(f.outline, `${f.what} shows its focus`);
      seen.push(f.what);
      await page.keyboard.press('Tab');
    }
    for (const want of ['Filter', 'Switch to', 'Time window', 'Entries']) assert.ok(seen.some((s) => s.includes(want)), `${want} is reachable by Tab: ${seen.join(' | ')}`);
    const theme = await page.getAttribute('html', 'data-theme');
    assert.ok(theme === 'light' || theme === 'dark');
    const other = theme === 'light' ? 'dark' : 'light';
    await page.focus('[data-testid=theme]');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`html[data-theme=${other}]`, { state: 'attached' });
    await page.screenshot({ path: join(shots, `traffic-${other}.png`) });
  });
});

describe('web UI in Chromium: stats, targeting and health, 4K', { skip }, () => {
  let tap: TapProcess;
  let shop: ShopServer;
  let client: ReturnType<typeof startShopClient>;
  let browser: Browser;
  let page: Page;

  before(async () => {
    tap = await startTap(TOKEN);
    shop = await startShopServer();
    await sleep(700);
    client = startShopClient(shop.port, 20);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.on('pageerror', (err) => { throw err; });
    await page.goto(`${tap.url}/login?token=${TOKEN}`);
    await page.waitForSelector('[data-testid=entry-row]', { timeout: 15_000 });
  });
  after(async () => {
    await browser?.close();
    await client?.stop();
    await shop?.close();
    await tap?.stop();
  });

  test('stats: rate, errors and latency charts per protocol, and the summary table', async () => {
    await page.click('[data-testid=tab-stats]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=chart] canvas').length >= 3, undefined, { timeout: 15_000 });
    await page.waitForSelector('[data-testid=stats-summary] >> text=http', { timeout: 15_000 });
    await page.screenshot({ path: join(shots, 'stats.png') });
  });

  test('targeting and health: the worker, its counters and an amplification of 1.00', async () => {
    await page.click('[data-testid=tab-health]');
    await page.waitForSelector('[data-testid=workers-table] [data-testid=amplification]', { timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid=amplification]')?.textContent === '1.00', undefined, { timeout: 10_000 });
    await page.screenshot({ path: join(shots, 'health.png') });
  });

  test('rules edited in the panel: a bad one is explained, a good one is applied live', async () => {
    const editor = page.locator('[data-testid=rules-editor]');
    await editor.getByLabel('Pod name regex').fill('web(');
    await page.click('[data-testid=rules-apply]');
    await page.waitForSelector('[data-testid=rules-error]');
    assert.match((await page.textContent('[data-testid=rules-error]')) ?? '', /regex|pod/i);
    await editor.getByLabel('Pod name regex').fill('^web-');
    await page.click('[data-testid=rules-apply]');
    await page.waitForSelector('[data-testid=rules-editor] >> text=/Applied; sent to 1 worker/');
    // The worker reports the rules it now follows (its state arrives every 2 s).
    await page.waitForFunction(() => /^hub: .*web-/.test(document.querySelector('[data-testid=worker-card] .rules-line code')?.textContent ?? ''), undefined, { timeout: 10_000 });
    assert.match((await page.textContent('[data-testid=worker-card] .rules-line code')) ?? '', /^hub: /);
  });

  test('4K: the same page, scaled, with nothing cut off', async () => {
    const big = await browser.newPage({ viewport: { width: 3840, height: 2160 } });
    await big.goto(`${tap.url}/login?token=${TOKEN}`);
    await big.waitForSelector('[data-testid=entry-row]', { timeout: 15_000 });
    const rowWidth = (): number => document.querySelector('[data-testid=entry-row]')?.getBoundingClientRect().width ?? 0;
    await big.waitForFunction(rowWidth, undefined, { timeout: 5_000 }).catch(() => undefined);
    const widths = { row: await big.evaluate(rowWidth), page: await big.evaluate(() => document.documentElement.clientWidth) };
    assert.ok(widths.row > 2000, `rows use the screen: ${JSON.stringify(widths)}`);
    assert.equal(await big.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), true, 'no horizontal scroll');
    await big.screenshot({ path: join(shots, 'traffic-4k.png') });
    await big.close();
  });
});

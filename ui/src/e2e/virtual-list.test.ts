/**
 * The traffic list under 100,000 rows, in Chromium: every row is held, only
 * the visible ones are in the DOM, and the first and last can be reached by
 * keyboard. Past a lower cap the oldest rows leave and a note says so.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Hub } from '../../../src/hub/server.js';
import type { Entry } from '../../../src/entries/types.js';
import { artifactDir, browserSkipReason, launchBrowser } from './browser.js';
import { demoEntries, feed } from './feed.js';

const TOKEN = 'ui-virtual-token-0123456789abcdef';
const ROWS = 100_000;

const shownCount = (page: Page): Promise<number> => page.getAttribute('[data-testid=counters]', 'data-shown').then(Number);

describe('traffic list virtualization', { skip: browserSkipReason() }, () => {
  let hub: Hub;
  let url: string;
  let browser: Browser;
  let templates: Entry[];

  before(async () => {
    hub = new Hub({ host: '127.0.0.1', port: 0, token: TOKEN, store: { maxAgeMs: Infinity }, log: () => {} });
    url = await hub.start();
    templates = await demoEntries();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await hub?.stop();
  });

  test('100,000 streamed rows: all held, few in the DOM, both ends reachable', { timeout: 120_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${url}/login?token=${TOKEN}`);
    await page.waitForSelector('[data-testid=stream-state] >> text=live');
    // The hub skips what a slow page cannot take (and says how much): on a loaded machine,
    // feed again until the list holds ROWS entries. Ids run on, so the newest is v.<fed - 1>.
    let fed = 0;
    for (let round = 0; round < 6; round++) {
      const want = ROWS - (await shownCount(page));
      if (want <= 0) break;
      fed += await feed(hub, templates, { perSecond: 8_000, total: want, prefix: 'v.', from: fed }).done;
      await page.waitForFunction((n) => {
        const c = document.querySelector('[data-testid=counters]');
        return Number(c?.getAttribute('data-received')) >= n;
      }, fed, { timeout: 60_000 });
      await page.waitForTimeout(300);
    }
    assert.equal(await shownCount(page), ROWS, `counters: ${await page.textContent('[data-testid=counters]')}`);
    const inDom = await page.locator('[data-testid=entry-row]').count();
    assert.ok(inDom > 10 && inDom < 120, `${inDom} rows in the DOM for ${ROWS} entries`);
    // The list followed the newest entry; Home goes to the oldest.
    await page.waitForSelector(`[data-testid=entry-row][data-id="v.${fed - 1}"]`);
    await page.focus('[data-testid=entry-list]');
    await page.keyboard.press('Home');
    // The top row is the oldest held, and it is the one selected.
    await page.waitForFunction(() => document.querySelector('[data-testid=entry-row]')?.getAttribute('aria-selected') === 'true');
    assert.equal(await page.locator('[data-testid=entry-row]').first().getAttribute('id'), 'row-0');
    await page.keyboard.press('Escape');
    // A wheel scroll in the middle renders the rows there.
    await page.$eval('[data-testid=entry-list]', (el) => { el.scrollTop = el.scrollHeight / 2; });
    await page.waitForFunction(() => {
      const ids = [...document.querySelectorAll('[data-testid=entry-row]')].map((r) => Number(r.getAttribute('data-id')?.slice(2)));
      return ids.length > 0 && ids.every((n) => n > 20_000);
    });
    await page.screenshot({ path: join(artifactDir('ui'), 'virtual-100k.png') });
    assert.equal(await shownCount(page), ROWS);
    await page.close();
  });

  test('past the cap the oldest rows leave, the note says so, and the reader keeps their place', { timeout: 60_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${url}/login?token=${TOKEN}`);
    await page.goto(`${url}/?cap=1000&q=${encodeURIComponent('id.startsWith("w.")')}`);
    await page.waitForSelector('[data-testid=stream-state] >> text=live');
    await feed(hub, templates, { perSecond: 5_000, total: 1000, prefix: 'w.' }).done;
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=counters]')?.getAttribute('data-shown')) === 1000);
    // Scroll up to read an older row, then let more arrive.
    await page.$eval('[data-testid=entry-list]', (el) => { el.scrollTop = el.scrollHeight / 2; });
    const inView = (): Promise<Array<string | null>> => page.$$eval('[data-testid=entry-row]', (els) => {
      const box = document.querySelector('[data-testid=entry-list]')!.getBoundingClientRect();
      return els.filter((e) => { const r = e.getBoundingClientRect(); return r.top >= box.top && r.bottom <= box.bottom; }).map((e) => e.getAttribute('data-id'));
    });
    // The virtualizer renders the rows at the new position on its next frame:
    // wait until the middle of the list is what is in view.
    let before: Array<string | null> = [];
    for (let i = 0; i < 100 && !(before.length > 0 && before.every((id) => Number(id?.slice(2)) > 200)); i++) {
      await new Promise((r) => setTimeout(r, 50));
      before = await inView();
    }
    assert.ok(before.length > 0, 'rows in view after scrolling to the middle');
    const reading = before[Math.floor(before.length / 2)];
    await feed(hub, templates, { perSecond: 5_000, total: 300, prefix: 'w.x' }).done;
    await page.waitForSelector('[data-testid=evicted-note]');
    assert.match((await page.textContent('[data-testid=evicted-note]')) ?? '', /300 older entries left this view to keep it within 1,000 rows/);
    assert.equal(await shownCount(page), 1000);
    const visible = await inView();
    assert.ok(visible.includes(reading), `row ${reading} stays in view after eviction (visible: ${visible.slice(0, 3).join(',')}…)`);
    await page.close();
  });
});

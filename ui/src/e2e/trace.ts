/**
 * A Chromium performance trace over CDP, reduced to what the UI promises:
 * the longest tasks on the page's main thread (RunTask events of the
 * renderer's main thread), so "no task over 100 ms" is read from a trace.
 */
import type { CDPSession, Page } from 'playwright-core';

interface TraceEvent { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; args?: { name?: string } }

export interface TaskSummary {
  tasks: number; over50: number; over100: number; maxMs: number; totalBusyMs: number;
  /** Inside the tasks over 50 ms: time (ms) by event name, largest first — where the long tasks went. */
  longTaskParts: Array<[string, number]>;
}

export async function startTrace(page: Page): Promise<{ stop: () => Promise<TaskSummary> }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (m) => { for (const e of m.value) events.push(e as unknown as TraceEvent); });
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,toplevel', transferMode: 'ReportEvents' });
  return {
    stop: async () => {
      const complete = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
      await cdp.send('Tracing.end');
      await complete;
      await cdp.detach();
      const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
      const onMain = events.filter((e) => e.ph === 'X' && main.has(`${e.pid}:${e.tid}`));
      const runTasks = onMain.filter((e) => e.name === 'RunTask');
      const tasks = runTasks.map((e) => (e.dur ?? 0) / 1000);
      const parts = new Map<string, number>();
      for (const t of runTasks.filter((e) => (e.dur ?? 0) > 50_000)) {
        for (const e of onMain) {
          if (e === t || e.name === 'RunTask' || e.ts < t.ts || e.ts + (e.dur ?? 0) > t.ts + (t.dur ?? 0) || e.tid !== t.tid) continue;
          parts.set(e.name, (parts.get(e.name) ?? 0) + (e.dur ?? 0) / 1000);
        }
      }
      return {
        tasks: tasks.length,
        over50: tasks.filter((d) => d > 50).length,
        over100: tasks.filter((d) => d > 100).length,
        maxMs: tasks.reduce((a, b) => Math.max(a, b), 0),
        totalBusyMs: tasks.reduce((a, b) => a + b, 0),
        longTaskParts: [...parts].sort((a, b) => b[1] - a[1]).slice(0, 8),
      };
    },
  };
}

/**
 * The page's JS heap in use (MiB), from `performance.memory` (a plain read on
 * the page; CDP's Performance domain would add work to the main thread being traced).
 */
export async function heapMiB(page: Page): Promise<number> {
  const bytes = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
  return bytes / 1024 / 1024;
}

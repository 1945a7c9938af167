import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Poller, type PollResult, type PollTimers } from './poller.js';

/** Timers that fire only when told to. */
function manualTimers(): PollTimers & { pending: Array<{ fn: () => void; ms: number }>; fire(): void } {
  const pending: Array<{ fn: () => void; ms: number }> = [];
  return {
    pending,
    set: (fn, ms) => { const t = { fn, ms }; pending.push(t); return t; },
    clear: (h) => { const i = pending.indexOf(h as { fn: () => void; ms: number }); if (i >= 0) pending.splice(i, 1); },
    fire: () => { const t = pending.shift(); t?.fn(); },
  };
}

/** A fetch whose answers the test releases one by one. */
function deferredFetch<T>(): { fetch: () => Promise<T>; calls: Array<{ resolve(v: T): void; reject(e: unknown): void }> } {
  const calls: Array<{ resolve(v: T): void; reject(e: unknown): void }> = [];
  return { calls, fetch: () => new Promise<T>((resolve, reject) => { calls.push({ resolve, reject }); }) };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

test('fetches at once, then again intervalMs after each answer', async () => {
  const timers = manualTimers();
  const f = deferredFetch<number>();
  const got: Array<PollResult<number>> = [];
  const p = new Poller(f.fetch, (r) => got.push(r), 2000, timers);
  p.start();
  assert.equal(f.calls.length, 1);
  assert.equal(timers.pending.length, 0, 'no second call while one is in flight');
  f.calls[0]!.resolve(1);
  await flush();
  assert.deepEqual(got, [{ ok: true, data: 1 }]);
  assert.equal(timers.pending.length, 1);
  assert.equal(timers.pending[0]!.ms, 2000);
  timers.fire();
  assert.equal(f.calls.length, 2);
  f.calls[1]!.reject(new Error('hub down'));
  await flush();
  assert.equal(got.length, 2);
  assert.equal(got[1]!.ok, false);
  assert.equal(timers.pending.length, 1, 'a failure keeps polling');
  p.stop();
  assert.equal(timers.pending.length, 0);
});

test('restart drops the answer of the call it replaced', async () => {
  const timers = manualTimers();
  const f = deferredFetch<string>();
  const got: string[] = [];
  const p = new Poller(f.fetch, (r) => { if (r.ok) got.push(r.data); }, 2000, timers);
  p.start();
  p.restart(f.fetch); // the filter changed while the first call was in flight
  assert.equal(f.calls.length, 2);
  f.calls[1]!.resolve('new');
  f.calls[0]!.resolve('old');
  await flush();
  assert.deepEqual(got, ['new']);
  assert.equal(timers.pending.length, 1, 'one timer, not one per generation');
});

test('stop drops answers still to come and schedules nothing', async () => {
  const timers = manualTimers();
  const f = deferredFetch<number>();
  const got: number[] = [];
  const p = new Poller(f.fetch, (r) => { if (r.ok) got.push(r.data); }, 2000, timers);
  p.start();
  p.stop();
  f.calls[0]!.resolve(5);
  await flush();
  assert.deepEqual(got, []);
  assert.equal(timers.pending.length, 0);
});

test('a fetcher that throws synchronously is a failed poll, not a crash', async () => {
  const timers = manualTimers();
  const got: Array<PollResult<number>> = [];
  const p = new Poller<number>(() => { throw new Error('bad'); }, (r) => got.push(r), 2000, timers);
  p.start();
  await flush();
  assert.equal(got.length, 1);
  assert.equal(got[0]!.ok, false);
  p.stop();
});

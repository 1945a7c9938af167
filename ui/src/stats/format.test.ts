import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NONE, fmtAgo, fmtClock, fmtInt, fmtMs, fmtNumber, fmtPct, fmtRate, fmtWindow } from './format.js';

test('fmtNumber keeps three significant digits at most', () => {
  assert.equal(fmtNumber(0), '0');
  assert.equal(fmtNumber(0.004), '0.004');
  assert.equal(fmtNumber(0.0123), '0.01');
  assert.equal(fmtNumber(1.5), '1.5');
  assert.equal(fmtNumber(2), '2');
  assert.equal(fmtNumber(12.34), '12.3');
  assert.equal(fmtNumber(123.4), '123');
  assert.equal(fmtNumber(1234), '1.23k');
  assert.equal(fmtNumber(12_345), '12.3k');
  assert.equal(fmtNumber(2_500_000), '2.5M');
  assert.equal(fmtNumber(Number.NaN), NONE);
  assert.equal(fmtNumber(null), NONE);
});

test('fmtRate, fmtPct, fmtMs carry their units', () => {
  assert.equal(fmtRate(16.7), '16.7/s');
  assert.equal(fmtRate(undefined), NONE);
  assert.equal(fmtPct(0), '0%');
  assert.equal(fmtPct(0.00001), '<0.01%');
  assert.equal(fmtPct(0.0024), '0.24%');
  assert.equal(fmtPct(0.25), '25.0%');
  assert.equal(fmtPct(1), '100%');
  assert.equal(fmtMs(0.42), '0.42 ms');
  assert.equal(fmtMs(3.14), '3.14 ms');
  assert.equal(fmtMs(12.44), '12.4 ms');
  assert.equal(fmtMs(80.2), '80.2 ms');
  assert.equal(fmtMs(123.4), '123 ms');
  assert.equal(fmtMs(1234), '1.23 s');
  assert.equal(fmtMs(90_000), '1.5 min');
  assert.equal(fmtMs(null), NONE);
});

test('fmtInt groups thousands', () => {
  assert.equal(fmtInt(1_234_567), '1,234,567');
  assert.equal(fmtInt(0), '0');
});

test('fmtAgo counts from now', () => {
  const now = 1_700_000_000_000;
  assert.equal(fmtAgo(now, now), 'now');
  assert.equal(fmtAgo(now - 12_000, now), '12 s ago');
  assert.equal(fmtAgo(now - 180_000, now), '3 min ago');
  assert.equal(fmtAgo(now - 3 * 3_600_000, now), '3 h ago');
  assert.equal(fmtAgo(now - 4 * 86_400_000, now), '4 d ago');
  assert.equal(fmtAgo(0, now), 'never');
});

test('fmtWindow names the window for sentences', () => {
  assert.equal(fmtWindow(300), '5 minutes');
  assert.equal(fmtWindow(60), '1 minute');
  assert.equal(fmtWindow(90), '90 seconds');
  assert.equal(fmtWindow(3600), '60 minutes');
  assert.equal(fmtWindow(7200), '2 hours');
});

test('fmtClock: seconds for short spans, minutes, then the date', () => {
  const t = new Date(2024, 10, 28, 9, 5, 7).getTime() / 1000;
  assert.equal(fmtClock(t, 300), '09:05:07');
  assert.equal(fmtClock(t, 3600), '09:05');
  assert.equal(fmtClock(t, 7 * 86_400), '11-28 09:05');
});

import test from 'ava';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { createMemoryLogger } from '../../../src/core/logger.js';
import { createStallMonitor } from '../../../src/daemon/stall-monitor.js';

test('a loop that keeps time logs nothing; a blocked loop is logged with how long it ran nothing', async (t) => {
  const clock = new FakeClock();
  const logger = createMemoryLogger();
  const monitor = createStallMonitor({ clock, logger }, { tickMs: 50, warnMs: 100 });
  await monitor.start(new AbortController().signal);
  clock.advance(10_000);
  t.deepEqual(monitor.stats(), { stalls: 0, longestMs: 0, lastMs: 0 });
  t.deepEqual(logger.entries, []);

  clock.stall(90); // late by 90 - (50 - 0) = 40 ms: under warnMs
  clock.advance(200);
  t.is(monitor.stats().stalls, 0);
  clock.stall(700);
  clock.advance(100);
  clock.stall(300);
  clock.advance(100);
  const stats = monitor.stats();
  // Ticks due every 50 ms: the 700 ms stall began just after a tick (650 late), the 300 ms one 50 ms after (250).
  t.deepEqual(stats, { stalls: 2, longestMs: 650, lastMs: 250 });
  const warnings = logger.entries.filter((e) => e.level === 'warn');
  t.is(warnings.length, 2);
  t.deepEqual(warnings.map((w) => w.fields['component']), ['stall-monitor', 'stall-monitor']);
  t.deepEqual(warnings.map((w) => w.fields['stalledMs']), [650, 250]);
});

test('stop cancels the timer; start after stop watches again', async (t) => {
  const clock = new FakeClock();
  const monitor = createStallMonitor({ clock, logger: createMemoryLogger() }, { tickMs: 50, warnMs: 100 });
  await monitor.start(new AbortController().signal);
  await monitor.start(new AbortController().signal);
  t.is(clock.pendingCount, 1);
  await monitor.stop();
  t.is(clock.pendingCount, 0);
  clock.stall(1000);
  t.is(monitor.stats().stalls, 0);
  await monitor.start(new AbortController().signal);
  clock.stall(400);
  t.is(monitor.stats().stalls, 1);
  t.is(monitor.stats().lastMs, 350);
});

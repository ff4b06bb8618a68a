import test from 'ava';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { createMemoryLogger } from '../../../src/core/logger.js';
import { createPeriodicTracker, nextUpDownStatus, type ProbeOutcome } from '../../../ha/periodic-tracker.js';
import { parseTrackFileValue, scriptProbe } from '../../../ha/tracker-probes.js';
import { createProcessRunner } from '../../../src/core/command-runner.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

test('rise/fall hysteresis: fall failures to go down, rise successes to come back', (t) => {
  let status: Parameters<typeof nextUpDownStatus>[0] = { kind: 'up-down', isUp: true };
  let streak = { ok: 0, failed: 0 };
  const seen: boolean[] = [];
  for (const isUp of [false, false, true, false, false, false, true, true, false, true, true]) {
    const r = nextUpDownStatus(status, streak, isUp, { rise: 2, fall: 3 });
    status = r.status;
    streak = r.streak;
    seen.push(status.kind === 'up-down' && status.isUp);
  }
  // down only after the 3rd failure in a row; up only after the 2nd success in a row.
  t.deepEqual(seen, [true, true, true, true, true, false, false, true, true, true, true]);
});

test('a periodic tracker probes at once, then every interval, and reports changes', async (t) => {
  const clock = new FakeClock();
  const outcomes: ProbeOutcome[] = [{ kind: 'up-down', isUp: true }, { kind: 'up-down', isUp: false, detail: 'exit 1' }, { kind: 'up-down', isUp: false, detail: 'exit 1' }];
  let probes = 0;
  const tracker = createPeriodicTracker(
    { name: 'script chk', intervalMs: 1000, rise: 1, fall: 2, initial: { kind: 'up-down', isUp: true } },
    async () => outcomes[Math.min(probes++, outcomes.length - 1)] ?? { kind: 'up-down', isUp: true },
    { clock, logger: createMemoryLogger() },
  );
  let changes = 0;
  tracker.onChange(() => changes++);
  tracker.start();
  await flush();
  t.is(probes, 1);
  clock.advance(1000);
  await flush();
  t.deepEqual(tracker.status(), { kind: 'up-down', isUp: true }, 'one failure is not enough (fall 2)');
  clock.advance(1000);
  await flush();
  t.deepEqual(tracker.status(), { kind: 'up-down', isUp: false });
  t.is(changes, 1);
  tracker.stop();
  clock.advance(10_000);
  await flush();
  t.is(probes, 3, 'no probe after stop');
});

test('script probe: exit 0 up, other codes and timeouts down with the reason', async (t) => {
  const runner = createProcessRunner();
  const signal = new AbortController().signal;
  t.deepEqual(await scriptProbe(['/bin/true'], 2000, runner)(signal), { kind: 'up-down', isUp: true });
  t.deepEqual(await scriptProbe(['/bin/sh', '-c', 'exit 3'], 2000, runner)(signal), { kind: 'up-down', isUp: false, detail: 'exit 3' });
  t.deepEqual(await scriptProbe(['/bin/sleep', '10'], 200, runner)(signal), { kind: 'up-down', isUp: false, detail: 'timed out after 200 ms' });
  const missing = await scriptProbe(['/nonexistent/check'], 2000, runner)(signal);
  t.true(missing.kind === 'up-down' && !missing.isUp && /not found/.test(missing.detail ?? ''));
});

test('track file values: the first integer, garbage and absence read as 0 (keepalived)', (t) => {
  t.is(parseTrackFileValue('42\n'), 42);
  t.is(parseTrackFileValue('  -7 trailing'), -7);
  t.is(parseTrackFileValue('garbage'), 0);
  t.is(parseTrackFileValue(''), 0);
});

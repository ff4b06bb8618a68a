import test from 'ava';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { parseIpAddress, type IpAddress } from '../../../src/core/ip.js';
import { createMemoryLogger } from '../../../src/core/logger.js';
import { describeInvalidTiming, type CheckTiming } from '../../../health/hysteresis.js';
import { createHealthScheduler, type HealthEvent, type HealthPlan, type RealServerSpec } from '../../../health/scheduler.js';
import { createScriptedCheckers, runFor, sequenceRandom } from './support/scripted-checker.js';

function ip(text: string): IpAddress {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const timing: CheckTiming = { intervalMs: 1000, fastIntervalMs: 200, downIntervalMs: 3000, timeoutMs: 100, rise: 2, fall: 3, isAlpha: false };

function rs(id: string, address: string, t: CheckTiming, extra: Partial<RealServerSpec> = {}): RealServerSpec {
  return { id, address: ip(address), port: 80, weight: 10, isInhibitedOnFailure: false, slowstartMs: 0, checks: [{ check: { kind: 'tcp' }, timing: t }], ...extra };
}

function setup(plan: HealthPlan, random: () => number) {
  const clock = new FakeClock(0);
  const checkers = createScriptedCheckers(clock, 2);
  const scheduler = createHealthScheduler(plan, { clock, random, logger: createMemoryLogger([]), createChecker: (spec) => checkers.create(spec.kind) });
  const events: HealthEvent[] = [];
  scheduler.onEvent((e) => events.push(e));
  return { clock, checkers, scheduler, events };
}

const firstCallsAt = (calls: readonly { target: string; atMs: number }[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const c of calls) out[c.target] ??= c.atMs;
  return out;
};

// The injected randomness picks the place in the window; 0.9999 stands for the top of [0, 1).
const RANDOMS = [0, 0.25, 0.5, 0.9999];
const ADDRESSES = ['192.0.2.21', '192.0.2.22', '192.0.2.23', '192.0.2.24'];

const cases: ReadonlyArray<readonly [string, CheckTiming, readonly number[]]> = [
  // No warmup: as before, within fastinter (200 ms).
  ['without warmup, within fastinter as before', timing, [0, 50, 100, 200]],
  ['warmup 5 s: within [0, 5000] ms, far past fastinter', { ...timing, warmupMs: 5000 }, [0, 1250, 2500, 5000]],
  ['warmup 0: at once', { ...timing, warmupMs: 0 }, [0, 0, 0, 0]],
];

for (const [title, t0, expectedMs] of cases) {
  test(`first probe: ${title}`, async (t) => {
    const plan = { realServers: ADDRESSES.map((a) => rs(a, a, t0)) };
    const { clock, checkers, scheduler } = setup(plan, sequenceRandom(RANDOMS));
    scheduler.start();
    await runFor(clock, 5100);
    const first = firstCallsAt(checkers.calls);
    // The top draw lands just under the window's end (0.9999 x 5000 = 4999.5): rounded up here.
    t.deepEqual(ADDRESSES.map((a) => Math.ceil(first[`${a}:80`] ?? -1)), [...expectedMs]);
    const windowMs = t0.warmupMs ?? t0.fastIntervalMs;
    t.true(Object.values(first).every((at) => at >= 0 && at <= windowMs), `every first probe within [0, ${windowMs}] ms`);
    // After the first probe, the usual interval: the warmup places only the first.
    const a = checkers.calls.filter((c) => c.target === '192.0.2.21:80').map((c) => c.atMs);
    t.deepEqual(a.slice(0, 3), [0, 1000, 2000]);
    await scheduler.stop();
  });
}

test('nothing is probed before its warmup draw: with warmup 3 s and a draw of 0.5, the first probe comes at 1500 ms, not before', async (t) => {
  const { clock, checkers, scheduler } = setup({ realServers: [rs('a', '192.0.2.21', { ...timing, warmupMs: 3000 })] }, () => 0.5);
  scheduler.start();
  t.is(scheduler.snapshot().probes[0]?.nextDueMs, 1500);
  await runFor(clock, 1495);
  t.deepEqual(checkers.calls, []);
  await runFor(clock, 10);
  t.deepEqual(checkers.calls.map((c) => c.atMs), [1500]);
  await scheduler.stop();
});

test('warmup applies to a probe\'s first run only: a probe that has run restarts within its next delay; a probe added later gets its warmup', async (t) => {
  const warm = { ...timing, warmupMs: 4000 };
  const { clock, checkers, scheduler } = setup({ realServers: [rs('a', '192.0.2.21', warm)] }, () => 0.5);
  scheduler.start();
  await runFor(clock, 2100); // first probe at 2000
  await scheduler.stop();
  scheduler.start(); // at 2100: up with a verdict, so within interval (1000): 0.5 x 1000
  t.is(scheduler.snapshot().probes[0]?.nextDueMs, 2600);
  scheduler.setPlan({ realServers: [rs('a', '192.0.2.21', warm), rs('b', '192.0.2.22', warm)] });
  t.is(scheduler.snapshot().probes.find((p) => p.target === '192.0.2.22:80')?.nextDueMs, 2100 + 2000, 'new probe: 0.5 x warmup 4000');
  await runFor(clock, 2100);
  t.deepEqual(checkers.calls.map((c) => `${c.target}@${c.atMs}`).slice(0, 3), ['192.0.2.21:80@2000', '192.0.2.21:80@2600', '192.0.2.21:80@3600']);
  t.true(checkers.calls.some((c) => c.target === '192.0.2.22:80' && c.atMs === 4100));
  await scheduler.stop();
});

test('a reload that only changes warmup keeps the probe, its state and its schedule (warmup is not part of the probe key)', async (t) => {
  const alpha = { ...timing, isAlpha: true, warmupMs: 1000 };
  const { clock, scheduler, events } = setup({ realServers: [rs('a', '192.0.2.21', alpha)] }, () => 0.5);
  scheduler.start();
  await runFor(clock, 700); // first probe at 500: up (first success)
  const before = scheduler.snapshot();
  scheduler.setPlan({ realServers: [rs('a', '192.0.2.21', { ...alpha, warmupMs: 9000 })] });
  const after = scheduler.snapshot();
  t.deepEqual(after.probes.map((p) => [p.key, p.runs, p.state.status, p.nextDueMs]), before.probes.map((p) => [p.key, p.runs, p.state.status, p.nextDueMs]));
  t.true(after.realServers[0]?.isUp);
  t.false(events.some((e) => e.type === 'real-server-changed' && !e.isUp), 'the alpha server did not go down again');
  await scheduler.stop();
});

test('a negative or non-finite warmup is refused with the plan, changing nothing', (t) => {
  t.is(describeInvalidTiming({ ...timing, warmupMs: -1 }), 'warmupMs -1 is not a number of milliseconds of at least 0');
  t.is(describeInvalidTiming({ ...timing, warmupMs: Number.NaN }), 'warmupMs NaN is not a number of milliseconds of at least 0');
  t.is(describeInvalidTiming({ ...timing, warmupMs: 0 }), undefined);
  const { scheduler } = setup({ realServers: [rs('a', '192.0.2.21', timing)] }, () => 0.5);
  t.throws(() => scheduler.setPlan({ realServers: [rs('b', '192.0.2.22', { ...timing, warmupMs: -5 })] }), { message: /real server "b", tcp check: warmupMs -5/ });
  t.deepEqual(scheduler.snapshot().realServers.map((r) => r.id), ['a']);
});

import test from 'ava';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { parseIpAddress, type IpAddress } from '../../../src/core/ip.js';
import { createMemoryLogger, type LogEntry } from '../../../src/core/logger.js';
import type { CheckTiming } from '../../../health/hysteresis.js';
import { createHealthScheduler, type HealthEvent, type HealthPlan, type RealServerSpec } from '../../../health/scheduler.js';
import { createScriptedCheckers, flush, runFor, sequenceRandom } from './support/scripted-checker.js';

function ip(text: string): IpAddress {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const timing: CheckTiming = { intervalMs: 1000, fastIntervalMs: 200, downIntervalMs: 3000, timeoutMs: 100, rise: 2, fall: 3, isAlpha: false };

function rs(id: string, address: string, extra: Partial<RealServerSpec> = {}): RealServerSpec {
  return { id, address: ip(address), port: 80, weight: 10, isInhibitedOnFailure: false, slowstartMs: 0, checks: [{ check: { kind: 'tcp' }, timing }], ...extra };
}

function setup(plan: HealthPlan, random: () => number = () => 0.5) {
  const clock = new FakeClock(0);
  const checkers = createScriptedCheckers(clock, 2);
  const entries: LogEntry[] = [];
  const scheduler = createHealthScheduler(plan, { clock, random, logger: createMemoryLogger(entries), createChecker: (spec) => checkers.create(spec.kind) });
  const events: HealthEvent[] = [];
  scheduler.onEvent((e) => events.push(e));
  return { clock, checkers, scheduler, events, entries };
}

test('starts are staggered by the injected randomness over fastinter, then each probe runs every interval', async (t) => {
  const plan = { realServers: [rs('a', '192.0.2.21'), rs('b', '192.0.2.22'), rs('c', '192.0.2.23'), rs('d', '192.0.2.24')] };
  const { clock, checkers, scheduler } = setup(plan, sequenceRandom([0, 0.25, 0.5, 0.75]));
  scheduler.start();
  await runFor(clock, 2300);
  const firstAt = checkers.calls.slice(0, 4).map((c) => `${c.target}@${c.atMs}`);
  t.deepEqual(firstAt, ['192.0.2.21:80@0', '192.0.2.22:80@50', '192.0.2.23:80@100', '192.0.2.24:80@150']);
  const a = checkers.calls.filter((c) => c.target === '192.0.2.21:80').map((c) => c.atMs);
  t.deepEqual(a, [0, 1000, 2000], 'interval measured from each probe start');
  await scheduler.stop();
});

test('one probe per distinct target and check, shared by every service naming it', async (t) => {
  const plan = {
    realServers: [
      rs('vs1 -> rs1', '192.0.2.21'),
      rs('vs2 -> rs1', '192.0.2.21'),
      rs('vs3 -> rs1 on another port', '192.0.2.21', { port: 8080 }),
    ],
  };
  const { clock, checkers, scheduler, events } = setup(plan, () => 0);
  t.is(scheduler.snapshot().probes.length, 2);
  t.deepEqual(scheduler.snapshot().probes.find((p) => p.target === '192.0.2.21:80')?.realServerIds, ['vs1 -> rs1', 'vs2 -> rs1']);
  scheduler.start();
  await runFor(clock, 1500);
  t.is(checkers.calls.filter((c) => c.target === '192.0.2.21:80').length, 2, 'probed at 0 and 1000 ms, once for both services');
  checkers.set('192.0.2.21:80', 'down');
  await runFor(clock, 2000);
  const removed = events.filter((e) => e.type === 'real-server-changed' && !e.destination.isPresent).map((e) => (e.type === 'real-server-changed' ? e.realServerId : ''));
  t.deepEqual(removed.sort(), ['vs1 -> rs1', 'vs2 -> rs1']);
  await scheduler.stop();
});

test('a server that stops answering leaves within fall x fastinter; the event names the check, the failure and its latency', async (t) => {
  const { clock, checkers, scheduler, events, entries } = setup({ realServers: [rs('rs1', '192.0.2.21')] }, () => 0);
  scheduler.start();
  await runFor(clock, 1500);
  checkers.set('192.0.2.21:80', 'hang');
  await runFor(clock, 4500);
  const change = events.find((e) => e.type === 'real-server-changed' && !e.isUp);
  if (change?.type !== 'real-server-changed' || change.cause.kind !== 'check') throw new Error('no down event caused by a check');
  // Probes at 2000 (interval), 2200 and 2400 (fastinter) time out after 100 ms: down at 2500.
  t.is(change.atMs, 2500);
  t.deepEqual(change.destination, { isPresent: false, weight: 0 });
  t.deepEqual(change.previous, { isPresent: true, weight: 10 });
  t.is(change.cause.probe.kind, 'tcp');
  t.is(change.cause.change.count, 3);
  t.like(change.cause.change.result, { ok: false, reason: 'reply-timeout', latencyMs: 100 });
  t.true(entries.some((e) => e.message === 'real server health changed' && e.fields['reason'] === 'reply-timeout' && e.fields['rs'] === 'rs1'));
  t.deepEqual(checkers.calls.filter((c) => c.atMs > 1500).map((c) => c.atMs).slice(0, 4), [2000, 2200, 2400, 5400], 'then downinter from the last probe start');
  await scheduler.stop();
});

test('it returns after rise successes, then slowstart ramps its weight in steps', async (t) => {
  const { clock, checkers, scheduler, events } = setup({ realServers: [rs('rs1', '192.0.2.21', { slowstartMs: 1000 })] }, () => 0);
  checkers.set('192.0.2.21:80', 'down');
  scheduler.start();
  await runFor(clock, 500);
  t.false(scheduler.snapshot().realServers[0]?.isUp);
  checkers.set('192.0.2.21:80', 'up');
  await runFor(clock, 5000);
  const weights = events.flatMap((e) => (e.type === 'real-server-changed' && e.isUp ? [`${e.atMs}:${e.destination.weight}:${e.cause.kind}`] : []));
  // Down at 400; downinter 3000 -> probes at 3400 (success 1) and 3600 (success 2: up, ramp from weight 1).
  // ceil(10 x elapsed / 1000): 1 just after the recovery, 2 just after 100 ms..., full after 900 ms.
  t.deepEqual(weights, ['3600:1:check', ...[2, 3, 4, 5, 6, 7, 8, 9, 10].map((w) => `${3501 + w * 100}:${w}:slowstart`)]);
  t.is(scheduler.snapshot().realServers[0]?.isRamping, false);
  await scheduler.stop();
});

test('alpha with inhibit_on_failure: in the table with weight 0 until the first success', async (t) => {
  const spec = rs('rs1', '192.0.2.21', { isInhibitedOnFailure: true, checks: [{ check: { kind: 'tcp' }, timing: { ...timing, isAlpha: true } }] });
  const { clock, scheduler, events } = setup({ realServers: [spec] }, () => 0.5);
  t.deepEqual(scheduler.snapshot().realServers[0]?.destination, { isPresent: true, weight: 0 });
  scheduler.start();
  await runFor(clock, 150);
  const up = events.find((e) => e.type === 'real-server-changed' && e.isUp);
  t.like(up, { atMs: 100, destination: { isPresent: true, weight: 10 }, cause: { kind: 'check', change: { cause: 'first-success' } } });
  await scheduler.stop();
});

test('a real server with two checks is up only while both are', async (t) => {
  const spec = rs('rs1', '192.0.2.21', { checks: [{ check: { kind: 'tcp' }, timing: { ...timing, fall: 1 } }, { check: { kind: 'http', path: '/health' }, timing: { ...timing, fall: 1 } }] });
  const clock = new FakeClock(0);
  const tcp = createScriptedCheckers(clock);
  const http = createScriptedCheckers(clock);
  const scheduler = createHealthScheduler({ realServers: [spec] }, { clock, random: () => 0, logger: createMemoryLogger(), createChecker: (s) => (s.kind === 'tcp' ? tcp : http).create(s.kind) });
  scheduler.start();
  await runFor(clock, 100);
  t.true(scheduler.snapshot().realServers[0]?.isUp);
  http.set('192.0.2.21:80', 'down');
  await runFor(clock, 1000);
  t.false(scheduler.snapshot().realServers[0]?.isUp);
  t.deepEqual(scheduler.snapshot().probes.map((p) => `${p.kind}:${p.state.status}`), ['tcp:up', 'http:down']);
  await scheduler.stop();
});

test('agent reports: drain and weight apply at once, an unreachable agent changes nothing', async (t) => {
  const spec = rs('rs1', '192.0.2.21', { checks: [{ check: { kind: 'agent', port: 9999 }, timing }] });
  const { clock, checkers, scheduler, events } = setup({ realServers: [spec] }, () => 0);
  checkers.set('192.0.2.21:80', { ok: true, latencyMs: 1, isInconclusive: true, weight: { kind: 'percent', value: 50 } });
  scheduler.start();
  await runFor(clock, 100);
  t.deepEqual(scheduler.snapshot().realServers[0]?.destination, { isPresent: true, weight: 5 });
  checkers.set('192.0.2.21:80', { ok: false, reason: 'connect-refused', detail: 'agent: ECONNREFUSED', latencyMs: 1, isInconclusive: true });
  await runFor(clock, 5000);
  t.deepEqual(scheduler.snapshot().realServers[0]?.destination, { isPresent: true, weight: 5 }, 'the last report stays');
  checkers.set('192.0.2.21:80', { ok: true, latencyMs: 1, admin: 'drain' });
  await runFor(clock, 1000);
  t.deepEqual(scheduler.snapshot().realServers[0]?.destination, { isPresent: true, weight: 0 });
  const last = events.at(-1);
  t.like(last, { type: 'real-server-changed', isUp: true, cause: { kind: 'report' } });
  await scheduler.stop();
});

test('first round: the event fires once every probe has a result; beginRound starts a new one at once', async (t) => {
  const { clock, scheduler, events, checkers } = setup({ realServers: [rs('a', '192.0.2.21'), rs('b', '192.0.2.22')] }, sequenceRandom([0.1, 0.9]));
  scheduler.start();
  t.false(scheduler.snapshot().hasCompletedFirstRound);
  await runFor(clock, 200);
  t.true(scheduler.snapshot().hasCompletedFirstRound);
  t.deepEqual(events.filter((e) => e.type === 'first-round-complete').map((e) => e.atMs), [180]);
  const before = checkers.calls.length;
  scheduler.beginRound();
  t.false(scheduler.snapshot().hasCompletedFirstRound);
  await runFor(clock, 200);
  t.is(checkers.calls.length, before + 2, 'both probed again within fastinter');
  t.is(events.filter((e) => e.type === 'first-round-complete').length, 2);
  await scheduler.stop();
});

test('stop aborts probes in flight, waits for them, leaves no timer, and emits nothing after', async (t) => {
  const { clock, checkers, scheduler, events } = setup({ realServers: [rs('a', '192.0.2.21'), rs('b', '192.0.2.22', { slowstartMs: 0 })] }, () => 0);
  checkers.set('192.0.2.21:80', 'hang');
  scheduler.start();
  clock.advance(0);
  await flush();
  t.is(checkers.inFlight(), 1);
  const count = events.length;
  await scheduler.stop();
  await scheduler.stop();
  t.is(checkers.inFlight(), 0);
  t.is(clock.pendingCount, 0);
  t.false(scheduler.snapshot().isRunning);
  await runFor(clock, 5000);
  t.is(events.length, count);
});

test('stopped and started again, every probe gets results again (stop aborts what the next runs must not inherit)', async (t) => {
  const { clock, scheduler } = setup({ realServers: [rs('a', '192.0.2.21'), rs('b', '192.0.2.22')] }, () => 0);
  scheduler.start();
  await runFor(clock, 1500);
  await scheduler.stop();
  const runsAtStop = scheduler.snapshot().probes.map((p) => p.runs);
  t.deepEqual(runsAtStop, [2, 2]);
  scheduler.start();
  await runFor(clock, 1500);
  t.deepEqual(scheduler.snapshot().probes.map((p) => p.runs), [4, 4], 'two more results each, none lost to the first start\'s aborted signal');
  t.true(scheduler.snapshot().realServers.every((r) => r.isUp));
  await scheduler.stop();
});

test('setPlan applies a diff: unchanged probes keep their state and schedule, removed ones stop, new ones start', async (t) => {
  const { clock, checkers, scheduler, events } = setup({ realServers: [rs('a', '192.0.2.21'), rs('b', '192.0.2.22')] }, () => 0);
  scheduler.start();
  await runFor(clock, 1500);
  const runsBefore = scheduler.snapshot().probes.find((p) => p.target === '192.0.2.21:80')?.runs;
  scheduler.setPlan({ realServers: [rs('a', '192.0.2.21', { weight: 20 }), rs('c', '192.0.2.23')] });
  t.like(events.at(-2), { type: 'real-server-changed', realServerId: 'c', cause: { kind: 'added' } });
  t.like(events.at(-1), { type: 'real-server-removed', realServerId: 'b' });
  t.like(events.find((e) => e.type === 'real-server-changed' && e.realServerId === 'a' && e.cause.kind === 'params'), { destination: { weight: 20 } });
  await runFor(clock, 1000);
  const snapshot = scheduler.snapshot();
  t.deepEqual(snapshot.probes.map((p) => p.target), ['192.0.2.21:80', '192.0.2.23:80']);
  t.is(snapshot.probes[0]?.runs, (runsBefore ?? 0) + 1, 'a kept its schedule');
  t.false(checkers.calls.some((c) => c.target === '192.0.2.22:80' && c.atMs > 1500));
  await scheduler.stop();
});

test('a bad plan is refused whole and changes nothing', (t) => {
  const { scheduler } = setup({ realServers: [rs('a', '192.0.2.21')] });
  const before = scheduler.snapshot();
  t.throws(() => scheduler.setPlan({ realServers: [rs('b', '192.0.2.22'), rs('b', '192.0.2.23')] }), { message: /"b" appears twice/ });
  t.throws(() => scheduler.setPlan({ realServers: [rs('b', '192.0.2.22', { checks: [{ check: { kind: 'tcp' }, timing: { ...timing, rise: 0 } }] })] }), { message: /rise 0/ });
  t.deepEqual(scheduler.snapshot(), before);
  const clock = new FakeClock();
  t.throws(
    () => createHealthScheduler({ realServers: [rs('a', '192.0.2.21')] }, { clock, random: () => 0, logger: createMemoryLogger(), createChecker: () => { throw new Error('bad regex'); } }),
    { message: /real server "a", tcp check: bad regex/ },
  );
});

test('a listener that throws is logged and the others still hear the event', async (t) => {
  const { clock, scheduler, entries, checkers } = setup({ realServers: [rs('a', '192.0.2.21', { checks: [{ check: { kind: 'tcp' }, timing: { ...timing, fall: 1 } }] })] }, () => 0);
  const heard: string[] = [];
  scheduler.onEvent(() => {
    throw new Error('listener bug');
  });
  scheduler.onEvent((e) => heard.push(e.type));
  checkers.set('192.0.2.21:80', 'down');
  scheduler.start();
  await runFor(clock, 50);
  t.true(heard.includes('real-server-changed'));
  t.true(entries.some((e) => e.message === 'health event listener threw'));
  await scheduler.stop();
});

test('started again while a stopped probe is still settling: the probe runs again', async (t) => {
  const clock = new FakeClock(0);
  let release: (() => void) | undefined;
  let calls = 0;
  const slowToSettle = {
    kind: 'tcp',
    check: (_target: unknown, signal: AbortSignal) =>
      new Promise<{ ok: true; latencyMs: number }>((resolve) => {
        calls++;
        signal.addEventListener('abort', () => (release = () => resolve({ ok: true, latencyMs: 0 })), { once: true });
        if (calls > 1) resolve({ ok: true, latencyMs: 0 });
      }),
  };
  const scheduler = createHealthScheduler({ realServers: [rs('a', '192.0.2.21')] }, { clock, random: () => 0, logger: createMemoryLogger(), createChecker: () => slowToSettle });
  scheduler.start();
  clock.advance(0);
  await flush();
  const stopping = scheduler.stop();
  scheduler.start();
  release?.();
  await stopping;
  await runFor(clock, 300);
  t.true(calls >= 2, 'probed again after the restart');
  t.true(scheduler.snapshot().probes[0]?.runs !== undefined && (scheduler.snapshot().probes[0]?.runs ?? 0) >= 1);
  await scheduler.stop();
});

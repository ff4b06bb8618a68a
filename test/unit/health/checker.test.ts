import test from 'ava';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { parseIpAddress } from '../../../src/core/ip.js';
import { abortedFailure, runCheck, type CheckResult, type HealthChecker } from '../../../health/checker.js';
import { flush } from './support/scripted-checker.js';

const address = parseIpAddress('192.0.2.21');
if (!address.ok) throw new Error(address.error);
const target = { address: address.value, port: 80 };

const hanging: HealthChecker = {
  kind: 'hang',
  check: (_t, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(abortedFailure(signal, 'reply-timeout', 0, 'a reply')), { once: true })),
};

test('the deadline aborts the checker with a timeout reason it reports as its phase timeout', async (t) => {
  const clock = new FakeClock();
  const pending = runCheck(hanging, target, { clock, timeoutMs: 500 });
  clock.advance(499);
  await flush();
  clock.advance(1);
  const result = await pending;
  t.like(result, { ok: false, reason: 'reply-timeout', detail: 'no a reply within 500 ms' });
  t.is(clock.pendingCount, 0, 'no timer left behind');
});

test('the caller aborting reports aborted, not a timeout', async (t) => {
  const clock = new FakeClock();
  const controller = new AbortController();
  const pending = runCheck(hanging, target, { clock, timeoutMs: 500, signal: controller.signal });
  controller.abort(new Error('stopping'));
  t.like(await pending, { ok: false, reason: 'aborted' });
  t.is(clock.pendingCount, 0);
});

test('a caller\'s controller: the checker gets its signal, the deadline aborts it, and a prompt result leaves it usable for the next run', async (t) => {
  const clock = new FakeClock();
  const controller = new AbortController();
  const seen: AbortSignal[] = [];
  const { checker, reply } = replyOnCue();
  const spy: HealthChecker = { kind: checker.kind, check: (target_, signal) => (seen.push(signal), checker.check(target_, signal)) };
  const first = runCheck(spy, target, { clock, timeoutMs: 500, controller });
  clock.advance(10);
  reply();
  t.like(await first, { ok: true });
  t.false(controller.signal.aborted, 'a result in time aborts nothing');
  const second = runCheck(spy, target, { clock, timeoutMs: 500, controller });
  clock.advance(500);
  t.like(await second, { ok: false, reason: 'reply-timeout', detail: 'no a reply within 500 ms' });
  t.true(controller.signal.aborted, 'the deadline aborted the caller\'s controller');
  t.deepEqual(seen, [controller.signal, controller.signal]);
  t.is(clock.pendingCount, 0);
});

test('a caller\'s controller aborted by the caller reports aborted; one aborted already still gets the grace period', async (t) => {
  const clock = new FakeClock();
  const controller = new AbortController();
  const pending = runCheck(hanging, target, { clock, timeoutMs: 500, controller });
  controller.abort(new Error('stopping'));
  t.like(await pending, { ok: false, reason: 'aborted' });
  t.is(clock.pendingCount, 0);
  const deaf: HealthChecker = { kind: 'deaf', check: () => new Promise<CheckResult>(() => undefined) };
  const late = runCheck(deaf, target, { clock, timeoutMs: 500, controller, settleGraceMs: 50 });
  clock.advance(50);
  t.like(await late, { ok: false, reason: 'aborted', detail: 'deaf checker did not settle after its signal aborted' });
  t.is(clock.pendingCount, 0);
});

test('a checker that throws (a bug) becomes checker-error, synchronously or not', async (t) => {
  const clock = new FakeClock();
  const sync: HealthChecker = { kind: 'sync', check: () => { throw new Error('boom'); } };
  const async: HealthChecker = { kind: 'async', check: () => Promise.reject(new Error('later')) };
  t.like(await runCheck(sync, target, { clock, timeoutMs: 100 }), { ok: false, reason: 'checker-error', detail: 'sync checker threw: boom' });
  t.like(await runCheck(async, target, { clock, timeoutMs: 100 }), { ok: false, reason: 'checker-error', detail: 'async checker threw: later' });
});

test('a checker that ignores its signal is given up on after the grace period', async (t) => {
  const clock = new FakeClock();
  const deaf: HealthChecker = { kind: 'deaf', check: () => new Promise<CheckResult>(() => undefined) };
  const pending = runCheck(deaf, target, { clock, timeoutMs: 100, settleGraceMs: 50 });
  clock.advance(150);
  t.like(await pending, { ok: false, reason: 'timeout', detail: 'deaf checker did not settle after its signal aborted' });
  t.is(clock.pendingCount, 0);
});

test('a prompt result cancels the deadline', async (t) => {
  const clock = new FakeClock();
  const quick: HealthChecker = { kind: 'quick', check: () => Promise.resolve({ ok: true, latencyMs: 1 }) };
  t.deepEqual(await runCheck(quick, target, { clock, timeoutMs: 100 }), { ok: true, latencyMs: 1 });
  t.is(clock.pendingCount, 0);
});

/** A checker whose reply arrives when the test says: it answers `ok` unless its signal aborted first. */
function replyOnCue(): { checker: HealthChecker; reply: () => void } {
  let reply = (): void => undefined;
  const checker: HealthChecker = {
    kind: 'cue',
    check: (_t, signal) =>
      new Promise((resolve) => {
        signal.addEventListener('abort', () => resolve(abortedFailure(signal, 'reply-timeout', 0, 'a reply')), { once: true });
        reply = () => resolve({ ok: true, latencyMs: 0 });
      }),
  };
  return { checker, reply: () => reply() };
}

test('lvsd stalled past the deadline: the overdue deadline waits out the stall, so a reply read afterwards counts', async (t) => {
  const clock = new FakeClock();
  const { checker, reply } = replyOnCue();
  const pending = runCheck(checker, target, { clock, timeoutMs: 300 });
  clock.advance(20);
  clock.stall(400); // the deadline (due at 300) fires 120 ms late: 120 ms more are given
  await flush();
  clock.advance(5);
  reply();
  t.deepEqual(await pending, { ok: true, latencyMs: 0 });
  t.is(clock.pendingCount, 0);
});

test('a stall the meter saw before the deadline is given back too; a silent server still times out, and the detail says so', async (t) => {
  const clock = new FakeClock();
  let stalled = 1000;
  const pending = runCheck(hanging, target, { clock, timeoutMs: 300, stalledMs: () => stalled });
  clock.advance(100);
  stalled += 250; // lvsd did not run for 250 ms (its monitor says), yet the deadline fires on time
  clock.advance(200);
  await flush();
  t.is(clock.pendingCount, 1, 'extended, not expired');
  clock.advance(249);
  await flush();
  t.is(clock.pendingCount, 1);
  clock.advance(1);
  t.like(await pending, { ok: false, reason: 'reply-timeout', detail: 'no a reply within 300 ms (plus 250 ms while lvsd was stalled)' });
});

test('the extension is at most one more timeout, and stalls under 10 ms extend nothing', async (t) => {
  const clock = new FakeClock();
  let stalled = 0;
  const long = runCheck(hanging, target, { clock, timeoutMs: 300, stalledMs: () => stalled });
  stalled = 5000;
  clock.advance(300);
  await flush();
  clock.advance(300);
  t.like(await long, { ok: false, detail: 'no a reply within 300 ms (plus 300 ms while lvsd was stalled)' });

  stalled = 0;
  const short = runCheck(hanging, target, { clock, timeoutMs: 300, stalledMs: () => stalled });
  stalled = 9;
  clock.advance(300);
  t.like(await short, { ok: false, detail: 'no a reply within 300 ms' });
  t.is(clock.pendingCount, 0);
});

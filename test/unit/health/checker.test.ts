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

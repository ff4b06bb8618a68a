import test from 'ava';
import fc from 'fast-check';
import type { CheckResult } from '../../../health/checker.js';
import {
  DEFAULT_CHECK_TIMING,
  describeInvalidTiming,
  initialCheckState,
  keepalivedTiming,
  stepCheck,
  type CheckState,
  type CheckTiming,
} from '../../../health/hysteresis.js';

const OK: CheckResult = { ok: true, latencyMs: 3 };
const FAIL: CheckResult = { ok: false, reason: 'connect-refused', detail: 'ECONNREFUSED during connect', latencyMs: 1 };
const timing: CheckTiming = { intervalMs: 1000, fastIntervalMs: 200, downIntervalMs: 5000, timeoutMs: 500, rise: 2, fall: 3, isAlpha: false };

function run(results: readonly CheckResult[], t: CheckTiming = timing): { states: CheckState[]; delays: number[]; changes: string[] } {
  let state = initialCheckState(t);
  const states: CheckState[] = [];
  const delays: number[] = [];
  const changes: string[] = [];
  results.forEach((r, i) => {
    const step = stepCheck(state, r, i * 100, t);
    state = step.next;
    states.push(state);
    delays.push(step.delayMs);
    if (step.change !== undefined) changes.push(`${i}:${step.change.from}->${step.change.to}:${step.change.cause}:${step.change.count}`);
  });
  return { states, delays, changes };
}

test('starts up; goes down on the fall-th consecutive failure, with fastinter while going down and downinter once down', (t) => {
  const r = run([OK, FAIL, FAIL, FAIL, FAIL]);
  t.deepEqual(r.changes, ['3:up->down:fall:3']);
  t.deepEqual(r.delays, [1000, 200, 200, 5000, 5000]);
  t.deepEqual(r.states.map((s) => s.status), ['up', 'up', 'up', 'down', 'down']);
});

test('a success while going down resets the failure count', (t) => {
  const r = run([FAIL, FAIL, OK, FAIL, FAIL, FAIL]);
  t.deepEqual(r.changes, ['5:up->down:fall:3']);
  t.deepEqual(r.delays.slice(0, 3), [200, 200, 1000]);
});

test('comes back after rise consecutive successes; a failure while coming up restarts the count', (t) => {
  const r = run([FAIL, FAIL, FAIL, OK, FAIL, OK, OK, OK]);
  t.deepEqual(r.changes, ['2:up->down:fall:3', '6:down->up:rise:2']);
  t.deepEqual(r.delays.slice(2), [5000, 200, 5000, 200, 1000, 1000]);
});

test('the change carries the result that completed it: reason, detail and latency', (t) => {
  let state = initialCheckState({ ...timing, fall: 1 });
  const step = stepCheck(state, FAIL, 42, { ...timing, fall: 1 });
  state = step.next;
  t.deepEqual(step.change, { from: 'up', to: 'down', cause: 'fall', result: FAIL, count: 1 });
  t.is(state.lastResultAtMs, 42);
});

test('alpha: starts down and probes at fastinter; a first success brings it up at once', (t) => {
  const alpha = { ...timing, isAlpha: true };
  t.is(initialCheckState(alpha).status, 'down');
  const r = run([OK], alpha);
  t.deepEqual(r.changes, ['0:down->up:first-success:1']);
});

test('alpha: after a first failure the down is real and rise successes are needed', (t) => {
  const r = run([FAIL, OK, OK], { ...timing, isAlpha: true });
  t.deepEqual(r.changes, ['2:down->up:rise:2']);
  t.deepEqual(r.delays, [5000, 200, 1000]);
});

test('inconclusive results (an unreachable agent) change no counter but keep the reported weight and admin state', (t) => {
  const inconclusive: CheckResult = { ok: false, reason: 'connect-refused', detail: 'agent: ECONNREFUSED', latencyMs: 1, isInconclusive: true };
  const drain: CheckResult = { ok: true, latencyMs: 1, isInconclusive: true, admin: 'drain', weight: { kind: 'percent', value: 50 } };
  const r = run([FAIL, FAIL, inconclusive, inconclusive, drain, inconclusive]);
  t.deepEqual(r.changes, []);
  t.is(r.states[5]?.failures, 2);
  t.is(r.states[5]?.admin, 'drain');
  t.deepEqual(r.states[5]?.weight, { kind: 'percent', value: 50 });
  const ready = stepCheck(r.states[5] as CheckState, { ok: true, latencyMs: 1, admin: 'ready' }, 0, timing);
  t.is(ready.next.admin, undefined);
  t.deepEqual(ready.next.weight, { kind: 'percent', value: 50 }, 'unspecified fields stay');
});

test('keepalived: down after retry + 1 failures spaced by delay_before_retry, up after one success', (t) => {
  const k = keepalivedTiming({ delayLoopMs: 6000, retry: 2, delayBeforeRetryMs: 1000, connectTimeoutMs: 3000 });
  t.deepEqual(k, { intervalMs: 6000, fastIntervalMs: 1000, downIntervalMs: 6000, timeoutMs: 3000, rise: 1, fall: 3, isAlpha: false });
  const r = run([FAIL, FAIL, FAIL, OK], k);
  t.deepEqual(r.changes, ['2:up->down:fall:3', '3:down->up:rise:1']);
  t.deepEqual(r.delays, [1000, 1000, 6000, 6000]);
});

test('timing validation names the value', (t) => {
  t.is(describeInvalidTiming(DEFAULT_CHECK_TIMING), undefined);
  t.is(describeInvalidTiming({ ...timing, fall: 0 }), 'fall 0 is not a count of at least 1');
  t.is(describeInvalidTiming({ ...timing, intervalMs: -1 }), 'intervalMs -1 is not a positive number of milliseconds');
});

test('property: the status changes only after rise successes or fall failures in a row, and delays are one of the three intervals', (t) => {
  t.notThrows(() => fc.assert(
    fc.property(fc.array(fc.boolean(), { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), (oks, rise, fall, isAlpha) => {
      const tm = { ...timing, rise, fall, isAlpha };
      let state = initialCheckState(tm);
      let run = 0;
      let last: boolean | undefined;
      for (const [i, ok] of oks.entries()) {
        run = ok === last ? run + 1 : 1;
        last = ok;
        const step = stepCheck(state, ok ? OK : FAIL, i, tm);
        if (step.change !== undefined) {
          const needed = step.change.to === 'up' ? (step.change.cause === 'first-success' ? 1 : rise) : fall;
          if (step.change.count !== needed || run < needed) return false;
        }
        if (![tm.intervalMs, tm.fastIntervalMs, tm.downIntervalMs].includes(step.delayMs)) return false;
        state = step.next;
      }
      return true;
    }),
  ));
});

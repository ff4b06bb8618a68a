import test from 'ava';
import type { CheckState } from '../../../health/hysteresis.js';
import { evaluateRealServer, initialRealServerState, reportedWeight, type RealServerParams, type RealServerState } from '../../../health/real-server-verdict.js';

const up: CheckState = { status: 'up', successes: 0, failures: 0, hasVerdict: true };
const down: CheckState = { status: 'down', successes: 0, failures: 0, hasVerdict: true };
const params: RealServerParams = { weight: 100, isInhibitedOnFailure: false, slowstartMs: 0 };

test('up only when every check is up; a down server leaves the table', (t) => {
  const state = initialRealServerState([up, up]);
  t.deepEqual(evaluateRealServer([up, up], state, 0, params).destination, { isPresent: true, weight: 100 });
  t.deepEqual(evaluateRealServer([up, down], state, 0, params).destination, { isPresent: false, weight: 0 });
  t.deepEqual(evaluateRealServer([], state, 0, params).destination, { isPresent: true, weight: 100 }, 'no checks: always up');
});

test('inhibit_on_failure keeps a down server with weight 0', (t) => {
  const v = evaluateRealServer([down], initialRealServerState([down]), 0, { ...params, isInhibitedOnFailure: true });
  t.deepEqual(v.destination, { isPresent: true, weight: 0 });
  t.false(v.next.isUp);
});

test('reported weights: absolute replaces, percent scales, offset adds, clamped to 0..65535', (t) => {
  t.is(reportedWeight(100, []), 100);
  t.is(reportedWeight(100, [{ kind: 'absolute', value: 7 }]), 7);
  t.is(reportedWeight(100, [{ kind: 'percent', value: 25 }]), 25);
  t.is(reportedWeight(100, [{ kind: 'offset', value: -30 }, { kind: 'percent', value: 50 }]), 20);
  t.is(reportedWeight(100, [{ kind: 'offset', value: -300 }]), 0);
  t.is(reportedWeight(100, [{ kind: 'percent', value: 99999 }]), 65535);
});

test('agent drain: up with weight 0; maint: down at once', (t) => {
  const state = initialRealServerState([up]);
  const drained = evaluateRealServer([{ ...up, admin: 'drain' }], state, 0, params);
  t.true(drained.next.isUp);
  t.deepEqual(drained.destination, { isPresent: true, weight: 0 });
  const maint = evaluateRealServer([{ ...up, admin: 'maint' }], state, 0, params);
  t.false(maint.next.isUp);
  t.false(maint.destination.isPresent);
});

test('slowstart: after a recovery the weight ramps linearly from 1 to full over slowstartMs', (t) => {
  const slow = { ...params, slowstartMs: 10_000 };
  let state: RealServerState = initialRealServerState([up]);
  state = evaluateRealServer([down], state, 0, slow).next;
  const at = (ms: number): { weight: number; next: number | undefined } => {
    const v = evaluateRealServer([up], state, ms, slow);
    state = v.next;
    return { weight: v.destination.weight, next: v.nextEvaluationMs };
  };
  t.deepEqual(at(1000), { weight: 1, next: 1500 }, 'recovery at 1000 ms: weight 1, next step after slowstartMs / 20');
  t.is(at(3500).weight, 25);
  t.is(at(6000).weight, 50);
  t.is(at(10_999).weight, 100);
  t.deepEqual(at(11_000), { weight: 100, next: undefined }, 'ramp over');
  t.is(state.rampStartMs, undefined);
});

test('slowstart never applies at process start, nor to the first success of an alpha server', (t) => {
  const slow = { ...params, slowstartMs: 10_000 };
  t.deepEqual(evaluateRealServer([up], initialRealServerState([up]), 0, slow).destination, { isPresent: true, weight: 100 });
  const alphaStart = initialRealServerState([{ ...down, hasVerdict: false }]);
  t.false(alphaStart.hasBeenUp);
  t.deepEqual(evaluateRealServer([up], alphaStart, 5, slow).destination, { isPresent: true, weight: 100 });
});

test('slowstart: a server that fails during its ramp and recovers starts a new ramp', (t) => {
  const slow = { ...params, slowstartMs: 1000 };
  let state = initialRealServerState([up]);
  state = evaluateRealServer([down], state, 0, slow).next;
  state = evaluateRealServer([up], state, 100, slow).next;
  t.is(state.rampStartMs, 100);
  state = evaluateRealServer([down], state, 500, slow).next;
  t.is(state.rampStartMs, undefined);
  const v = evaluateRealServer([up], state, 700, slow);
  t.is(v.next.rampStartMs, 700);
  t.is(v.destination.weight, 1);
});

import test from 'ava';
import fc from 'fast-check';
import { effectivePriority, step } from '../../../ha/vrrp-state-machine.js';
import {
  createVrrpSnapshot,
  holdsVips,
  type ReceivedAdvert,
  type VrrpEffect,
  type VrrpEvent,
  type VrrpInstanceParams,
  type VrrpSnapshot,
} from '../../../ha/vrrp-state-types.js';
import { ip } from './support/vrrp-fixtures.js';

const params: VrrpInstanceParams = {
  version: 3,
  priority: 100,
  adverIntervalCs: 100,
  primaryAddress: ip('192.0.2.2'),
  preemptMode: 'preempt',
  preemptDelayMs: 0,
  isLowerPriorityAnswered: true,
  isYieldAnnounced: true,
  downTimerAdverts: 3,
};
const owner: VrrpInstanceParams = { ...params, priority: 255 };

const advert = (priority: number, source = '192.0.2.9', adverIntervalCs = 100): ReceivedAdvert => ({
  sourceAddress: ip(source),
  priority,
  adverIntervalCs,
});
const rx = (nowMs: number, a: ReceivedAdvert): VrrpEvent => ({ kind: 'advert-received', nowMs, advert: a });

/** Runs events in order, returning the last result. */
function run(p: VrrpInstanceParams, events: VrrpEvent[], from: VrrpSnapshot = createVrrpSnapshot(p)): { next: VrrpSnapshot; effects: readonly VrrpEffect[] } {
  let result = { next: from, effects: [] as readonly VrrpEffect[] };
  for (const e of events) result = step(result.next, e, p);
  return result;
}

const backup = run(params, [{ kind: 'startup', nowMs: 0 }]).next;
const master = run(params, [
  { kind: 'startup', nowMs: 0 },
  { kind: 'timer-expired', nowMs: 3609.375, timer: 'master-down' },
  { kind: 'takeover-answered', nowMs: 3609.375, requestId: 1, isGranted: true },
]).next;

test('6.4.1 startup (not owner): Backup, Master_Down_Timer = Master_Down_Interval', (t) => {
  const r = step(createVrrpSnapshot(params), { kind: 'startup', nowMs: 0 }, params);
  t.is(r.next.state, 'backup');
  t.deepEqual(r.effects, [
    { kind: 'start-timer', timer: 'master-down', delayMs: 3609.375 },
    { kind: 'notify-transition', from: 'initialize', to: 'backup', reason: 'startup' },
  ]);
});

test('6.4.1 startup (owner): asks the gate, then advert, addresses, GARP, Adver_Timer, Master', (t) => {
  const asked = step(createVrrpSnapshot(owner), { kind: 'startup', nowMs: 5 }, owner);
  t.deepEqual(asked.effects, [{ kind: 'request-takeover', requestId: 1, reason: 'startup-as-owner' }]);
  t.is(asked.next.state, 'initialize');
  const granted = step(asked.next, { kind: 'takeover-answered', nowMs: 5, requestId: 1, isGranted: true }, owner);
  t.is(granted.next.state, 'master');
  t.deepEqual(granted.effects, [
    { kind: 'send-advert', priority: 255 },
    { kind: 'add-vips' },
    { kind: 'send-garp-burst', reason: 'became-master' },
    { kind: 'start-timer', timer: 'adver', delayMs: 1000 },
    { kind: 'notify-transition', from: 'initialize', to: 'master', reason: 'startup-as-owner' },
  ]);
});

test('takeover gate: a denial leaves the router Backup with a fresh Master_Down_Timer; stale answers are ignored', (t) => {
  const fired = step(backup, { kind: 'timer-expired', nowMs: 3609.375, timer: 'master-down' }, params);
  t.deepEqual(fired.effects, [{ kind: 'request-takeover', requestId: 1, reason: 'no-master-heard' }]);
  const denied = step(fired.next, { kind: 'takeover-answered', nowMs: 3610, requestId: 1, isGranted: false }, params);
  t.is(denied.next.state, 'backup');
  t.deepEqual(denied.effects, [{ kind: 'start-timer', timer: 'master-down', delayMs: 3609.375 }]);
  const stale = step(denied.next, { kind: 'takeover-answered', nowMs: 3611, requestId: 1, isGranted: true }, params);
  t.is(stale.next, denied.next);
  t.deepEqual(stale.effects, []);
});

test('takeover gate: a master heard while the gate is asked voids the request', (t) => {
  const fired = step(backup, { kind: 'timer-expired', nowMs: 3609.375, timer: 'master-down' }, params);
  const heard = step(fired.next, rx(3610, advert(150)), params);
  t.is(heard.next.pendingTakeover, null);
  const late = step(heard.next, { kind: 'takeover-answered', nowMs: 3611, requestId: 1, isGranted: true }, params);
  t.is(late.next.state, 'backup');
});

test('6.4.2 Backup hears priority 0: Master_Down_Timer = Skew_Time', (t) => {
  const r = step(backup, rx(100, advert(0)), params);
  t.deepEqual(r.effects, [{ kind: 'start-timer', timer: 'master-down', delayMs: 609.375 }]);
  t.is(r.next.masterDownCause, 'master-released');
});

test('6.4.2 Backup hears a higher or equal priority: learns the interval, resets the timer', (t) => {
  const r = step(backup, rx(100, advert(100, '192.0.2.1', 50)), params);
  t.is(r.next.masterAdverIntervalCs, 50);
  t.is(r.next.masterAddress?.text, '192.0.2.1');
  t.deepEqual(r.effects, [{ kind: 'start-timer', timer: 'master-down', delayMs: 1500 + (156 * 500) / 256 }]);
});

test('6.4.2 Backup hears a lower priority: discarded with preempt, accepted with nopreempt', (t) => {
  const preempt = step(backup, rx(100, advert(50)), params);
  t.deepEqual(preempt.effects, []);
  t.is(preempt.next.masterDownCause, 'preempting-lower-priority');
  const noPreempt = { ...params, preemptMode: 'nopreempt' as const };
  const accepted = step(run(noPreempt, [{ kind: 'startup', nowMs: 0 }]).next, rx(100, advert(50)), noPreempt);
  t.deepEqual(accepted.effects, [{ kind: 'start-timer', timer: 'master-down', delayMs: 3609.375 }]);
});

test('preempt_delay: lower adverts are accepted until the delay since startup has passed', (t) => {
  const delayed = { ...params, preemptDelayMs: 5000 };
  const started = run(delayed, [{ kind: 'startup', nowMs: 0 }]).next;
  t.is(started.preemptDeadlineMs, 5000);
  t.is(step(started, rx(4999, advert(50)), delayed).effects.length, 1);
  t.deepEqual(step(started, rx(5000, advert(50)), delayed).effects, []);
});

test('6.4.3 Master: Adver_Timer fires -> advert and reset', (t) => {
  const r = step(master, { kind: 'timer-expired', nowMs: 4609.375, timer: 'adver' }, params);
  t.deepEqual(r.effects, [
    { kind: 'send-advert', priority: 100 },
    { kind: 'start-timer', timer: 'adver', delayMs: 1000 },
  ]);
});

test('6.4.3 Master hears priority 0: advert at once, Adver_Timer reset', (t) => {
  const r = step(master, rx(5000, advert(0)), params);
  t.is(r.next.state, 'master');
  t.deepEqual(r.effects, [
    { kind: 'send-advert', priority: 100 },
    { kind: 'start-timer', timer: 'adver', delayMs: 1000 },
  ]);
});

test('6.4.3 Master hears a higher priority: (announce,) cancel Adver_Timer, release, Backup', (t) => {
  const r = step(master, rx(5000, advert(150, '192.0.2.1', 200)), params);
  t.is(r.next.state, 'backup');
  t.is(r.next.masterAdverIntervalCs, 200);
  t.deepEqual(r.effects, [
    { kind: 'send-advert', priority: 100 },
    { kind: 'stop-timer', timer: 'adver' },
    { kind: 'remove-vips' },
    { kind: 'start-timer', timer: 'master-down', delayMs: 6000 + (156 * 2000) / 256 },
    { kind: 'notify-transition', from: 'master', to: 'backup', reason: 'higher-priority-advert' },
  ]);
  const quiet = { ...params, isYieldAnnounced: false };
  t.false(step(master, rx(5000, advert(150)), quiet).effects.some((e) => e.kind === 'send-advert'));
});

test('6.4.3 tie-break on the primary address: bigger wins, smaller is answered', (t) => {
  const bigger = step(master, rx(5000, advert(100, '192.0.2.3')), params);
  t.is(bigger.next.state, 'backup');
  t.deepEqual(bigger.effects.at(-1), { kind: 'notify-transition', from: 'master', to: 'backup', reason: 'equal-priority-higher-address' });
  const smaller = step(master, rx(5000, advert(100, '192.0.2.1')), params);
  t.is(smaller.next.state, 'master');
  t.true(smaller.effects.some((e) => e.kind === 'send-garp-burst'));
});

test('6.4.3 Master hears a lower priority: beyond the RFC, answers with an advert and a GARP burst', (t) => {
  const r = step(master, rx(5000, advert(50)), params);
  t.deepEqual(r.effects, [
    { kind: 'send-advert', priority: 100 },
    { kind: 'start-timer', timer: 'adver', delayMs: 1000 },
    { kind: 'send-garp-burst', reason: 'lower-priority-advert' },
  ]);
  const rfc = { ...params, isLowerPriorityAnswered: false };
  t.deepEqual(step(master, rx(5000, advert(50)), rfc).effects, []);
});

test('6.4.3 Master shutdown: cancel Adver_Timer, priority 0, release, Initialize', (t) => {
  const r = step(master, { kind: 'shutdown', nowMs: 5000, isPlannedHandover: false }, params);
  t.is(r.next.state, 'initialize');
  t.deepEqual(r.effects, [
    { kind: 'stop-timer', timer: 'adver' },
    { kind: 'send-advert', priority: 0 },
    { kind: 'remove-vips' },
    { kind: 'notify-transition', from: 'master', to: 'initialize', reason: 'shutdown' },
  ]);
});

test('planned handover: priority 0 but the addresses stay until a new master speaks', (t) => {
  const r = step(master, { kind: 'shutdown', nowMs: 5000, isPlannedHandover: true }, params);
  t.is(r.next.state, 'handover');
  t.false(r.effects.some((e) => e.kind === 'remove-vips'));
  t.deepEqual(r.effects.slice(0, 3), [
    { kind: 'stop-timer', timer: 'adver' },
    { kind: 'send-advert', priority: 0 },
    { kind: 'start-timer', timer: 'handover', delayMs: 3000 + (255 * 1000) / 256 },
  ]);
  t.deepEqual(step(r.next, rx(5100, advert(0)), params).effects, []); // another release is not a new master
  const done = step(r.next, rx(5400, advert(1)), params);
  t.is(done.next.state, 'initialize');
  t.deepEqual(done.effects.slice(0, 2), [{ kind: 'stop-timer', timer: 'handover' }, { kind: 'remove-vips' }]);
});

test('trackers: effective priority is clamped to 1-254, an owner stays 255', (t) => {
  t.is(effectivePriority({ ...backup, priorityAdjustment: 200 }, params), 254);
  t.is(effectivePriority({ ...backup, priorityAdjustment: -200 }, params), 1);
  t.is(effectivePriority({ ...backup, priorityAdjustment: -50 }, owner), 255);
});

test('trackers: a priority change moves the running Master_Down_Timer by the skew delta', (t) => {
  const r = step(backup, { kind: 'trackers-changed', nowMs: 1000, priorityAdjustment: 50, isFault: false }, params);
  // priority 100 -> 150: skew 609.375 -> 414.0625 ms; deadline 3609.375 -> 3414.0625
  t.is(r.next.masterDownDeadlineMs, 3414.0625);
  t.deepEqual(r.effects, [{ kind: 'start-timer', timer: 'master-down', delayMs: 2414.0625 }]);
});

test('fault: adverts are ignored; recovery starts again as Backup', (t) => {
  const fault = step(backup, { kind: 'trackers-changed', nowMs: 10, isFault: true, priorityAdjustment: 0 }, params);
  t.is(fault.next.state, 'fault');
  t.deepEqual(fault.effects[0], { kind: 'stop-timer', timer: 'master-down' });
  t.deepEqual(step(fault.next, rx(20, advert(0)), params).effects, []);
  const back = step(fault.next, { kind: 'trackers-changed', nowMs: 30, isFault: false, priorityAdjustment: 0 }, params);
  t.is(back.next.state, 'backup');
  t.is(back.effects.at(-1)?.kind, 'notify-transition');
});

// ---- keepalived's vrrp_sync_group (beyond the RFC) ----

test('sync group to BACKUP: a master leaves at once without a priority-0 advert, VIPs removed, Master_Down_Interval', (t) => {
  const r = step(master, { kind: 'sync-group', nowMs: 5000, target: 'backup' }, params);
  t.is(r.next.state, 'backup');
  t.is(r.next.masterAddress, null);
  t.is(r.next.masterDownDeadlineMs, 5000 + 3609.375);
  t.deepEqual(r.effects, [
    { kind: 'stop-timer', timer: 'adver' },
    { kind: 'remove-vips' },
    { kind: 'start-timer', timer: 'master-down', delayMs: 3609.375 },
    { kind: 'notify-transition', from: 'master', to: 'backup', reason: 'sync-group-backup' },
  ]);
  // Heard nothing since: its own timer makes it ask to take over again.
  const again = step(r.next, { kind: 'timer-expired', nowMs: 8609.375, timer: 'master-down' }, params);
  t.deepEqual(again.effects, [{ kind: 'request-takeover', requestId: 2, reason: 'no-master-heard' }]);
});

test('sync group to MASTER: a backup asks the gate at once; the granted takeover is a normal one', (t) => {
  const r = step(backup, { kind: 'sync-group', nowMs: 1000, target: 'master' }, params);
  t.is(r.next.state, 'backup');
  t.is(r.next.masterDownDeadlineMs, null);
  t.deepEqual(r.effects, [{ kind: 'stop-timer', timer: 'master-down' }, { kind: 'request-takeover', requestId: 1, reason: 'sync-group-master' }]);
  const granted = step(r.next, { kind: 'takeover-answered', nowMs: 1000, requestId: 1, isGranted: true }, params);
  t.is(granted.next.state, 'master');
  t.deepEqual(granted.effects.at(-1), { kind: 'notify-transition', from: 'backup', to: 'master', reason: 'sync-group-master' });
  // Already asking: the pending request stands, nothing new.
  t.deepEqual(step(r.next, { kind: 'sync-group', nowMs: 1001, target: 'master' }, params).effects, []);
});

test('sync group commands leave other states alone: master to MASTER, backup to BACKUP, fault, initialize', (t) => {
  const fault = step(backup, { kind: 'trackers-changed', nowMs: 1, priorityAdjustment: 0, isFault: true }, params).next;
  for (const [snapshot, target] of [[master, 'master'], [backup, 'backup'], [fault, 'master'], [fault, 'backup'], [createVrrpSnapshot(params), 'master']] as const) {
    const r = step(snapshot, { kind: 'sync-group', nowMs: 2, target }, params);
    t.is(r.next, snapshot);
    t.deepEqual(r.effects, []);
  }
});

// ---- properties over random event sequences ----

const eventArb: fc.Arbitrary<(nowMs: number, requestId: number) => VrrpEvent> = fc.oneof(
  fc.constant((nowMs: number) => ({ kind: 'startup', nowMs }) as const),
  fc.boolean().map((isPlannedHandover) => (nowMs: number) => ({ kind: 'shutdown', nowMs, isPlannedHandover }) as const),
  fc
    .record({ priority: fc.integer({ min: 0, max: 255 }), last: fc.integer({ min: 1, max: 4 }), cs: fc.constantFrom(50, 100, 200) })
    .map(({ priority, last, cs }) => (nowMs: number) => rx(nowMs, advert(priority, `192.0.2.${last}`, cs))),
  fc.constantFrom('master-down' as const, 'adver' as const, 'handover' as const).map((timer) => (nowMs: number) => ({ kind: 'timer-expired', nowMs, timer }) as const),
  fc
    .record({ adj: fc.integer({ min: -300, max: 300 }), isFault: fc.boolean() })
    .map(({ adj, isFault }) => (nowMs: number) => ({ kind: 'trackers-changed', nowMs, priorityAdjustment: adj, isFault }) as const),
  fc.boolean().map((isGranted) => (nowMs: number, requestId: number) => ({ kind: 'takeover-answered', nowMs, requestId, isGranted }) as const),
  fc.constantFrom('master' as const, 'backup' as const).map((target) => (nowMs: number) => ({ kind: 'sync-group', nowMs, target }) as const),
);

for (const [name, p] of [
  ['backup-capable', params],
  ['owner', owner],
  ['nopreempt with delay', { ...params, preemptMode: 'nopreempt' as const, preemptDelayMs: 2000 }],
] as const) {
  test(`property (${name}): any event sequence keeps "holds VIPs" and the timers consistent with the state`, (t) => {
    t.notThrows(() =>
      fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), (makers) => {
        let snapshot = createVrrpSnapshot(p);
        let hasVips = false;
        const running = new Set<string>();
        let nowMs = 0;
        let lastRequestId = 0;
        for (const make of makers) {
          nowMs += 137;
          const { next, effects } = step(snapshot, make(nowMs, lastRequestId), p);
          for (const e of effects) {
            if (e.kind === 'add-vips') hasVips = true;
            if (e.kind === 'remove-vips') hasVips = false;
            if (e.kind === 'start-timer') running.add(e.timer);
            if (e.kind === 'stop-timer') running.delete(e.timer);
            if (e.kind === 'request-takeover') lastRequestId = e.requestId;
            if (e.kind === 'send-advert' && !(e.priority >= 0 && e.priority <= 255)) return false;
          }
          snapshot = next;
          if (hasVips !== holdsVips(snapshot.state)) return false;
          if (snapshot.state === 'master' && !running.has('adver')) return false;
          if (snapshot.state === 'handover' && !running.has('handover')) return false;
          if (snapshot.state === 'backup' && snapshot.pendingTakeover === null && !running.has('master-down')) return false;
          if ((snapshot.masterDownDeadlineMs !== null) !== (snapshot.state === 'backup' && snapshot.pendingTakeover === null)) return false;
          if (snapshot.pendingTakeover !== null && holdsVips(snapshot.state)) return false;
        }
        return true;
      }),
      { numRuns: 500 },
      ),
    );
  });
}

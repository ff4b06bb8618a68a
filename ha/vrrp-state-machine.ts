/**
 * The VRRP state machine of RFC 5798 section 6.4 (RFC 3768 section 6.4 for v2) as a reducer:
 * `step(snapshot, event, params) -> { next, effects }`. Timers, sends, VIP changes, GARP bursts,
 * takeover requests and notifications are effect values a driver executes; time comes in on events.
 * Each branch cites its section; behaviour beyond the RFC is marked "beyond the RFC". Pure.
 */
import { assertNever } from '../src/core/errors.js';
import { compareIp } from '../src/core/ip.js';
import { adverIntervalMs, masterDownIntervalMs, OWNER_PRIORITY, RELEASE_PRIORITY, skewTimeMs } from './vrrp-timers.js';
import {
  holdsVips,
  type MasterDownCause,
  type ReceivedAdvert,
  type TransitionReason,
  type VrrpEffect,
  type VrrpEvent,
  type VrrpInstanceParams,
  type VrrpSnapshot,
  type VrrpState,
  type VrrpStepResult,
  type VrrpTimer,
} from './vrrp-state-types.js';

/** The priority in force: keepalived's tracker rules (owner untouched, others clamped to 1-254). */
export function effectivePriority(snapshot: VrrpSnapshot, params: VrrpInstanceParams): number {
  if (params.priority === OWNER_PRIORITY) return OWNER_PRIORITY;
  return Math.min(254, Math.max(1, params.priority + snapshot.priorityAdjustment));
}

/** Master_Down_Interval for this router now (RFC 5798 section 6.1). */
export function currentMasterDownIntervalMs(snapshot: VrrpSnapshot, params: VrrpInstanceParams): number {
  return masterDownIntervalMs({
    version: params.version,
    priority: effectivePriority(snapshot, params),
    masterAdverIntervalCs: snapshot.masterAdverIntervalCs,
    downTimerAdverts: params.downTimerAdverts,
  });
}

export function step(snapshot: VrrpSnapshot, event: VrrpEvent, params: VrrpInstanceParams): VrrpStepResult {
  // The takeover gate's answer is the same wherever it was asked from (Initialize, Backup, Fault).
  if (event.kind === 'takeover-answered') return answerTakeover(snapshot, event, params);
  if (event.kind === 'sync-group') return followSyncGroup(snapshot, event, params);
  switch (snapshot.state) {
    case 'initialize':
      return stepInitialize(snapshot, event, params);
    case 'backup':
      return stepBackup(snapshot, event, params);
    case 'master':
      return stepMaster(snapshot, event, params);
    case 'fault':
      return stepFault(snapshot, event, params);
    case 'handover':
      return stepHandover(snapshot, event, params);
    default:
      return assertNever(snapshot.state, 'VRRP state');
  }
}

type NonGateEvent = Exclude<VrrpEvent, { kind: 'takeover-answered' | 'sync-group' }>;

/** RFC 5798 section 6.4.1. */
function stepInitialize(snapshot: VrrpSnapshot, event: NonGateEvent, params: VrrpInstanceParams): VrrpStepResult {
  switch (event.kind) {
    case 'startup':
      if (snapshot.pendingTakeover !== null) return unchanged(snapshot);
      if (snapshot.isTrackerFault) return moveTo(snapshot, 'fault', 'tracker-fault');
      return start(snapshot, event.nowMs, params, 'startup');
    case 'shutdown':
      return { next: { ...snapshot, pendingTakeover: null }, effects: [] };
    case 'trackers-changed': {
      const next = withTrackers(snapshot, event);
      // Started, waiting for the gate as owner: a fault now wins over the pending takeover.
      if (event.isFault && snapshot.pendingTakeover !== null) return moveTo({ ...next, pendingTakeover: null }, 'fault', 'tracker-fault');
      return { next, effects: [] };
    }
    case 'advert-received': // not participating yet
    case 'timer-expired': // stale
      return unchanged(snapshot);
    default:
      return assertNever(event, 'VRRP event');
  }
}

/** RFC 5798 section 6.4.2. */
function stepBackup(snapshot: VrrpSnapshot, event: NonGateEvent, params: VrrpInstanceParams): VrrpStepResult {
  switch (event.kind) {
    case 'startup':
      return unchanged(snapshot);
    case 'shutdown':
      // 6.4.2 "If a Shutdown event is received, then: Cancel the Master_Down_Timer; Transition to Initialize".
      return moveTo(clearMasterDown({ ...snapshot, pendingTakeover: null }), 'initialize', 'shutdown', [stopTimer('master-down')]);
    case 'advert-received':
      return backupReceives(snapshot, event.advert, event.nowMs, params);
    case 'timer-expired':
      if (event.timer !== 'master-down' || snapshot.masterDownDeadlineMs === null) return unchanged(snapshot);
      // 6.4.2 "If the Master_Down_Timer fires": become master, through the takeover gate (beyond the RFC).
      return requestTakeover(clearMasterDown(snapshot), snapshot.masterDownCause);
    case 'trackers-changed': {
      const next = withTrackers(snapshot, event);
      if (event.isFault) {
        // beyond the RFC: keepalived's FAULT state for a failed tracker.
        return moveTo(clearMasterDown({ ...next, pendingTakeover: null }), 'fault', 'tracker-fault', [stopTimer('master-down')]);
      }
      return shiftMasterDown(snapshot, next, event.nowMs, params);
    }
    default:
      return assertNever(event, 'VRRP event');
  }
}

function backupReceives(snapshot: VrrpSnapshot, advert: ReceivedAdvert, nowMs: number, params: VrrpInstanceParams): VrrpStepResult {
  const ours = effectivePriority(snapshot, params);
  if (advert.priority === RELEASE_PRIORITY) {
    // Already asking the gate to take over: the release only confirms it.
    if (snapshot.pendingTakeover !== null) return unchanged(snapshot);
    // 6.4.2 "If the Priority in the ADVERTISEMENT is zero, then: Set the Master_Down_Timer to Skew_Time".
    const delayMs = skewTimeMs({ version: params.version, priority: ours, masterAdverIntervalCs: snapshot.masterAdverIntervalCs });
    const next: VrrpSnapshot = { ...snapshot, masterDownDeadlineMs: nowMs + delayMs, masterDownCause: 'master-released' };
    return { next, effects: [startTimer('master-down', delayMs)] };
  }
  const isOwner = params.priority === OWNER_PRIORITY; // 6.1 Preempt_Mode: "the owner ... always preempts"
  const isPreempting = params.preemptMode === 'preempt' || isOwner;
  if (!isPreempting || advert.priority >= ours) {
    // 6.4.2 "If Preempt_Mode is False, or if the Priority in the ADVERTISEMENT is greater than or equal to
    // the local Priority": learn Master_Adver_Interval, recompute and reset the Master_Down_Timer.
    const preemptDeadlineMs = advert.priority >= ours ? null : snapshot.preemptDeadlineMs;
    return acceptMaster(snapshot, advert, nowMs, params, preemptDeadlineMs);
  }
  if (params.preemptDelayMs > 0 && !isOwner) {
    // beyond the RFC: keepalived's preempt_delay accepts a lower-priority master for a while first.
    const deadlineMs = snapshot.preemptDeadlineMs ?? nowMs + params.preemptDelayMs;
    if (nowMs < deadlineMs) return acceptMaster(snapshot, advert, nowMs, params, deadlineMs);
  }
  // 6.4.2 "Else: Discard the ADVERTISEMENT": the running Master_Down_Timer will make us master.
  return { next: { ...snapshot, masterDownCause: 'preempting-lower-priority' }, effects: [] };
}

function acceptMaster(
  snapshot: VrrpSnapshot,
  advert: ReceivedAdvert,
  nowMs: number,
  params: VrrpInstanceParams,
  preemptDeadlineMs: number | null,
): VrrpStepResult {
  const learned: VrrpSnapshot = {
    ...snapshot,
    masterAdverIntervalCs: advert.adverIntervalCs,
    masterAddress: advert.sourceAddress,
    masterPriority: advert.priority,
    masterDownCause: 'master-silent',
    preemptDeadlineMs,
    pendingTakeover: null, // a master spoke: a takeover still waiting for the gate is void
  };
  const delayMs = currentMasterDownIntervalMs(learned, params);
  return { next: { ...learned, masterDownDeadlineMs: nowMs + delayMs }, effects: [startTimer('master-down', delayMs)] };
}

/** beyond the RFC (keepalived): a priority change moves a running Master_Down_Timer by the skew delta. */
function shiftMasterDown(before: VrrpSnapshot, after: VrrpSnapshot, nowMs: number, params: VrrpInstanceParams): VrrpStepResult {
  const deadlineMs = before.masterDownDeadlineMs;
  const deltaMs = currentMasterDownIntervalMs(after, params) - currentMasterDownIntervalMs(before, params);
  if (deadlineMs === null || deltaMs === 0) return { next: after, effects: [] };
  const shiftedMs = Math.max(nowMs, deadlineMs + deltaMs);
  return { next: { ...after, masterDownDeadlineMs: shiftedMs }, effects: [startTimer('master-down', shiftedMs - nowMs)] };
}

/** RFC 5798 section 6.4.3. */
function stepMaster(snapshot: VrrpSnapshot, event: NonGateEvent, params: VrrpInstanceParams): VrrpStepResult {
  switch (event.kind) {
    case 'startup':
      return unchanged(snapshot);
    case 'shutdown':
      return masterShutdown(snapshot, event.nowMs, event.isPlannedHandover, params);
    case 'advert-received':
      return masterReceives(snapshot, event.advert, event.nowMs, params);
    case 'timer-expired':
      if (event.timer !== 'adver') return unchanged(snapshot);
      // 6.4.3 "If the Adver_Timer fires, then: Send an ADVERTISEMENT; Reset the Adver_Timer".
      return { next: snapshot, effects: advertise(snapshot, params) };
    case 'trackers-changed': {
      const next = withTrackers(snapshot, event);
      if (!event.isFault) return { next, effects: [] }; // keepalived: the next advert carries the new priority
      // beyond the RFC: keepalived's MASTER -> FAULT sends priority 0 and releases the addresses.
      const effects: VrrpEffect[] = [stopTimer('adver'), sendAdvert(RELEASE_PRIORITY), { kind: 'remove-vips' }];
      return moveTo(next, 'fault', 'tracker-fault', effects);
    }
    default:
      return assertNever(event, 'VRRP event');
  }
}

function masterShutdown(snapshot: VrrpSnapshot, nowMs: number, isPlannedHandover: boolean, params: VrrpInstanceParams): VrrpStepResult {
  // 6.4.3 "If a Shutdown event is received, then: Cancel the Adver_Timer; Send an ADVERTISEMENT with
  // Priority = 0; Transition to the {Initialize} state."
  const released: VrrpEffect[] = [stopTimer('adver'), sendAdvert(RELEASE_PRIORITY)];
  if (!isPlannedHandover) return moveTo(snapshot, 'initialize', 'shutdown', [...released, { kind: 'remove-vips' }]);
  // beyond the RFC: a planned handover keeps the addresses until the new master speaks, for at most the
  // longest Master_Down_Interval a backup can have (priority 1), so clients see no gap.
  const waitMs = masterDownIntervalMs({
    version: params.version,
    priority: 1,
    masterAdverIntervalCs: params.adverIntervalCs,
    downTimerAdverts: params.downTimerAdverts,
  });
  const next: VrrpSnapshot = { ...snapshot, handoverDeadlineMs: nowMs + waitMs };
  return moveTo(next, 'handover', 'shutdown', [...released, startTimer('handover', waitMs)]);
}

function masterReceives(snapshot: VrrpSnapshot, advert: ReceivedAdvert, nowMs: number, params: VrrpInstanceParams): VrrpStepResult {
  if (advert.priority === RELEASE_PRIORITY) {
    // 6.4.3 "If the Priority in the ADVERTISEMENT is zero, then: Send an ADVERTISEMENT; Reset the Adver_Timer".
    return { next: snapshot, effects: advertise(snapshot, params) };
  }
  const ours = effectivePriority(snapshot, params);
  const isHigher = advert.priority > ours;
  const isTieLost = advert.priority === ours && compareIp(advert.sourceAddress, params.primaryAddress) > 0;
  if (isHigher || isTieLost) {
    // 6.4.3 "If the Priority in the ADVERTISEMENT is greater than the local Priority, or ... equal ... and the
    // primary IPvX Address of the sender is greater than the local primary IPvX Address": Cancel Adver_Timer,
    // learn Master_Adver_Interval, set Master_Down_Timer to Master_Down_Interval, transition to Backup.
    const announce: VrrpEffect[] = params.isYieldAnnounced ? [sendAdvert(ours)] : []; // beyond the RFC (keepalived)
    const yielded = acceptMaster({ ...snapshot, preemptDeadlineMs: null }, advert, nowMs, params, null);
    const effects: VrrpEffect[] = [...announce, stopTimer('adver'), { kind: 'remove-vips' }, ...yielded.effects];
    return moveTo(yielded.next, 'backup', isHigher ? 'higher-priority-advert' : 'equal-priority-higher-address', effects);
  }
  // 6.4.3 "Else: Discard the ADVERTISEMENT". beyond the RFC (keepalived's default, off with
  // lower_prio_no_advert): answer at once and re-announce the addresses, which ends a split brain fast.
  if (!params.isLowerPriorityAnswered) return unchanged(snapshot);
  return { next: snapshot, effects: [...advertise(snapshot, params), { kind: 'send-garp-burst', reason: 'lower-priority-advert' }] };
}

/** beyond the RFC: the planned handover of a stopping master. */
function stepHandover(snapshot: VrrpSnapshot, event: NonGateEvent, _params: VrrpInstanceParams): VrrpStepResult {
  const release = (reason: TransitionReason): VrrpStepResult =>
    moveTo({ ...snapshot, handoverDeadlineMs: null }, 'initialize', reason, [stopTimer('handover'), { kind: 'remove-vips' }]);
  switch (event.kind) {
    case 'advert-received':
      // Any advert with a non-zero priority comes from the new master.
      return event.advert.priority === RELEASE_PRIORITY ? unchanged(snapshot) : release('handover-new-master-heard');
    case 'timer-expired':
      return event.timer === 'handover' ? release('handover-timeout') : unchanged(snapshot);
    case 'shutdown':
      return release('shutdown'); // a second stop request does not wait
    case 'trackers-changed':
      return { next: withTrackers(snapshot, event), effects: [] }; // the release is at most one wait away
    case 'startup':
      return unchanged(snapshot);
    default:
      return assertNever(event, 'VRRP event');
  }
}

/** beyond the RFC: keepalived's FAULT state; adverts are ignored until the trackers recover. */
function stepFault(snapshot: VrrpSnapshot, event: NonGateEvent, params: VrrpInstanceParams): VrrpStepResult {
  switch (event.kind) {
    case 'trackers-changed': {
      const next = withTrackers(snapshot, event);
      if (event.isFault) return { next: { ...next, pendingTakeover: null }, effects: [] };
      if (snapshot.isTrackerFault) return start(next, event.nowMs, params, 'tracker-recovered');
      return { next, effects: [] };
    }
    case 'shutdown':
      return moveTo({ ...snapshot, pendingTakeover: null }, 'initialize', 'shutdown');
    case 'startup':
    case 'advert-received':
    case 'timer-expired':
      return unchanged(snapshot);
    default:
      return assertNever(event, 'VRRP event');
  }
}

/**
 * 6.4.1 "If a Startup event is received": the owner becomes master (through the takeover gate, beyond the
 * RFC); any other router sets Master_Adver_Interval to Advertisement_Interval, starts the
 * Master_Down_Timer and becomes Backup.
 */
function start(snapshot: VrrpSnapshot, nowMs: number, params: VrrpInstanceParams, reason: TransitionReason): VrrpStepResult {
  const reset: VrrpSnapshot = { ...snapshot, masterAdverIntervalCs: params.adverIntervalCs, masterAddress: null, masterPriority: null };
  if (params.priority === OWNER_PRIORITY) return requestTakeover(reset, reason === 'startup' ? 'startup-as-owner' : reason);
  // beyond the RFC: keepalived's preempt_delay also counts from startup.
  const preemptDeadlineMs = params.preemptDelayMs > 0 ? nowMs + params.preemptDelayMs : null;
  return enterBackup({ ...reset, preemptDeadlineMs }, nowMs, params, reason, 'no-master-heard');
}

function enterBackup(
  snapshot: VrrpSnapshot,
  nowMs: number,
  params: VrrpInstanceParams,
  reason: TransitionReason,
  cause: MasterDownCause,
): VrrpStepResult {
  const prepared: VrrpSnapshot = { ...snapshot, masterDownCause: cause, pendingTakeover: null };
  const delayMs = currentMasterDownIntervalMs(prepared, params);
  const next: VrrpSnapshot = { ...prepared, masterDownDeadlineMs: nowMs + delayMs };
  return moveTo(next, 'backup', reason, [startTimer('master-down', delayMs)]);
}

/**
 * beyond the RFC: keepalived's vrrp_sync_group (vrrp_sync.c). To MASTER: a backup member asks to take over
 * (through the takeover gate, like any takeover; one already asking waits for its answer). To BACKUP: a
 * master member leaves at once, as vrrp_state_leave_master does it for the group: no priority-0 advert,
 * VIPs removed, Master_Down_Timer set to Master_Down_Interval. Other states are left alone (a member in
 * Fault follows its trackers, one in Handover or Initialize is stopping or not started).
 */
function followSyncGroup(snapshot: VrrpSnapshot, event: Extract<VrrpEvent, { kind: 'sync-group' }>, params: VrrpInstanceParams): VrrpStepResult {
  if (event.target === 'master') {
    if (snapshot.state !== 'backup' || snapshot.pendingTakeover !== null) return unchanged(snapshot);
    const asked = requestTakeover(clearMasterDown(snapshot), 'sync-group-master');
    return { next: asked.next, effects: [stopTimer('master-down'), ...asked.effects] };
  }
  if (snapshot.state !== 'master') return unchanged(snapshot);
  const left: VrrpSnapshot = { ...snapshot, masterAddress: null, masterPriority: null, masterAdverIntervalCs: params.adverIntervalCs, preemptDeadlineMs: null };
  const backup = enterBackup(left, event.nowMs, params, 'sync-group-backup', 'no-master-heard');
  return { next: backup.next, effects: [stopTimer('adver'), { kind: 'remove-vips' }, ...backup.effects] };
}

/** beyond the RFC: becoming master first asks the injected takeover gate (quorum, fencing). */
function requestTakeover(snapshot: VrrpSnapshot, reason: TransitionReason): VrrpStepResult {
  const requestId = snapshot.nextTakeoverRequestId;
  const next: VrrpSnapshot = { ...snapshot, pendingTakeover: { requestId, reason }, nextTakeoverRequestId: requestId + 1 };
  return { next, effects: [{ kind: 'request-takeover', requestId, reason }] };
}

function answerTakeover(
  snapshot: VrrpSnapshot,
  event: Extract<VrrpEvent, { kind: 'takeover-answered' }>,
  params: VrrpInstanceParams,
): VrrpStepResult {
  const pending = snapshot.pendingTakeover;
  if (pending === null || pending.requestId !== event.requestId) return unchanged(snapshot); // stale answer
  const cleared: VrrpSnapshot = { ...snapshot, pendingTakeover: null };
  if (!event.isGranted) return enterBackup(cleared, event.nowMs, params, 'takeover-denied', cleared.masterDownCause);
  return enterMaster(cleared, params, pending.reason);
}

/**
 * 6.4.1 / 6.4.2 "Send an ADVERTISEMENT; Broadcast a gratuitous ARP request [IPv4] / Send an unsolicited ND
 * Neighbor Advertisement [IPv6] ...; Set the Adver_Timer to Advertisement_Interval; Transition to Master".
 * The advert goes first, then the addresses, as in keepalived. Master_Adver_Interval reverts to ours.
 */
function enterMaster(snapshot: VrrpSnapshot, params: VrrpInstanceParams, reason: TransitionReason): VrrpStepResult {
  const next: VrrpSnapshot = {
    ...snapshot,
    masterAdverIntervalCs: params.adverIntervalCs,
    masterAddress: params.primaryAddress,
    masterPriority: effectivePriority(snapshot, params),
    masterDownDeadlineMs: null,
    preemptDeadlineMs: null,
  };
  const effects: VrrpEffect[] = [
    sendAdvert(effectivePriority(snapshot, params)),
    { kind: 'add-vips' },
    { kind: 'send-garp-burst', reason: 'became-master' },
    startTimer('adver', adverIntervalMs(params.adverIntervalCs)),
  ];
  return moveTo(next, 'master', reason, effects);
}

function advertise(snapshot: VrrpSnapshot, params: VrrpInstanceParams): VrrpEffect[] {
  return [sendAdvert(effectivePriority(snapshot, params)), startTimer('adver', adverIntervalMs(params.adverIntervalCs))];
}

function withTrackers(snapshot: VrrpSnapshot, event: Extract<VrrpEvent, { kind: 'trackers-changed' }>): VrrpSnapshot {
  return { ...snapshot, priorityAdjustment: event.priorityAdjustment, isTrackerFault: event.isFault };
}

function clearMasterDown(snapshot: VrrpSnapshot): VrrpSnapshot {
  return { ...snapshot, masterDownDeadlineMs: null };
}

function moveTo(snapshot: VrrpSnapshot, to: VrrpState, reason: TransitionReason, effects: readonly VrrpEffect[] = []): VrrpStepResult {
  const from = snapshot.state;
  const next: VrrpSnapshot = holdsVips(to) || to === 'backup' ? { ...snapshot, state: to } : { ...snapshot, state: to, masterAddress: null, masterPriority: null };
  const notify: VrrpEffect[] = from === to ? [] : [{ kind: 'notify-transition', from, to, reason }];
  return { next, effects: [...effects, ...notify] };
}

function unchanged(snapshot: VrrpSnapshot): VrrpStepResult {
  return { next: snapshot, effects: [] };
}

function sendAdvert(priority: number): VrrpEffect {
  return { kind: 'send-advert', priority };
}

function startTimer(timer: VrrpTimer, delayMs: number): VrrpEffect {
  return { kind: 'start-timer', timer, delayMs };
}

function stopTimer(timer: VrrpTimer): VrrpEffect {
  return { kind: 'stop-timer', timer };
}

/**
 * Vocabulary of the VRRP state machine (RFC 5798 section 6): params from config, the snapshot of runtime
 * state, the events a driver feeds in and the effects it executes. Pure types and constructors.
 */
import type { IpAddress } from '../src/core/ip.js';
import type { VrrpVersion } from './vrrp-packet.js';

/**
 * RFC 5798 section 6.4: Initialize, Backup, Master. Beyond the RFC: Fault (keepalived's state for a
 * failed tracker) and Handover (a planned stop: priority 0 sent, the VIPs kept until a new master speaks).
 */
export type VrrpState = 'initialize' | 'backup' | 'master' | 'fault' | 'handover';

/** RFC 5798 section 6.2 names the first two; Handover_Timer bounds a planned handover (beyond the RFC). */
export type VrrpTimer = 'master-down' | 'adver' | 'handover';

export interface VrrpInstanceParams {
  readonly version: VrrpVersion;
  /** Configured priority 1-255 (255: address owner, never adjusted by trackers). */
  readonly priority: number;
  /** Advertisement_Interval (RFC 5798 section 6.1), centiseconds; whole seconds for v2. */
  readonly adverIntervalCs: number;
  /** This router's primary address on the interface: the tie-break of RFC 5798 section 6.4.3. */
  readonly primaryAddress: IpAddress;
  /** Preempt_Mode (RFC 5798 section 6.1); an owner always preempts. */
  readonly preemptMode: 'preempt' | 'nopreempt';
  /** keepalived `preempt_delay`: accept a lower-priority master this long before preempting it. 0: none. */
  readonly preemptDelayMs: number;
  /** keepalived default (`lower_prio_no_advert` turns it off): a master answers a lower advert. */
  readonly isLowerPriorityAnswered: boolean;
  /** keepalived `higher_prio_send_advert`: a yielding master sends one advert at its priority first. */
  readonly isYieldAnnounced: boolean;
  /** keepalived `down_timer_adverts`; RFC value 3. */
  readonly downTimerAdverts: number;
}

/** Why the Master_Down_Timer is running: becomes the reason of the transition when it fires. */
export type MasterDownCause = 'no-master-heard' | 'master-silent' | 'master-released' | 'preempting-lower-priority';

export type TransitionReason =
  | 'startup'
  | 'startup-as-owner'
  | MasterDownCause
  | 'takeover-denied'
  | 'higher-priority-advert'
  | 'equal-priority-higher-address'
  | 'shutdown'
  | 'handover-new-master-heard'
  | 'handover-timeout'
  | 'tracker-fault'
  | 'tracker-recovered'
  /** keepalived's vrrp_sync_group: another member of the sync group moved (beyond the RFC). */
  | 'sync-group-master'
  | 'sync-group-backup';

export interface PendingTakeover {
  readonly requestId: number;
  readonly reason: TransitionReason;
}

export interface VrrpSnapshot {
  readonly state: VrrpState;
  /** Master_Adver_Interval (RFC 5798 section 6.1): learned from the master in v3, ours otherwise. */
  readonly masterAdverIntervalCs: number;
  /** The current master as last heard (ourselves when master); null when unknown. */
  readonly masterAddress: IpAddress | null;
  /** Priority of the last accepted advertisement from the master; null when unknown. */
  readonly masterPriority: number | null;
  /** When the running Master_Down_Timer fires (monotonic ms), null when it is not running. */
  readonly masterDownDeadlineMs: number | null;
  readonly masterDownCause: MasterDownCause;
  /** preempt_delay: until when a lower-priority master is still accepted; null when not counting. */
  readonly preemptDeadlineMs: number | null;
  /** Sum of tracker weights (keepalived rules); ignored for an owner. */
  readonly priorityAdjustment: number;
  readonly isTrackerFault: boolean;
  /** A takeover waiting for the gate's answer (quorum, fencing); null when none. */
  readonly pendingTakeover: PendingTakeover | null;
  readonly nextTakeoverRequestId: number;
  /** When a planned handover gives up waiting for the new master; null outside Handover. */
  readonly handoverDeadlineMs: number | null;
}

/** What the receive filter accepted, reduced to what the state machine reads. */
export interface ReceivedAdvert {
  readonly sourceAddress: IpAddress;
  readonly priority: number;
  readonly adverIntervalCs: number;
}

export type VrrpEvent =
  | { readonly kind: 'startup'; readonly nowMs: number }
  | { readonly kind: 'shutdown'; readonly nowMs: number; readonly isPlannedHandover: boolean }
  | { readonly kind: 'advert-received'; readonly nowMs: number; readonly advert: ReceivedAdvert }
  | { readonly kind: 'timer-expired'; readonly nowMs: number; readonly timer: VrrpTimer }
  | { readonly kind: 'trackers-changed'; readonly nowMs: number; readonly priorityAdjustment: number; readonly isFault: boolean }
  | { readonly kind: 'takeover-answered'; readonly nowMs: number; readonly requestId: number; readonly isGranted: boolean }
  /** keepalived's vrrp_sync_group (beyond the RFC): the group moved to MASTER or BACKUP; members follow. */
  | { readonly kind: 'sync-group'; readonly nowMs: number; readonly target: 'master' | 'backup' };

export type GarpReason = 'became-master' | 'lower-priority-advert';

export type VrrpEffect =
  | { readonly kind: 'send-advert'; readonly priority: number }
  | { readonly kind: 'start-timer'; readonly timer: VrrpTimer; readonly delayMs: number }
  | { readonly kind: 'stop-timer'; readonly timer: VrrpTimer }
  | { readonly kind: 'add-vips' }
  | { readonly kind: 'remove-vips' }
  | { readonly kind: 'send-garp-burst'; readonly reason: GarpReason }
  | { readonly kind: 'request-takeover'; readonly requestId: number; readonly reason: TransitionReason }
  | { readonly kind: 'notify-transition'; readonly from: VrrpState; readonly to: VrrpState; readonly reason: TransitionReason };

export interface VrrpStepResult {
  readonly next: VrrpSnapshot;
  readonly effects: readonly VrrpEffect[];
}

export function createVrrpSnapshot(params: VrrpInstanceParams): VrrpSnapshot {
  return {
    state: 'initialize',
    masterAdverIntervalCs: params.adverIntervalCs,
    masterAddress: null,
    masterPriority: null,
    masterDownDeadlineMs: null,
    masterDownCause: 'no-master-heard',
    preemptDeadlineMs: null,
    priorityAdjustment: 0,
    isTrackerFault: false,
    pendingTakeover: null,
    nextTakeoverRequestId: 1,
    handoverDeadlineMs: null,
  };
}

/** True in the states where this director holds (and answers for) the virtual addresses. */
export function holdsVips(state: VrrpState): boolean {
  return state === 'master' || state === 'handover';
}

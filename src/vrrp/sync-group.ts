/**
 * keepalived's `vrrp_sync_group` as pure decisions (keepalived 2.x vrrp_sync.c and vrrp_track.c): the
 * members of a sync group move together.
 *
 * - FAULT: one member's trackers fail, every member is FAULT (vrrp_sync_fault); the group leaves FAULT
 *   when no member's trackers fail any more (the members then start again as BACKUP).
 * - BACKUP: a master member yields (it heard a higher priority), every other master member leaves
 *   MASTER too, without a priority-0 advert (vrrp_sync_backup, vrrp_state_leave_master).
 * - MASTER: a member becomes master only when every other member is master or wants to be (its own
 *   takeover is pending): keepalived's "prefer backup state to avoid thrashing"
 *   (vrrp_sync_can_goto_master); when the group is MASTER, any member may; once one is master, the
 *   others in BACKUP are told to take over too (vrrp_sync_master).
 * - The group's notify scripts run on the group's own transitions, `notify` with GROUP NAME STATE 0.
 *
 * Differences, chosen: keepalived makes a member that may not go master yet wait one more master down
 * interval and try again; lvsd holds its takeover request and grants it the moment the last member wants
 * it too (or drops it when the member hears a master meanwhile). Group-forced FAULT reaches a member as a
 * tracker fault (its transition reason is `tracker-fault`; the group's event names the member at fault).
 */
import { splitCommandLine } from '../core/command-line.js';
import type { TransitionReason, VrrpState } from '../../ha/vrrp-state-types.js';
import type { VrrpConfig } from '../../config/schema-vrrp.js';

/** keepalived's group states, plus `initialize` (members not all started) and `stop`. */
export type SyncGroupState = 'initialize' | 'backup' | 'master' | 'fault' | 'stop';

export interface SyncMemberView {
  readonly name: string;
  /** `initialize` until the member has started. */
  readonly state: VrrpState;
  /** The member's own trackers (those of the group included) say FAULT. */
  readonly isOwnFault: boolean;
  /** keepalived's wantstate MASTER: its takeover request is pending. */
  readonly isWantingMaster: boolean;
}

export interface SyncGroupView {
  readonly state: SyncGroupState;
  readonly members: readonly SyncMemberView[];
}

export interface MemberTransition {
  readonly member: string;
  readonly from: VrrpState;
  readonly to: VrrpState;
  readonly reason: TransitionReason;
}

export interface SyncCommand {
  readonly member: string;
  readonly target: 'master' | 'backup';
}

export interface SyncDecision {
  /** The group's state after the transition. */
  readonly state: SyncGroupState;
  /** What the other members are told (VrrpInstance.followSyncGroup). */
  readonly commands: readonly SyncCommand[];
}

/** Whether the group is in FAULT because of trackers: any member's own. */
export function isGroupFault(members: readonly SyncMemberView[]): boolean {
  return members.some((m) => m.isOwnFault);
}

/**
 * The group's answer to a member's transition. `view.members` already shows the member in its new state.
 */
export function decideOnTransition(view: SyncGroupView, change: MemberTransition): SyncDecision {
  const others = view.members.filter((m) => m.name !== change.member);
  if (change.to === 'fault' || isGroupFault(view.members)) return { state: 'fault', commands: [] };
  if (change.to === 'master') {
    // vrrp_sync_master: every other member in BACKUP that is not already asking is told to take over.
    const commands = others.filter((m) => m.state === 'backup' && !m.isWantingMaster).map((m): SyncCommand => ({ member: m.name, target: 'master' }));
    return { state: 'master', commands };
  }
  if (change.to === 'backup' && change.from === 'master') {
    // vrrp_sync_backup: the group leaves MASTER, every other master member with it.
    const commands = others.filter((m) => m.state === 'master').map((m): SyncCommand => ({ member: m.name, target: 'backup' }));
    return { state: 'backup', commands };
  }
  if (change.to === 'initialize') {
    // Stopping: the group stops when its last member has.
    return { state: view.members.every((m) => m.state === 'initialize') && view.state !== 'initialize' ? 'stop' : view.state, commands: [] };
  }
  return { state: settledState(view), commands: [] };
}

/**
 * The state of a group no member is moving: FAULT while a tracker fails, `initialize` until every member
 * has started, MASTER when one is master, else BACKUP. Leaving FAULT or `initialize` goes through here.
 */
export function settledState(view: SyncGroupView): SyncGroupState {
  if (isGroupFault(view.members) || view.members.some((m) => m.state === 'fault')) return 'fault';
  if (view.state === 'stop') return 'stop';
  if (view.members.some((m) => m.state === 'initialize')) return view.state === 'initialize' ? 'initialize' : view.state;
  if (view.members.some((m) => m.state === 'master' || m.state === 'handover')) return view.state === 'backup' ? 'backup' : 'master';
  return 'backup';
}

/**
 * vrrp_sync_can_goto_master: may `member` become master now? Yes when the group is MASTER, or when every
 * other member is master or wants to be. `waitingFor` names the members it waits for.
 */
export function mayTakeOver(view: SyncGroupView, member: string): { readonly isAllowed: boolean; readonly waitingFor: readonly string[] } {
  if (view.state === 'fault' || isGroupFault(view.members)) return { isAllowed: false, waitingFor: view.members.filter((m) => m.isOwnFault).map((m) => m.name) };
  if (view.state === 'master') return { isAllowed: true, waitingFor: [] };
  const waitingFor = view.members.filter((m) => m.name !== member && m.state !== 'master' && !m.isWantingMaster).map((m) => m.name);
  return { isAllowed: waitingFor.length === 0, waitingFor };
}

/** The notify a group state fires (keepalived send_group_notifies); none for `initialize`. */
export function groupNotifyState(state: SyncGroupState): 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | undefined {
  switch (state) {
    case 'master':
      return 'MASTER';
    case 'backup':
      return 'BACKUP';
    case 'fault':
      return 'FAULT';
    case 'stop':
      return 'STOP';
    case 'initialize':
      return undefined;
  }
}

/**
 * The argv lists a group transition runs, in keepalived's order (send_group_notifies): the state's own
 * script, then `notify` with GROUP NAME STATE 0 appended (a group has no priority).
 */
export function groupNotifyCommands(state: SyncGroupState, notify: VrrpConfig['syncGroups'][number]['notify'], groupName: string): string[][] {
  const notifyState = groupNotifyState(state);
  if (notifyState === undefined) return [];
  const own = { MASTER: notify.master, BACKUP: notify.backup, FAULT: notify.fault, STOP: notify.stop }[notifyState];
  const out: string[][] = [];
  if (own !== undefined) {
    const argv = splitCommandLine(own);
    if (argv.ok) out.push(argv.value);
  }
  if (notify.any !== undefined) {
    const argv = splitCommandLine(notify.any);
    if (argv.ok) out.push([...argv.value, 'GROUP', groupName, notifyState, '0']);
  }
  return out;
}

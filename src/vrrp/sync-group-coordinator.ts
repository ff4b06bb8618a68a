/**
 * The shell around sync-group.ts for one `vrrp_sync_group` of the daemon: it hears its members'
 * transitions, asks the pure decisions what the group does, and tells the other members
 * (VrrpInstance.followSyncGroup); it adds the group's FAULT to each member's own tracker result; and it
 * wraps each member's takeover gate, so that a member becomes master only when the group allows it
 * (every member wants to, or the group is MASTER already). Transitions are handled one at a time, in
 * order, also those a command causes while another is being handled.
 */
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { TakeoverDecision, TakeoverGate } from '../../ha/takeover-gate.js';
import type { VrrpInstance } from '../../ha/vrrp-instance.js';
import type { TransitionReason, VrrpState } from '../../ha/vrrp-state-types.js';
import { decideOnTransition, isGroupFault, mayTakeOver, type MemberTransition, type SyncCommand, type SyncGroupState, type SyncGroupView, type SyncMemberView } from './sync-group.js';

/** One transition of the group, for the event log and the notify scripts. */
export interface SyncGroupTransition {
  readonly kind: 'sync-group';
  readonly group: string;
  readonly from: SyncGroupState;
  readonly to: SyncGroupState;
  /** The member transition that moved the group. */
  readonly member: string;
  readonly memberFrom: VrrpState;
  readonly memberTo: VrrpState;
  readonly memberReason: TransitionReason;
  /** Members whose own trackers fail (why the group is in FAULT). */
  readonly faultyMembers: readonly string[];
  /** What the other members were told. */
  readonly commands: readonly SyncCommand[];
}

export interface SyncGroupSnapshot {
  readonly name: string;
  readonly state: SyncGroupState;
  readonly members: readonly SyncMemberView[];
  /** Members whose takeover waits for the others. */
  readonly heldTakeovers: readonly string[];
}

export interface SyncGroupCoordinator {
  readonly name: string;
  /** The member's gate: the group's consent first, then `inner` (health, quorum, fencing). */
  gateFor(member: string, inner: TakeoverGate): TakeoverGate;
  /** Before the member starts: its transitions drive the group from then on. */
  attach(instance: VrrpInstance): void;
  /** The member's own tracker result (keepalived's weight rules); the group's FAULT is added to it. */
  setMemberTrackers(member: string, priorityAdjustment: number, isFault: boolean): void;
  /** Applies the tracker results to every running member (after a member started). */
  applyTrackers(): void;
  snapshot(): SyncGroupSnapshot;
  /** Denies held takeovers and stops listening. */
  close(): void;
}

export interface SyncGroupCoordinatorDeps {
  readonly logger: Logger;
  readonly onTransition: (transition: SyncGroupTransition) => void;
}

interface Held {
  readonly resolve: (decision: TakeoverDecision) => void;
}

export function createSyncGroupCoordinator(group: { readonly name: string; readonly members: readonly string[] }, deps: SyncGroupCoordinatorDeps): SyncGroupCoordinator {
  const log = deps.logger.child({ component: 'vrrp-sync-group', group: group.name });
  const instances = new Map<string, VrrpInstance>();
  const own = new Map<string, { readonly priorityAdjustment: number; readonly isFault: boolean }>();
  const applied = new Map<string, string>();
  const held = new Map<string, Held>();
  const unsubscribes: (() => void)[] = [];
  const queue: MemberTransition[] = [];
  let state: SyncGroupState = 'initialize';
  let isHandling = false;

  function memberView(name: string): SyncMemberView {
    const snap = instances.get(name)?.snapshot();
    const isStarted = snap !== undefined && (snap.lifecycle === 'running' || snap.lifecycle === 'stopping');
    return {
      name,
      state: isStarted ? snap.state : 'initialize',
      isOwnFault: own.get(name)?.isFault ?? false,
      isWantingMaster: isStarted && snap.isTakeoverPending,
    };
  }

  function view(): SyncGroupView {
    return { state, members: group.members.map(memberView) };
  }

  function handle(change: MemberTransition): void {
    queue.push(change);
    if (isHandling) return;
    isHandling = true;
    try {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const current = view();
        const decision = decideOnTransition(current, next);
        if (decision.state !== state || decision.commands.length > 0) {
          const transition: SyncGroupTransition = {
            kind: 'sync-group',
            group: group.name,
            from: state,
            to: decision.state,
            member: next.member,
            memberFrom: next.from,
            memberTo: next.to,
            memberReason: next.reason,
            faultyMembers: current.members.filter((m) => m.isOwnFault).map((m) => m.name),
            commands: decision.commands,
          };
          state = decision.state;
          if (transition.from !== transition.to) {
            log.info('vrrp sync group transition', { from: transition.from, to: transition.to, member: next.member, reason: next.reason, faultyMembers: transition.faultyMembers });
            deps.onTransition(transition);
          }
          for (const c of decision.commands) {
            log.info('vrrp sync group moves a member', { instance: c.member, to: c.target, because: next.member });
            instances.get(c.member)?.followSyncGroup(c.target);
          }
        }
        releaseHeld();
      }
    } finally {
      isHandling = false;
    }
  }

  /** Grants held takeovers the group now allows; drops those the member no longer asks for. */
  function releaseHeld(): void {
    if (held.size === 0) return;
    const current = view();
    for (const [name, entry] of [...held]) {
      const member = current.members.find((m) => m.name === name);
      if (member === undefined || !member.isWantingMaster) {
        held.delete(name);
        entry.resolve({ isGranted: false, detail: `sync group ${group.name}: the request was voided` });
        continue;
      }
      if (!mayTakeOver(current, name).isAllowed) continue;
      held.delete(name);
      log.info('vrrp sync group grants a held takeover', { instance: name, state: current.state });
      entry.resolve({ isGranted: true, detail: `sync group ${group.name}: every member wants master` });
    }
  }

  function consent(member: string, signal: AbortSignal): Promise<TakeoverDecision> {
    const current = view();
    const verdict = mayTakeOver(current, member);
    held.get(member)?.resolve({ isGranted: false, detail: `sync group ${group.name}: superseded` });
    held.delete(member);
    if (verdict.isAllowed) {
      releaseHeld(); // this member's wish may complete the set for others held
      return Promise.resolve(current.state === 'master' ? { isGranted: true } : { isGranted: true, detail: `sync group ${group.name}: every member wants master` });
    }
    log.info('vrrp sync group holds a takeover', { instance: member, waitingFor: verdict.waitingFor });
    return new Promise((resolve) => {
      const onAbort = (): void => {
        held.delete(member);
        resolve({ isGranted: false, detail: `sync group ${group.name}: aborted` });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      held.set(member, {
        resolve(decision) {
          signal.removeEventListener('abort', onAbort);
          resolve(decision);
        },
      });
      releaseHeld();
    });
  }

  return {
    name: group.name,
    gateFor(member, inner) {
      return {
        async decide(request, signal) {
          const groupDecision = await consent(member, signal);
          if (!groupDecision.isGranted) return groupDecision;
          const decision = await inner.decide(request, signal);
          return decision.detail === undefined && groupDecision.detail !== undefined ? { ...decision, detail: groupDecision.detail } : decision;
        },
      };
    },
    attach(instance) {
      instances.set(instance.name, instance);
      unsubscribes.push(
        instance.onEvent((event) => {
          if (event.kind !== 'transition') return;
          try {
            handle({ member: instance.name, from: event.from, to: event.to, reason: event.reason });
          } catch (e) {
            log.error('vrrp sync group failed to follow a transition', { instance: instance.name, err: describeError(e) });
          }
        }),
      );
    },
    setMemberTrackers(member, priorityAdjustment, isFault) {
      own.set(member, { priorityAdjustment, isFault });
      this.applyTrackers();
    },
    applyTrackers() {
      const isFault = isGroupFault(group.members.map(memberView));
      for (const name of group.members) {
        const instance = instances.get(name);
        if (instance?.snapshot().lifecycle !== 'running') continue;
        const mine = own.get(name) ?? { priorityAdjustment: 0, isFault: false };
        const effective = { priorityAdjustment: mine.priorityAdjustment, isFault: mine.isFault || isFault };
        const key = `${effective.priorityAdjustment}/${effective.isFault}`;
        if ((applied.get(name) ?? '0/false') === key) continue;
        applied.set(name, key);
        if (effective.isFault && !mine.isFault) log.info('vrrp sync group puts a member in fault', { instance: name });
        instance.setTrackers(effective.priorityAdjustment, effective.isFault);
      }
      releaseHeld();
    },
    snapshot: () => ({ name: group.name, state, members: group.members.map(memberView), heldTakeovers: [...held.keys()] }),
    close() {
      for (const u of unsubscribes.splice(0)) u();
      for (const [name, entry] of [...held]) {
        held.delete(name);
        entry.resolve({ isGranted: false, detail: `sync group ${group.name}: stopping` });
      }
    },
  };
}

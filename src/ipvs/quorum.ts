/**
 * Virtual-service quorum with hysteresis (pure), keepalived's rule (check/ipwrapper.c
 * `update_quorum_state`, `set_quorum_states`): the live weight is the sum of the weights of a
 * service's live real servers (a server is live while its health is up; one without checks always
 * is; its weight is the one IPVS gets, slowstart's ramp and agent reports included, as keepalived
 * sums `effective_weight`).
 * - at start (no memory): quorum is up when liveWeight >= quorum + hysteresis;
 * - while up: it is lost when liveWeight < quorum - hysteresis, or when liveWeight is 0;
 * - while down: it is gained when liveWeight >= quorum + hysteresis.
 * The memory of the last verdict lives in a component (quorum-component.ts), not here.
 */

export interface QuorumParams {
  /** keepalived `quorum` (>= 1): the live weight a service needs. */
  readonly weight: number;
  /** keepalived `hysteresis` (>= 0): the band around `weight` within which the verdict holds. */
  readonly hysteresis: number;
}

export type QuorumChange = 'gained' | 'lost';

export interface QuorumStep {
  readonly hasQuorum: boolean;
  /** The threshold this step compared with (keepalived logs it as quorum+-hysteresis=threshold). */
  readonly thresholdWeight: number;
  /** Absent at start and when nothing changed. */
  readonly change?: QuorumChange;
}

/** One evaluation; `hadQuorum` undefined means "no memory" (start, or a service new to the config). */
export function stepQuorum(hadQuorum: boolean | undefined, liveWeight: number, params: QuorumParams): QuorumStep {
  const gainAt = params.weight + params.hysteresis;
  if (hadQuorum === undefined) return { hasQuorum: liveWeight >= gainAt, thresholdWeight: gainAt };
  if (!hadQuorum) {
    return liveWeight >= gainAt ? { hasQuorum: true, thresholdWeight: gainAt, change: 'gained' } : { hasQuorum: false, thresholdWeight: gainAt };
  }
  const loseBelow = params.weight - params.hysteresis;
  const isLost = liveWeight === 0 || liveWeight < loseBelow;
  return isLost ? { hasQuorum: false, thresholdWeight: loseBelow, change: 'lost' } : { hasQuorum: true, thresholdWeight: loseBelow };
}

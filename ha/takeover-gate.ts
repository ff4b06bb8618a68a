/**
 * The takeover gate (issue 4, beyond the RFC): before a VRRP instance becomes master it asks this
 * decision, which quorum and fencing will implement later (src/ wires them in; ha/ knows neither).
 * Answers come asynchronously; while one is pending the instance stays where it is, and an advert from
 * a master voids the request. A gate that throws counts as a denial.
 */
import type { IpAddress } from '../src/core/ip.js';
import type { TransitionReason } from './vrrp-state-types.js';

export interface TakeoverRequest {
  readonly instanceName: string;
  readonly vrid: number;
  readonly requestId: number;
  /** Why the instance wants to become master (master-silent, master-released, startup-as-owner...). */
  readonly reason: TransitionReason;
  /** The master last heard, if any. */
  readonly lastMasterAddress: IpAddress | null;
}

export interface TakeoverDecision {
  readonly isGranted: boolean;
  /** For the log and the event stream: why it was denied (no quorum, fencing unconfirmed...). */
  readonly detail?: string;
}

export interface TakeoverGate {
  /** `signal` aborts when the instance stops or the request is voided. */
  decide(request: TakeoverRequest, signal: AbortSignal): Promise<TakeoverDecision>;
}

/** The gate of an instance without quorum or fencing: every takeover is granted at once. */
export const alwaysGrantTakeover: TakeoverGate = {
  decide: () => Promise.resolve({ isGranted: true }),
};

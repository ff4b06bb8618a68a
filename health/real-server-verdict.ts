/**
 * From check states to one IPVS destination (pure): a real server is up only when every one of its
 * checks is up and no agent put it in maintenance (keepalived: "alive only if ALL its checkers are
 * up"). Its weight is the configured one, changed by what checks report; a recovered server ramps up
 * with slowstart; a down server leaves the table, or stays with weight 0 under inhibit_on_failure.
 *
 * Weight: an `absolute` report replaces the configured weight, `percent` reports scale it, `offset`
 * reports are added, then the result is rounded and kept within 0..65535; `drain` makes it 0 while
 * the server stays up (HAProxy's agent semantics; keepalived's MISC_CHECK misc_dynamic and FILE_CHECK).
 *
 * slowstart (HAProxy): after a recovery, never at process start nor on the first success of an alpha
 * server, the weight ramps linearly from 1 to its full value over `slowstartMs`:
 * `max(1, ceil(weight x elapsed / slowstartMs))`. `nextEvaluationMs` says when the weight next changes,
 * at most SLOWSTART_STEPS updates over the ramp.
 */
import type { WeightReport } from './checker.js';
import type { CheckState } from './hysteresis.js';

export const IPVS_MAX_WEIGHT = 65535;
/** Upper bound on weight updates during one ramp. */
export const SLOWSTART_STEPS = 20;

export interface RealServerParams {
  /** The configured weight. */
  readonly weight: number;
  /** keepalived `inhibit_on_failure`: a down server stays in the table with weight 0. */
  readonly isInhibitedOnFailure: boolean;
  /** HAProxy `slowstart`; 0 turns it off. */
  readonly slowstartMs: number;
}

export interface RealServerState {
  readonly isUp: boolean;
  /** Has been up since the process started: only then is coming up a recovery. */
  readonly hasBeenUp: boolean;
  /** A slowstart ramp runs since then. */
  readonly rampStartMs?: number;
}

/** What the IPVS table should hold for this real server. */
export interface Destination {
  readonly isPresent: boolean;
  readonly weight: number;
}

export interface RealServerVerdict {
  readonly next: RealServerState;
  readonly destination: Destination;
  /** When the slowstart ramp next changes the weight; absent when no ramp runs. */
  readonly nextEvaluationMs?: number;
}

export function isEveryCheckUp(checks: readonly CheckState[]): boolean {
  return checks.every((c) => c.status === 'up' && c.admin !== 'maint');
}

export function initialRealServerState(checks: readonly CheckState[]): RealServerState {
  const isUp = isEveryCheckUp(checks);
  return { isUp, hasBeenUp: isUp };
}

/** The configured weight as the checks' reports change it (before drain and slowstart). */
export function reportedWeight(configured: number, reports: readonly WeightReport[]): number {
  let weight = configured;
  for (const r of reports) if (r.kind === 'absolute') weight = r.value;
  for (const r of reports) if (r.kind === 'percent') weight = (weight * r.value) / 100;
  for (const r of reports) if (r.kind === 'offset') weight += r.value;
  return Math.min(IPVS_MAX_WEIGHT, Math.max(0, Math.round(weight)));
}

export function evaluateRealServer(checks: readonly CheckState[], state: RealServerState, nowMs: number, params: RealServerParams): RealServerVerdict {
  const isUp = isEveryCheckUp(checks);
  if (!isUp) {
    const next: RealServerState = { isUp: false, hasBeenUp: state.hasBeenUp };
    return { next, destination: params.isInhibitedOnFailure ? { isPresent: true, weight: 0 } : { isPresent: false, weight: 0 } };
  }
  const reports = checks.flatMap((c) => (c.weight === undefined ? [] : [c.weight]));
  const isDraining = checks.some((c) => c.admin === 'drain');
  const full = isDraining ? 0 : reportedWeight(params.weight, reports);
  const isRecovery = !state.isUp && state.hasBeenUp && params.slowstartMs > 0;
  const rampStartMs = isRecovery ? nowMs : state.rampStartMs;
  if (rampStartMs === undefined || nowMs - rampStartMs >= params.slowstartMs || full === 0) {
    return { next: { isUp: true, hasBeenUp: true }, destination: { isPresent: true, weight: full } };
  }
  const elapsedMs = nowMs - rampStartMs;
  const weight = Math.max(1, Math.ceil((full * elapsedMs) / params.slowstartMs));
  // ceil() passes `weight` once elapsed exceeds weight x slowstartMs / full: 1 ms after that.
  const untilNextWeightMs = (weight * params.slowstartMs) / full - elapsedMs + 1;
  const stepMs = Math.max(params.slowstartMs / SLOWSTART_STEPS, untilNextWeightMs);
  return {
    next: { isUp: true, hasBeenUp: true, rampStartMs },
    destination: { isPresent: true, weight },
    nextEvaluationMs: Math.min(rampStartMs + params.slowstartMs, nowMs + stepMs),
  };
}

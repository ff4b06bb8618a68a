/**
 * Per-check hysteresis (seesaw's layer 2), pure: what one result does to a check's state, and when
 * to probe next. HAProxy's semantics (doc/configuration.txt, "rise", "fall", "inter", "fastinter",
 * "downinter"), which contain keepalived's as a special case (`keepalivedTiming`).
 *
 *   up, 0 failures       --failure--> up, 1 failure ... --fall-th consecutive failure--> down
 *   down, 0 successes    --success--> down, 1 success ... --rise-th consecutive success--> up
 *
 * Intervals: `intervalMs` while fully up; `fastIntervalMs` while changing state (some failures while
 * up, some successes while down) and before the first result; `downIntervalMs` while fully down.
 *
 * Start: up, so a dead server needs `fall` failures before it leaves (keepalived's and HAProxy's
 * default). With `isAlpha` (keepalived `alpha`): down, and a success as the very first result brings it
 * up at once; once a failure has been seen, it is a real down and `rise` successes are needed.
 *
 * A result marked `isInconclusive` (an agent that cannot be reached) counts neither way. The weight
 * and administrative state a check reports are kept until it reports others.
 */
import type { AdminState, CheckResult, WeightReport } from './checker.js';

export interface CheckTiming {
  /** HAProxy `inter`, keepalived `delay_loop`: between probes while fully up. */
  readonly intervalMs: number;
  /** HAProxy `fastinter`, keepalived `delay_before_retry`: while changing state, and before the first result. */
  readonly fastIntervalMs: number;
  /** HAProxy `downinter`: while fully down. */
  readonly downIntervalMs: number;
  /** Each probe's time limit (keepalived `connect_timeout`, HAProxy `timeout check`). */
  readonly timeoutMs: number;
  /** Consecutive successes to go up. */
  readonly rise: number;
  /** Consecutive failures to go down. */
  readonly fall: number;
  /** keepalived `alpha`: start down until the first success. */
  readonly isAlpha: boolean;
  /**
   * keepalived `warmup`: the first probe fires at a random moment within [0, warmupMs] after start
   * (0: at once). Absent: within the first delay, `fastIntervalMs` (see `firstProbeWindowMs`).
   */
  readonly warmupMs?: number;
}

/** HAProxy's defaults: inter 2 s, rise 2, fall 3; fastinter and downinter default to inter; timeout = inter. */
export const DEFAULT_CHECK_TIMING: CheckTiming = {
  intervalMs: 2000,
  fastIntervalMs: 2000,
  downIntervalMs: 2000,
  timeoutMs: 2000,
  rise: 2,
  fall: 3,
  isAlpha: false,
};

export interface KeepalivedTiming {
  /** `delay_loop` (default 60 s). */
  readonly delayLoopMs?: number;
  /** `connect_timeout` (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** `retry` (default 1; MISC_CHECK 0; DNS_CHECK 3). */
  readonly retry?: number;
  /** `delay_before_retry` (default 1 s; HTTP_GET/SSL_GET 3 s). */
  readonly delayBeforeRetryMs?: number;
  readonly isAlpha?: boolean;
  /** `warmup` (keepalived's default is delay_loop; absent here: the first probe comes within delay_before_retry). */
  readonly warmupMs?: number;
}

/**
 * keepalived's checker semantics in these terms (reference section 1.6): down after `retry + 1`
 * consecutive failures spaced by `delay_before_retry`, up after ONE success (there is no rise).
 */
export function keepalivedTiming(k: KeepalivedTiming): CheckTiming {
  const delayLoopMs = k.delayLoopMs ?? 60_000;
  return {
    intervalMs: delayLoopMs,
    fastIntervalMs: k.delayBeforeRetryMs ?? 1000,
    downIntervalMs: delayLoopMs,
    timeoutMs: k.connectTimeoutMs ?? 5000,
    rise: 1,
    fall: (k.retry ?? 1) + 1,
    isAlpha: k.isAlpha ?? false,
    ...(k.warmupMs === undefined ? {} : { warmupMs: k.warmupMs }),
  };
}

/** A message naming the first impossible value, or undefined. */
export function describeInvalidTiming(t: CheckTiming): string | undefined {
  for (const key of ['intervalMs', 'fastIntervalMs', 'downIntervalMs', 'timeoutMs'] as const) {
    if (!Number.isFinite(t[key]) || t[key] <= 0) return `${key} ${t[key]} is not a positive number of milliseconds`;
  }
  for (const key of ['rise', 'fall'] as const) {
    if (!Number.isInteger(t[key]) || t[key] < 1) return `${key} ${t[key]} is not a count of at least 1`;
  }
  if (t.warmupMs !== undefined && !(Number.isFinite(t.warmupMs) && t.warmupMs >= 0)) return `warmupMs ${t.warmupMs} is not a number of milliseconds of at least 0`;
  return undefined;
}

export type CheckStatus = 'up' | 'down';

export interface CheckState {
  readonly status: CheckStatus;
  /** Consecutive successes while down. */
  readonly successes: number;
  /** Consecutive failures while up. */
  readonly failures: number;
  /** A conclusive result has been seen. */
  readonly hasVerdict: boolean;
  /** The last weight the check reported (kept until it reports another). */
  readonly weight?: WeightReport;
  /** The last administrative state the check reported; absent means ready. */
  readonly admin?: AdminState;
  readonly lastResult?: CheckResult;
  readonly lastResultAtMs?: number;
}

export type CheckChangeCause = 'rise' | 'fall' | 'first-success';

export interface CheckChange {
  readonly from: CheckStatus;
  readonly to: CheckStatus;
  readonly cause: CheckChangeCause;
  /** The result that completed the count: its reason, detail and latency say why. */
  readonly result: CheckResult;
  /** How many consecutive results it took. */
  readonly count: number;
}

export interface CheckStep {
  readonly next: CheckState;
  /** When to probe again, from the start of the probe that produced this result. */
  readonly delayMs: number;
  readonly change?: CheckChange;
}

export function initialCheckState(timing: CheckTiming): CheckState {
  return { status: timing.isAlpha ? 'down' : 'up', successes: 0, failures: 0, hasVerdict: false };
}

export function nextCheckDelayMs(state: CheckState, timing: CheckTiming): number {
  if (!state.hasVerdict) return timing.fastIntervalMs;
  if (state.status === 'up') return state.failures > 0 ? timing.fastIntervalMs : timing.intervalMs;
  return state.successes > 0 ? timing.fastIntervalMs : timing.downIntervalMs;
}

/**
 * The span within which a probe's next run is placed at random when the scheduler (re)starts it:
 * `warmupMs` before the probe's very first run when set (keepalived warmup), else the delay its
 * state calls for (`fastIntervalMs` before any result).
 */
export function firstProbeWindowMs(state: CheckState, timing: CheckTiming, hasRun: boolean): number {
  return !hasRun && timing.warmupMs !== undefined ? timing.warmupMs : nextCheckDelayMs(state, timing);
}

export function stepCheck(state: CheckState, result: CheckResult, nowMs: number, timing: CheckTiming): CheckStep {
  const admin = result.admin === undefined ? state.admin : result.admin === 'ready' ? undefined : result.admin;
  const weight = result.weight ?? state.weight;
  const base = {
    ...(weight === undefined ? {} : { weight }),
    ...(admin === undefined ? {} : { admin }),
    lastResult: result,
    lastResultAtMs: nowMs,
  };
  if (result.isInconclusive === true) {
    const next: CheckState = { status: state.status, successes: state.successes, failures: state.failures, hasVerdict: state.hasVerdict, ...base };
    return { next, delayMs: nextCheckDelayMs(next, timing) };
  }
  let next: CheckState;
  let change: CheckChange | undefined;
  if (result.ok) {
    if (state.status === 'up') {
      next = { status: 'up', successes: 0, failures: 0, hasVerdict: true, ...base };
    } else {
      const successes = state.successes + 1;
      const isFirst = timing.isAlpha && !state.hasVerdict;
      if (isFirst || successes >= timing.rise) {
        next = { status: 'up', successes: 0, failures: 0, hasVerdict: true, ...base };
        change = { from: 'down', to: 'up', cause: isFirst ? 'first-success' : 'rise', result, count: successes };
      } else {
        next = { status: 'down', successes, failures: 0, hasVerdict: true, ...base };
      }
    }
  } else if (state.status === 'down') {
    next = { status: 'down', successes: 0, failures: 0, hasVerdict: true, ...base };
  } else {
    const failures = state.failures + 1;
    if (failures >= timing.fall) {
      next = { status: 'down', successes: 0, failures: 0, hasVerdict: true, ...base };
      change = { from: 'up', to: 'down', cause: 'fall', result, count: failures };
    } else {
      next = { status: 'up', successes: 0, failures, hasVerdict: true, ...base };
    }
  }
  return { next, delayMs: nextCheckDelayMs(next, timing), ...(change === undefined ? {} : { change }) };
}

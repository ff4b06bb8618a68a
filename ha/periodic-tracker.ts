/**
 * One tracked condition of VRRP (a script, an interface, a file), probed periodically on the injected
 * clock, with keepalived's rise/fall hysteresis for up/down probes: `fall` consecutive failures make it
 * down, `rise` consecutive successes make it up again. Value probes (files) take each new value at once.
 * A probe never throws for the condition it checks; a probe that rejects counts as down.
 */
import type { Clock, Timer } from '../src/core/clock.js';
import { describeError } from '../src/core/errors.js';
import type { Logger } from '../src/core/logger.js';
import type { TrackerStatus } from './tracker-effect.js';

export type ProbeOutcome = { readonly kind: 'up-down'; readonly isUp: boolean; readonly detail?: string } | { readonly kind: 'value'; readonly value: number };

export interface PeriodicTrackerParams {
  /** For logs and status: "script chk_http". */
  readonly name: string;
  readonly intervalMs: number;
  readonly rise: number;
  readonly fall: number;
  /** Status before the first probe: keepalived scripts start up unless init_fail. */
  readonly initial: TrackerStatus;
}

export interface PeriodicTracker {
  readonly name: string;
  start(): void;
  stop(): void;
  status(): TrackerStatus;
  /** Called after every status change; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  snapshot(): { readonly name: string; readonly status: TrackerStatus; readonly probes: number; readonly lastDetail?: string };
}

/** Pure hysteresis step for up/down probes. */
export function nextUpDownStatus(current: TrackerStatus, streak: { ok: number; failed: number }, isUp: boolean, params: Pick<PeriodicTrackerParams, 'rise' | 'fall'>): { status: TrackerStatus; streak: { ok: number; failed: number } } {
  const next = isUp ? { ok: streak.ok + 1, failed: 0 } : { ok: 0, failed: streak.failed + 1 };
  const wasUp = current.kind === 'up-down' ? current.isUp : undefined;
  if (isUp && wasUp !== true && next.ok >= params.rise) return { status: { kind: 'up-down', isUp: true }, streak: next };
  if (!isUp && wasUp !== false && next.failed >= params.fall) return { status: { kind: 'up-down', isUp: false }, streak: next };
  return { status: current, streak: next };
}

export function createPeriodicTracker(
  params: PeriodicTrackerParams,
  probe: (signal: AbortSignal) => Promise<ProbeOutcome>,
  deps: { readonly clock: Clock; readonly logger: Logger },
): PeriodicTracker {
  const log = deps.logger.child({ tracker: params.name });
  let status: TrackerStatus = params.initial;
  let streak = { ok: 0, failed: 0 };
  let timer: Timer | undefined;
  let abort: AbortController | undefined;
  let probes = 0;
  let lastDetail: string | undefined;
  const listeners = new Set<() => void>();

  const setStatus = (next: TrackerStatus): void => {
    if (JSON.stringify(next) === JSON.stringify(status)) return;
    log.info('vrrp tracker changed', { from: status, to: next, ...(lastDetail === undefined ? {} : { reason: lastDetail }) });
    status = next;
    for (const l of listeners) l();
  };

  const runOnce = async (signal: AbortSignal): Promise<void> => {
    let outcome: ProbeOutcome;
    try {
      outcome = await probe(signal);
    } catch (e) {
      outcome = { kind: 'up-down', isUp: false, detail: describeError(e) };
    }
    if (signal.aborted) return;
    probes++;
    if (outcome.kind === 'value') {
      lastDetail = `value ${outcome.value}`;
      setStatus({ kind: 'value', value: outcome.value });
      return;
    }
    lastDetail = outcome.detail;
    const step = nextUpDownStatus(status, streak, outcome.isUp, params);
    streak = step.streak;
    setStatus(step.status);
  };

  const loop = (signal: AbortSignal): void => {
    timer = deps.clock.setTimeout(() => {
      void runOnce(signal).then(() => {
        if (!signal.aborted) loop(signal);
      });
    }, params.intervalMs);
  };

  return {
    name: params.name,
    start() {
      if (abort !== undefined) return;
      abort = new AbortController();
      const signal = abort.signal;
      void runOnce(signal).then(() => {
        if (!signal.aborted) loop(signal);
      });
    },
    stop() {
      timer?.cancel();
      timer = undefined;
      abort?.abort();
      abort = undefined;
    },
    status: () => status,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    snapshot: () => ({ name: params.name, status, probes, ...(lastDetail === undefined ? {} : { lastDetail }) }),
  };
}

/**
 * One probe (seesaw's healthcheck layer 1): the `HealthChecker` seam, owned by its consumer (the
 * scheduler), and the value a probe returns. A checker never throws for what the network, a program
 * or a file does: refused, reset, silent, garbage, too big and timed out are all `CheckFailure` values
 * with a typed `reason` (STYLE 14). It throws only for bugs; `runCheck` turns even those into a value
 * so that one broken checker cannot stop the schedule.
 *
 * Time limits: the caller's AbortSignal is the only deadline a checker needs. `runCheck` aborts it
 * with a `ProbeTimeoutError` when `timeoutMs` elapses, and a checker reports that as the timeout of the
 * phase it was in (`connect-timeout`, `tls-timeout`, `reply-timeout`, `program-timeout`...). An abort
 * with any other reason (the scheduler stopping) is reported as `aborted`.
 */
import type { Clock, Timer } from '../src/core/clock.js';
import { describeError } from '../src/core/errors.js';
import type { IpAddress } from '../src/core/ip.js';

/** The real server a probe is about. A check may connect elsewhere (its own port, an agent port). */
export interface CheckTarget {
  readonly address: IpAddress;
  /** The real server's port; 0 for a service without ports (fwmark). Checks may override it. */
  readonly port: number;
}

/** Every way a probe can fail, each named after what was observed. */
export const CHECK_FAILURE_REASONS = [
  // transport
  'connect-refused',
  'connect-timeout',
  'host-unreachable',
  'network-unreachable',
  'port-unreachable',
  'reset',
  'closed-early',
  'reply-timeout',
  'reply-mismatch',
  'reply-too-large',
  'reply-length',
  'socket-error',
  // TLS
  'tls-timeout',
  'tls-handshake',
  'tls-certificate',
  'tls-hostname',
  // HTTP
  'http-malformed',
  'http-status',
  'http-body-mismatch',
  'http-digest-mismatch',
  // DNS
  'dns-malformed',
  'dns-not-response',
  'dns-id-mismatch',
  'dns-question-mismatch',
  'dns-truncated',
  'dns-rcode',
  'dns-no-answer',
  'dns-answer-mismatch',
  // SMTP
  'smtp-banner',
  'smtp-helo',
  // external program (MISC_CHECK)
  'program-failed',
  'program-timeout',
  'program-killed',
  'program-not-found',
  'program-error',
  // watched file (FILE_CHECK)
  'file-down',
  'file-unreadable',
  'file-invalid',
  // agent
  'agent-down',
  // probe machinery
  'timeout',
  'aborted',
  'checker-error',
] as const;
export type CheckFailureReason = (typeof CHECK_FAILURE_REASONS)[number];

/**
 * A weight reported by a check, kept until the check reports another (HAProxy agent semantics:
 * unspecified fields stay unchanged).
 * - absolute: the destination weight (keepalived MISC_CHECK misc_dynamic: exit code - 2; agent `weight:N`);
 * - percent: of the configured weight (agent `N%`; MISC_CHECK exit 0 under misc_dynamic resets to 100 %);
 * - offset: added to the configured weight (keepalived FILE_CHECK: file value x weight).
 */
export type WeightReport =
  | { readonly kind: 'absolute'; readonly value: number }
  | { readonly kind: 'percent'; readonly value: number }
  | { readonly kind: 'offset'; readonly value: number };

/**
 * HAProxy's administrative states from an agent: `drain` keeps the server up with weight 0,
 * `maint` takes it out at once (no `fall` count), `ready` ends either.
 */
export type AdminState = 'ready' | 'drain' | 'maint';

interface CheckReport {
  /** Elapsed time of the probe, on the injected clock. */
  readonly latencyMs: number;
  readonly weight?: WeightReport;
  readonly admin?: AdminState;
  /**
   * No verdict on up or down: the counters stay as they are; `weight` and `admin` still apply. An
   * agent that cannot be reached is not a failure of the server (HAProxy), nor is an agent reply
   * that names no state.
   */
  readonly isInconclusive?: boolean;
}

export interface CheckSuccess extends CheckReport {
  readonly ok: true;
  readonly detail?: string;
}

export interface CheckFailure extends CheckReport {
  readonly ok: false;
  readonly reason: CheckFailureReason;
  /** What was seen, for the log line: `status 503`, `ECONNREFUSED`, `exit 1: disk full`. */
  readonly detail: string;
}

export type CheckResult = CheckSuccess | CheckFailure;

export interface HealthChecker {
  /** For logs and events: `tcp`, `http`, `dns`... */
  readonly kind: string;
  /**
   * Runs one probe against `target`. Settles promptly once `signal` aborts (timeout or stop).
   * Never rejects for network, program or file outcomes.
   */
  check(target: CheckTarget, signal: AbortSignal): Promise<CheckResult>;
}

/** The abort reason `runCheck` uses when a probe's time is up. */
export class ProbeTimeoutError extends Error {
  readonly code = 'ERR_PROBE_TIMEOUT';
  readonly timeoutMs: number;
  /** Extra time the probe was given because lvsd itself did not run for that long (see runCheck). */
  readonly stalledMs: number;

  constructor(timeoutMs: number, stalledMs = 0) {
    super(`probe timed out after ${timeoutMs} ms${stalledMs > 0 ? ` (plus ${stalledMs} ms lvsd was stalled)` : ''}`);
    this.name = 'ProbeTimeoutError';
    this.timeoutMs = timeoutMs;
    this.stalledMs = stalledMs;
  }
}

export function isProbeTimeout(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof ProbeTimeoutError;
}

/**
 * The failure for an aborted probe: the phase's timeout reason when the deadline passed, `aborted`
 * when the caller stopped it.
 */
export function abortedFailure(signal: AbortSignal, timeoutReason: CheckFailureReason, latencyMs: number, what: string): CheckFailure {
  if (isProbeTimeout(signal)) {
    const { timeoutMs, stalledMs } = signal.reason as ProbeTimeoutError;
    const stall = stalledMs > 0 ? ` (plus ${stalledMs} ms while lvsd was stalled)` : '';
    return { ok: false, reason: timeoutReason, detail: `no ${what} within ${timeoutMs} ms${stall}`, latencyMs };
  }
  return { ok: false, reason: 'aborted', detail: `stopped while waiting for ${what}`, latencyMs };
}

/** A stopwatch on the injected clock. */
export function startStopwatch(clock: Clock): () => number {
  const startedMs = clock.now();
  return () => Math.max(0, clock.now() - startedMs);
}

export interface RunCheckOptions {
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** Aborting it stops the probe (reported as `aborted`). */
  readonly signal?: AbortSignal;
  /**
   * Instead of `signal`: a controller the caller keeps across runs (the scheduler's, one per probe).
   * The checker gets its signal, and runCheck aborts it at the deadline; the caller makes a new one
   * once it is aborted. Saves the child AbortController and the listener on the caller's signal that
   * each run needs otherwise: a new AbortSignal with a listener costs about 4.5 µs of CPU and 0.75 KB
   * (bench/health/README.md).
   */
  readonly controller?: AbortController;
  /**
   * How long a checker may take to settle after its signal aborted before `runCheck` gives up on
   * it and reports `timeout` (a checker that ignores its signal is a bug; the schedule goes on).
   */
  readonly settleGraceMs?: number;
  /**
   * Milliseconds this process has not run so far (event-loop stalls), a monotonic total; the
   * daemon's stall monitor provides it. A probe's timeout counts time lvsd could run, not time it
   * was stalled: see runCheck.
   */
  readonly stalledMs?: () => number;
}

const DEFAULT_SETTLE_GRACE_MS = 2000;
/** Stalls shorter than this do not extend a deadline (timer granularity). */
const MIN_DEADLINE_EXTENSION_MS = 10;

/**
 * Runs one probe under a deadline: the checker's signal aborts with `ProbeTimeoutError` after
 * `timeoutMs`, or with the caller's reason when `options.signal` (or the caller's `options.controller`) aborts. Always resolves.
 *
 * Stalls: when lvsd itself did not run during the probe (its event loop blocked, its host or VM
 * starved), a reply may sit unread in the socket while the deadline passes, and a blocked loop runs
 * an overdue timer before it reads sockets. Such a timeout would blame a healthy server for lvsd's
 * stall. So when the deadline comes, the time lvsd was stalled since the probe started (the meter's
 * increase, or at least this timer's own lateness) is given back once more, up to one more
 * `timeoutMs` in all; the failure's detail says so when it still times out.
 */
export function runCheck(checker: HealthChecker, target: CheckTarget, options: RunCheckOptions): Promise<CheckResult> {
  const { clock, timeoutMs } = options;
  const elapsed = startStopwatch(clock);
  const controller = options.controller ?? new AbortController();
  const parent = options.controller === undefined ? options.signal : undefined;
  return new Promise<CheckResult>((resolve) => {
    let isSettled = false;
    let graceTimer: { cancel(): void } | undefined;
    const onParentAbort = (): void => controller.abort(parent?.reason);
    const stalledAtStart = options.stalledMs?.() ?? 0;
    let extendedMs = 0;
    let lateSumMs = 0;
    const armDeadline = (delayMs: number): Timer => {
      const dueMs = clock.now() + delayMs;
      return clock.setTimeout(() => {
        lateSumMs += clock.now() - dueMs;
        const stalledMs = Math.max(lateSumMs, (options.stalledMs?.() ?? 0) - stalledAtStart);
        const owedMs = Math.round(Math.min(timeoutMs, stalledMs) - extendedMs);
        if (owedMs >= MIN_DEADLINE_EXTENSION_MS) {
          extendedMs += owedMs;
          deadline = armDeadline(owedMs);
          return;
        }
        controller.abort(new ProbeTimeoutError(timeoutMs, extendedMs));
      }, delayMs);
    };
    let deadline = armDeadline(timeoutMs);
    const settle = (result: CheckResult): void => {
      if (isSettled) return;
      isSettled = true;
      deadline.cancel();
      graceTimer?.cancel();
      parent?.removeEventListener('abort', onParentAbort);
      controller.signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = (): void => {
      graceTimer = clock.setTimeout(() => {
        const reason = isProbeTimeout(controller.signal) ? 'timeout' : 'aborted';
        settle({ ok: false, reason, detail: `${checker.kind} checker did not settle after its signal aborted`, latencyMs: elapsed() });
      }, options.settleGraceMs ?? DEFAULT_SETTLE_GRACE_MS);
    };
    // A listener added to an aborted signal never runs: a caller's controller may come aborted.
    if (controller.signal.aborted) onAbort();
    else controller.signal.addEventListener('abort', onAbort, { once: true });
    if (parent?.aborted === true) controller.abort(parent.reason);
    else parent?.addEventListener('abort', onParentAbort, { once: true });
    let pending: Promise<CheckResult>;
    try {
      pending = checker.check(target, controller.signal);
    } catch (e) {
      pending = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    pending.then(settle, (e: unknown) => {
      settle({ ok: false, reason: 'checker-error', detail: `${checker.kind} checker threw: ${describeError(e)}`, latencyMs: elapsed() });
    });
  });
}

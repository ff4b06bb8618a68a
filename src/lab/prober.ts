/**
 * A bounded client prober: sends one request per interval and records the outcome of each.
 * Bounded three ways: at most `count` requests, no request after `maxDurationMs`, and every request
 * under `timeoutMs` (never past the overall deadline). It stops by itself, or early on `signal`.
 * The request itself is injected (http-probe.ts is the real one) and time comes from a Clock, so
 * the loop runs under a fake clock in tests.
 */
import { sleep, type Clock } from '../core/clock.js';
import { describeError } from '../core/errors.js';

export type ProbeOutcome = 'ok' | 'refused' | 'timeout' | 'reset' | 'error';

export const PROBE_OUTCOMES: readonly ProbeOutcome[] = ['ok', 'refused', 'timeout', 'reset', 'error'];

export interface ProbeRecord {
  readonly seq: number;
  /** Start of the request, ms since the prober started. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly outcome: ProbeOutcome;
  /** Name of the answering server (the body, trimmed) when there was an answer. */
  readonly server?: string;
  readonly status?: number;
  /** Error code or message for failures. */
  readonly detail?: string;
}

/** What one request reports; the prober adds timing and sequence. */
export interface ProbeAttempt {
  readonly outcome: ProbeOutcome;
  readonly status?: number;
  readonly body?: string;
  readonly detail?: string;
}

/** One request. Must settle soon after `signal` aborts (the prober gives up on it anyway). */
export type ProbeRequest = (signal: AbortSignal) => Promise<ProbeAttempt>;

export interface ProberOptions {
  readonly count: number;
  /** Start-to-start spacing; a request slower than this delays the next one, never overlaps it. */
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly maxDurationMs: number;
  readonly signal?: AbortSignal;
  /** Called with each record as soon as it is known. */
  readonly onRecord?: (record: ProbeRecord) => void;
}

export interface ProberDeps {
  readonly clock: Clock;
  readonly request: ProbeRequest;
}

export type ProberStopReason = 'count' | 'max-duration' | 'aborted';

export interface ProberRun {
  readonly records: readonly ProbeRecord[];
  readonly stoppedBy: ProberStopReason;
  readonly durationMs: number;
}

export async function runProber(options: ProberOptions, deps: ProberDeps): Promise<ProberRun> {
  const { clock } = deps;
  const startedAt = clock.now();
  const elapsed = (): number => clock.now() - startedAt;
  const records: ProbeRecord[] = [];
  const finish = (stoppedBy: ProberStopReason): ProberRun => ({ records, stoppedBy, durationMs: elapsed() });
  for (let seq = 0; seq < options.count; seq++) {
    if (options.signal?.aborted === true) return finish('aborted');
    const dueMs = seq * options.intervalMs;
    if (dueMs >= options.maxDurationMs) return finish('max-duration');
    if (elapsed() < dueMs) {
      try {
        await sleep(clock, dueMs - elapsed(), options.signal);
      } catch {
        return finish('aborted');
      }
    }
    const remainingMs = options.maxDurationMs - elapsed();
    if (remainingMs <= 0) return finish('max-duration');
    const record = await probeOnce(seq, Math.min(options.timeoutMs, remainingMs), elapsed, deps, options.signal);
    records.push(record);
    options.onRecord?.(record);
  }
  return finish('count');
}

async function probeOnce(
  seq: number,
  timeoutMs: number,
  elapsed: () => number,
  deps: ProberDeps,
  outer: AbortSignal | undefined,
): Promise<ProbeRecord> {
  const startMs = elapsed();
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  let timer: { cancel(): void } | undefined;
  const timedOut = new Promise<ProbeAttempt>((resolve) => {
    timer = deps.clock.setTimeout(() => {
      controller.abort(new Error('probe timeout'));
      resolve({ outcome: 'timeout', detail: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  const attempt = deps.request(controller.signal).catch((e: unknown): ProbeAttempt => ({ outcome: 'error', detail: describeError(e) }));
  try {
    const result = await Promise.race([attempt, timedOut]);
    const server = result.outcome === 'ok' && result.body !== undefined ? result.body.trim() : undefined;
    return {
      seq,
      startMs: round(startMs),
      durationMs: round(elapsed() - startMs),
      outcome: result.outcome,
      ...(server === undefined ? {} : { server }),
      ...(result.status === undefined ? {} : { status: result.status }),
      ...(result.detail === undefined ? {} : { detail: result.detail }),
    };
  } finally {
    timer?.cancel();
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/** Records keep microsecond resolution at most: enough, and stable in JSON. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

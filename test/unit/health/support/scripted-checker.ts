/**
 * A working checker for scheduler tests: each target's behaviour is set by the test ('up', 'down',
 * 'hang' until aborted, or a fixed result), every call is recorded with its time on the fake clock,
 * and a hanging probe settles when its signal aborts, as a real checker does.
 */
import type { Clock } from '../../../../src/core/clock.js';
import { abortedFailure, type CheckResult, type CheckTarget, type HealthChecker } from '../../../../health/checker.js';

export type Behaviour = 'up' | 'down' | 'hang' | CheckResult;

export interface ScriptedCheckers {
  readonly calls: { readonly kind: string; readonly target: string; readonly atMs: number }[];
  set(target: string, behaviour: Behaviour): void;
  create(kind: string): HealthChecker;
  /** Probes in flight right now. */
  inFlight(): number;
}

export function createScriptedCheckers(clock: Clock, latencyMs = 0): ScriptedCheckers {
  const behaviours = new Map<string, Behaviour>();
  const calls: { kind: string; target: string; atMs: number }[] = [];
  let inFlight = 0;
  return {
    calls,
    set: (target, behaviour) => behaviours.set(target, behaviour),
    inFlight: () => inFlight,
    create: (kind) => ({
      kind,
      check(target: CheckTarget, signal: AbortSignal): Promise<CheckResult> {
        const key = `${target.address.text}:${target.port}`;
        calls.push({ kind, target: key, atMs: clock.now() });
        const behaviour = behaviours.get(key) ?? 'up';
        if (behaviour === 'hang') {
          inFlight++;
          return new Promise((resolve) => {
            const started = clock.now();
            signal.addEventListener('abort', () => {
              inFlight--;
              resolve(abortedFailure(signal, 'reply-timeout', clock.now() - started, 'a reply'));
            }, { once: true });
          });
        }
        if (behaviour === 'up') return Promise.resolve({ ok: true, latencyMs });
        if (behaviour === 'down') return Promise.resolve({ ok: false, reason: 'connect-refused', detail: 'ECONNREFUSED during connect', latencyMs });
        return Promise.resolve(behaviour);
      },
    }),
  };
}

/** Lets promise callbacks run (the fake clock fires timers synchronously). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Moves the fake clock in small steps so that every result is handled at its own time. */
export async function runFor(clock: { advance(ms: number): void }, ms: number, stepMs = 5): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    clock.advance(Math.min(stepMs, ms - done));
    await flush();
  }
}

/** A deterministic [0, 1) sequence. */
export function sequenceRandom(values: readonly number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

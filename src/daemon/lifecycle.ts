/**
 * Starts components in order and stops them in reverse (STYLE 18). A component that fails to start
 * makes the ones already started stop again, so a failed start leaves nothing running.
 */
import { describeError, LvsdError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';

export interface Component {
  readonly name: string;
  /** Idempotent. Rejects when the component cannot run; `signal` aborts a slow start. */
  start(signal: AbortSignal): Promise<void>;
  /** Idempotent; never rejects for an expected condition. */
  stop(): Promise<void>;
  snapshot(): Readonly<Record<string, unknown>>;
}

export type ComponentState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface LifecycleSnapshot {
  readonly components: readonly { readonly name: string; readonly state: ComponentState; readonly detail: Readonly<Record<string, unknown>> }[];
}

export interface Lifecycle {
  startAll(signal: AbortSignal): Promise<void>;
  /** Stops running components in reverse start order, each within `timeoutMs`. */
  stopAll(timeoutMs: number): Promise<void>;
  snapshot(): LifecycleSnapshot;
}

export function createLifecycle(components: readonly Component[], deps: { logger: Logger; clock: Clock }): Lifecycle {
  const states = new Map<string, ComponentState>(components.map((c) => [c.name, 'idle']));
  const started: Component[] = [];
  const log = deps.logger.child({ component: 'lifecycle' });

  async function stopOne(c: Component, timeoutMs: number): Promise<void> {
    states.set(c.name, 'stopping');
    const t0 = deps.clock.now();
    log.info('stopping component', { name: c.name });
    let timer: { cancel(): void } | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = deps.clock.setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const outcome = await Promise.race([c.stop().then(() => 'stopped' as const), timeout]);
      if (outcome === 'timeout') log.error('component did not stop in time', { name: c.name, timeoutMs });
      else log.info('component stopped', { name: c.name, durationMs: Math.round(deps.clock.now() - t0) });
    } catch (e) {
      log.error('component failed to stop', { name: c.name, err: describeError(e) });
    } finally {
      timer?.cancel();
      states.set(c.name, 'stopped');
    }
  }

  return {
    async startAll(signal) {
      for (const c of components) {
        if (started.includes(c)) continue;
        const t0 = deps.clock.now();
        states.set(c.name, 'starting');
        log.info('starting component', { name: c.name });
        try {
          await c.start(signal);
        } catch (e) {
          states.set(c.name, 'failed');
          log.error('component failed to start', { name: c.name, err: describeError(e) });
          for (const s of [...started].reverse()) await stopOne(s, 5000);
          started.length = 0;
          throw new LvsdError('ERR_COMPONENT_START', `${c.name} failed to start: ${describeError(e)}`, { cause: e });
        }
        started.push(c);
        states.set(c.name, 'running');
        log.info('component started', { name: c.name, durationMs: Math.round(deps.clock.now() - t0) });
      }
    },
    async stopAll(timeoutMs) {
      const toStop = [...started].reverse();
      started.length = 0;
      for (const c of toStop) await stopOne(c, timeoutMs);
    },
    snapshot() {
      return {
        components: components.map((c) => ({ name: c.name, state: states.get(c.name) ?? 'idle', detail: c.snapshot() })),
      };
    },
  };
}

/**
 * One lvsd VRRP instance on the kernel, as the lab director runs it (src/vrrp-lab/director-main.ts),
 * reporting through a `write` callback: {"type":"event",...} per instance event, {"type":"started"},
 * then on stop {"type":"snapshot",...} and {"type":"stopped"}. The bench director runs it on its own
 * event loop, next to its in-process load.
 */
import { systemClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import type { DirectorParams } from '../../src/vrrp-lab/director-params.js';
import { createKernelVrrpResources, kernelVrrpInstanceDeps } from '../../ha/kernel-vrrp-deps.js';
import { createVrrpInstance } from '../../ha/vrrp-instance.js';

export type LineWriter = (line: Record<string, unknown>) => void;

export interface InstanceRunner {
  /** Starts the instance; writes "started", or throws (the caller writes "start-failed"). */
  start(): Promise<void>;
  /** Stops it (idempotent), writes the snapshot and "stopped", and closes the kernel resources. */
  stop(isPlannedHandover: boolean): Promise<void>;
}

export function createInstanceRunner(params: DirectorParams, write: LineWriter): InstanceRunner {
  /** Sub-millisecond wall time, to line events up with capture timestamps. */
  const wallClock = (): number => performance.timeOrigin + performance.now();
  const logger = createLogger({ level: params.logLevel, format: 'json', stream: process.stderr });
  const resources = createKernelVrrpResources({ logger });
  const { settings, transport } = params;
  const instance = createVrrpInstance(settings, kernelVrrpInstanceDeps(settings, transport, resources, { clock: systemClock, logger, wallClock }));
  instance.onEvent((event) => write({ type: 'event', ...event }));
  let stopping: Promise<void> | undefined;
  return {
    async start() {
      try {
        await instance.start();
      } catch (e) {
        resources.close();
        throw e;
      }
      write({ type: 'started', wallTimeMs: wallClock(), source: instance.snapshot().transport?.sourceAddress ?? null });
    },
    stop(isPlannedHandover) {
      stopping ??= (async () => {
        await instance.stop({ isPlannedHandover });
        write({ type: 'snapshot', ...instance.snapshot() });
        resources.close();
        write({ type: 'stopped', wallTimeMs: wallClock() });
      })();
      return stopping;
    },
  };
}

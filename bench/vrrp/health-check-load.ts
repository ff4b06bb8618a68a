/**
 * In-process load for the VRRP bench: health/'s scheduler running `checks` real HTTP (or TCP) checks
 * in the calling process, against a responder on 127.x.y.z:port (every 127/8 address is local, so one
 * responder listening on 0.0.0.0 answers them all and each check is a distinct probe). This is the
 * work the next issue puts next to VRRP in lvsd's event loop; the bench measures what it does to the
 * adverts. Also measures the event loop itself (utilisation, delay percentiles) while it runs.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Clock } from '../../src/core/clock.js';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { parseIpAddress, type IpAddress } from '../../src/core/ip.js';
import type { Logger } from '../../src/core/logger.js';
import { createChecker, type CheckSpec } from '../../health/check-spec.js';
import { createRawIcmpTransport } from '../../health/icmp-checker.js';
import { createHealthScheduler, type HealthPlan, type HealthScheduler } from '../../health/scheduler.js';

export interface HealthCheckLoadParams {
  readonly checks: number;
  readonly kind: 'http' | 'tcp';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly port: number;
}

export interface HealthCheckLoadStats {
  readonly checks: number;
  readonly kind: HealthCheckLoadParams['kind'];
  readonly intervalMs: number;
  /** Probe results over the run. */
  readonly probesRun: number;
  readonly probesPerS: number;
  /** Event loop utilisation over the run, 0-1. */
  readonly eventLoopUtilization: number;
  /** Event loop delay (perf_hooks, 1 ms resolution), ms. */
  readonly loopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

export interface HealthCheckLoad {
  stop(): Promise<HealthCheckLoadStats>;
}

/** At most 254 x 254 checks: 127.1.1.1 to 127.1.254.254. */
export const MAX_LOAD_CHECKS = 254 * 254;

export function loadTargetAddress(index: number): IpAddress {
  const parsed = parseIpAddress(`127.1.${1 + Math.floor(index / 254)}.${1 + (index % 254)}`);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

export function loadPlan(params: HealthCheckLoadParams): HealthPlan {
  const check: CheckSpec = params.kind === 'http' ? { kind: 'http', path: '/' } : { kind: 'tcp' };
  const timing = {
    intervalMs: params.intervalMs,
    fastIntervalMs: params.intervalMs,
    downIntervalMs: params.intervalMs,
    timeoutMs: params.timeoutMs,
    rise: 2,
    fall: 3,
    isAlpha: false,
  };
  return {
    realServers: Array.from({ length: params.checks }, (_, i) => ({
      id: `load-${i}`,
      address: loadTargetAddress(i),
      port: params.port,
      weight: 1,
      isInhibitedOnFailure: false,
      slowstartMs: 0,
      checks: [{ check, timing }],
    })),
  };
}

export function startHealthCheckLoad(params: HealthCheckLoadParams, deps: { readonly clock: Clock; readonly logger: Logger }): HealthCheckLoad {
  if (!Number.isInteger(params.checks) || params.checks < 1 || params.checks > MAX_LOAD_CHECKS) throw new Error(`checks must be 1-${MAX_LOAD_CHECKS}`);
  const checkerDeps = { clock: deps.clock, random: Math.random, runner: createProcessRunner(), icmp: createRawIcmpTransport({ random: Math.random }) };
  const scheduler: HealthScheduler = createHealthScheduler(loadPlan(params), {
    clock: deps.clock,
    random: Math.random,
    logger: deps.logger,
    createChecker: (spec) => createChecker(spec, checkerDeps),
  }, { spreadRatio: 0.1 });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const startedMs = performance.now();
  const eluStart: EventLoopUtilization = performance.eventLoopUtilization();
  delay.enable();
  scheduler.start();
  let stopped: Promise<HealthCheckLoadStats> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        const elu = performance.eventLoopUtilization(eluStart);
        delay.disable();
        const elapsedS = (performance.now() - startedMs) / 1000;
        const probesRun = scheduler.snapshot().probes.reduce((n, p) => n + p.runs, 0);
        await scheduler.stop();
        const ms = (ns: number): number => Math.round(ns / 1e3) / 1e3;
        return {
          checks: params.checks,
          kind: params.kind,
          intervalMs: params.intervalMs,
          probesRun,
          probesPerS: Math.round(probesRun / Math.max(elapsedS, 1e-3)),
          eventLoopUtilization: Math.round(elu.utilization * 1000) / 1000,
          loopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
        };
      })();
      return stopped;
    },
  };
}

/**
 * One measurement window of the health scale benchmark: while one daemon probes every target, the
 * daemon's CPU time (utime + stime) and RSS, and the listener's record of when each target was probed.
 */
import { performance } from 'node:perf_hooks';
import { sleep, systemClock } from '../../src/core/clock.js';
import { expectEvent, type ControlledProcess } from './controlled-process.js';
import { readCpuTicks, readMemory } from './proc-sample.js';
import { cpuPercent, cpuPerCheckUs, onTimePercent, type ProbeIntervalSummary } from './probe-stats.js';

export interface WindowMeasurement {
  readonly cpuPerCheckUs?: number;
  /** Of one core. */
  readonly cpuPercent?: number;
  /** Largest VmRSS sampled during the window. */
  readonly rssMaxMb: number;
  /** VmHWM at the end: the peak since the process started (start-up included). */
  readonly peakMb: number;
  readonly probes: ProbeIntervalSummary;
  /** Probes late or missing: 100 - on time %. */
  readonly latePercent?: number;
  /** The listener's own event-loop delay in the window: how far its accept times may be off. */
  readonly listenerDelayMs: { readonly p99: number; readonly max: number };
  readonly listenerCpuPercent?: number;
  /** Wall clock (s), to cut the VRRP capture. */
  readonly wallStartS: number;
  readonly wallEndS: number;
}

export interface WindowSpec {
  readonly listener: ControlledProcess;
  /** The process measured (lvsd, keepalived's checker). */
  readonly pid: number;
  readonly windowMs: number;
  readonly intervalMs: number;
  readonly tolerance: number;
  readonly ticksPerSecond: number;
}

const MEMORY_SAMPLE_MS = 1000;
const ANSWER_TIMEOUT_MS = 30_000;

export async function measureWindow(spec: WindowSpec): Promise<WindowMeasurement> {
  const { listener, pid } = spec;
  await expectEvent(listener.request('window', (e) => e['event'] !== undefined, ANSWER_TIMEOUT_MS), 'window');
  const wallStartS = Date.now() / 1000;
  const started = performance.now();
  const cpuBefore = await readCpuTicks(pid);
  const listenerBefore = await readCpuTicks(listener.pid);
  let rssMaxKb = 0;
  while (performance.now() - started < spec.windowMs) {
    rssMaxKb = Math.max(rssMaxKb, (await readMemory(pid)).rssKb);
    await sleep(systemClock, Math.min(MEMORY_SAMPLE_MS, Math.max(0, spec.windowMs - (performance.now() - started))));
  }
  const cpuAfter = await readCpuTicks(pid);
  const listenerAfter = await readCpuTicks(listener.pid);
  const wallMs = performance.now() - started;
  const wallEndS = Date.now() / 1000;
  const memory = await readMemory(pid);
  rssMaxKb = Math.max(rssMaxKb, memory.rssKb);
  const report = await expectEvent(listener.request(`report ${spec.intervalMs} ${spec.tolerance}`, (e) => e['event'] !== undefined, ANSWER_TIMEOUT_MS), 'report');
  const probes = report['summary'] as ProbeIntervalSummary;
  const delay = report['loopDelayMs'] as { p99: number; max: number };
  const perCheck = cpuPerCheckUs(cpuBefore, cpuAfter, spec.ticksPerSecond, probes.checks);
  const share = cpuPercent(cpuBefore, cpuAfter, spec.ticksPerSecond, wallMs);
  const listenerShare = cpuPercent(listenerBefore, listenerAfter, spec.ticksPerSecond, wallMs);
  const onTime = onTimePercent(probes);
  return {
    ...(perCheck === undefined ? {} : { cpuPerCheckUs: perCheck }),
    ...(share === undefined ? {} : { cpuPercent: share }),
    rssMaxMb: rssMaxKb / 1024,
    peakMb: memory.hwmKb / 1024,
    probes,
    ...(onTime === undefined ? {} : { latePercent: 100 - onTime }),
    listenerDelayMs: delay,
    ...(listenerShare === undefined ? {} : { listenerCpuPercent: listenerShare }),
    wallStartS,
    wallEndS,
  };
}

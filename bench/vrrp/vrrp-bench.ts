/**
 * Bench section "vrrp" (network namespaces on the host kernel, keepalived 2.2.7 as the reference in
 * the same run):
 *   - failover gap seen by a client when the master's link goes down, at advert_int 1 s (v2), 0.1 s
 *     and 0.01 s (v3), and the same takeover timed on the wire; repeated `--repeat` times while the
 *     section's time budget lasts, lvsd and keepalived alternating;
 *   - long runs (`--long-run-s` each) at 0.01 s, the two pairs side by side: spurious takeovers and
 *     the intervals between the master's adverts, with no load, with CPU busy loops, with health
 *     checks in lvsd's own event loop, and with the same checks but lvsd's VRRP in a child process.
 * Everything runs in labs torn down at the end (also on failure); a run that fails is noted and the
 * section goes on, unless runs keep failing.
 */
import { loadavg } from 'node:os';
import { systemClock } from '../../src/core/clock.js';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { describeError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { createChildProcessSpawner } from '../../src/lab/lab-process.js';
import type { BenchContext, BenchSectionModule } from '../bench-model.js';
import { measureFailover } from './failover-run.js';
import type { HealthCheckLoadParams } from './health-check-load.js';
import { measureLongRun, type LongRunResult } from './long-run.js';
import { advertIntervalText, FAILOVER_SETTINGS, LONG_RUN_LOADS, RESPONDER_PORT, type VrrpImplementation } from './vrrp-bench-plan.js';
import { createVrrpBenchLab, type VrrpBenchLab, type VrrpBenchLabDeps } from './vrrp-bench-lab.js';
import { failoverNotes, failoverRows, longRunNotes, longRunRows, type FailoverOutcome, type FailoverSeries } from './vrrp-bench-rows.js';

/** Health checks in each lvsd director for the in-process load: thousands of timers, ~200 HTTP probes/s. */
export const IN_PROCESS_LOAD: HealthCheckLoadParams = { checks: 2000, kind: 'http', intervalMs: 10_000, timeoutMs: 2_000, port: RESPONDER_PORT };
const MAX_FAILED_RUNS = 3;

export const vrrpBench: BenchSectionModule = {
  async run(ctx) {
    const spawner = createChildProcessSpawner(systemClock);
    const deps: VrrpBenchLabDeps = { runner: createProcessRunner(), spawner, logger: silentLogger, nodePath: ctx.nodePath };
    const notes: string[] = [`load average at the start ${loadavg().map((l) => l.toFixed(2)).join(' ')} (the machine is shared: other work runs at the same time, so every number is noisy)`];
    const failures: string[] = [];
    const series: FailoverSeries[] = FAILOVER_SETTINGS.map((setting) => ({ setting, samples: { lvsd: [], keepalived: [] } }));
    const longRuns: LongRunResult[] = [];
    const labs: VrrpBenchLab[] = [];
    let error: string | undefined;
    try {
      const lab = await createVrrpBenchLab(deps);
      labs.push(lab);
      await lab.startResponders();
      await runFailovers(ctx, lab, series, failures);
      const other = await createVrrpBenchLab(deps);
      labs.push(other);
      await other.startResponders();
      for (const load of LONG_RUN_LOADS.filter((l) => ctx.longRuns === undefined || ctx.longRuns.includes(l))) {
        ctx.progress(`vrrp: long run, ${load} load, ${ctx.longRunMs / 1000} s, lvsd and keepalived side by side`);
        try {
          const run = await measureLongRun({ lvsd: lab, keepalived: other }, { load, durationMs: ctx.longRunMs, healthLoad: IN_PROCESS_LOAD, nodePath: ctx.nodePath, spawner });
          longRuns.push(run);
          ctx.progress(`vrrp: ${load}: ${run.sides.map((s) => `${s.implementation} ${s.wire.takeovers} takeover(s)`).join(', ')}`);
        } catch (e) {
          noteFailure(failures, `long run (${load})`, e);
        }
      }
    } catch (e) {
      error = describeError(e);
    } finally {
      for (const lab of labs.reverse()) {
        const report = await lab.teardown();
        if (report.remainingNamespaces.length > 0 || report.errors.length > 0) notes.push(`teardown: ${[...report.errors, ...report.remainingNamespaces].join('; ')}`);
      }
    }
    notes.push(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    return {
      name: 'vrrp',
      title: 'VRRP: failover gap, spurious takeovers and advert intervals, lvsd vs keepalived 2.2.7, network namespaces on the host kernel',
      rows: [...failoverRows(series), ...longRunRows(longRuns)],
      notes: [...notes, ...failoverNotes(series), ...longRunNotes(longRuns), ...failures.map((f) => `failed: ${f}`)],
      ...(error === undefined ? {} : { error }),
    };
  },
};

/** Repetitions while the budget lasts (at least one of everything), each setting in turn, lvsd and keepalived alternating first. */
async function runFailovers(ctx: BenchContext, lab: VrrpBenchLab, series: FailoverSeries[], failures: string[]): Promise<void> {
  for (let rep = 0; rep < ctx.repeat && (rep === 0 || ctx.hasTimeLeft()); rep++) {
    for (const s of series) {
      const order: VrrpImplementation[] = rep % 2 === 0 ? ['lvsd', 'keepalived'] : ['keepalived', 'lvsd'];
      for (const impl of order) {
        const what = `failover ${impl} ${advertIntervalText(s.setting.advertIntervalCs)} #${rep + 1}`;
        try {
          const sample = await measureFailover(lab, impl, s.setting);
          (s.samples[impl] as FailoverOutcome[]).push(sample);
          ctx.progress(`vrrp: ${what}: gap ${sample.gapMs.toFixed(1)} ms (${sample.failedProbes} probes), GARP ${sample.wire?.firstGarpAfterMs?.toFixed(1) ?? '-'} ms after the last advert${sample.isRecovered ? '' : ', NOT recovered'}`);
        } catch (e) {
          noteFailure(failures, what, e);
        }
      }
    }
  }
}

function noteFailure(failures: string[], what: string, e: unknown): void {
  failures.push(`${what}: ${describeError(e)}`);
  if (failures.length > MAX_FAILED_RUNS) throw new Error(`${failures.length} runs failed, the last: ${what}: ${describeError(e)}`);
}

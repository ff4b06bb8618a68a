/**
 * A long run at the smallest advert_int: the lvsd pair and the keepalived pair run side by side (one
 * lab each, so the same machine noise falls on both) for `durationMs`, with the master alive and
 * linked all along. Counted: takeovers by the backup, on the wire (bursts of its adverts in the
 * client's capture) and in its log; measured: the intervals between the master's adverts. Loads:
 *   none        nothing else runs (but the machine is shared);
 *   cpu         one busy loop per CPU in other processes, for the whole window;
 *   in-process  health checks in each lvsd director's own event loop (keepalived: no such load, its
 *               checkers live in another process by design; it runs idle as the same-window reference);
 *   vrrp-process  the same health checks in the director's process, its VRRP instance in a child
 *               process (an event loop of its own: the prototype of STYLE rule 8).
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { systemClock, sleep } from '../../src/core/clock.js';
import type { LabProcess, ProcessSpawner } from '../../src/lab/lab-process.js';
import type { HealthCheckLoadParams } from './health-check-load.js';
import { analyzeWire, type WireView } from './vrrp-bench-analysis.js';
import { BACKUP_PRIORITY, BENCH_VRID, LONG_RUN_SETTING, MASTER_PRIORITY, type LongRunLoad, type VrrpImplementation } from './vrrp-bench-plan.js';

import type { BenchDirector, PacketCapture, VrrpBenchLab } from './vrrp-bench-lab.js';

export const BUSY_LOOP_ENTRY = fileURLToPath(new URL('./busy-loop-main.js', import.meta.url));


export interface LongRunSide {
  readonly implementation: VrrpImplementation;
  readonly wire: WireView;
  /** From the directors' logs, within the window. */
  readonly backupTakeoversLogged: number;
  readonly masterStepDownsLogged: number;
  /** A log held more lines than the lab keeps: the logged counts are lower bounds. */
  readonly isLogTruncated: boolean;
  readonly schedulingPolicy: string;
  /** lvsd under in-process load: each director's load stats. */
  readonly loadStats: readonly Record<string, unknown>[];
}

export interface LongRunResult {
  readonly load: LongRunLoad;
  readonly durationMs: number;
  readonly busyLoops: number;
  readonly sides: readonly LongRunSide[];
}

export interface LongRunOptions {
  readonly load: LongRunLoad;
  readonly durationMs: number;
  readonly healthLoad: HealthCheckLoadParams;
  readonly nodePath: string;
  readonly spawner: ProcessSpawner;
}

const ELECTION_TIMEOUT_MS = 10_000;
/** Starting both pairs: captures, directors, an election at 0.01 s (bounded by the start timeouts). */
const START_BOUND_MS = 30_000;
const BUSY_LOOP_SLACK_MS = 5_000;
/** LabProcess keeps this many lines per stream. */
const KEPT_LINES = 2000;

interface Side {
  readonly implementation: VrrpImplementation;
  readonly lab: VrrpBenchLab;
  readonly master: BenchDirector;
  readonly backup: BenchDirector;
  readonly capture: PacketCapture;
}

export async function measureLongRun(labs: { readonly lvsd: VrrpBenchLab; readonly keepalived: VrrpBenchLab }, o: LongRunOptions): Promise<LongRunResult> {
  const started: BenchDirector[] = [];
  const captures: PacketCapture[] = [];
  const loops: LabProcess[] = [];
  try {
    // The CPU load first, so that it covers the start of the directors as well as the window.
    const busyLoops = o.load === 'cpu' ? availableParallelism() : 0;
    for (let i = 0; i < busyLoops; i++) {
      loops.push(await o.spawner.spawn({ name: `busy loop ${i + 1}`, file: o.nodePath, args: [BUSY_LOOP_ENTRY, String(START_BOUND_MS + o.durationMs + BUSY_LOOP_SLACK_MS)] }));
    }
    const prepare = async (implementation: VrrpImplementation, lab: VrrpBenchLab): Promise<Side> => {
      await lab.reset();
      const capture = await lab.startCapture();
      captures.push(capture);
      const isLoaded = implementation === 'lvsd' && (o.load === 'in-process' || o.load === 'vrrp-process');
      const load = isLoaded ? { load: o.healthLoad, vrrpIn: o.load === 'vrrp-process' ? ('process' as const) : ('main' as const) } : {};
      const master = await lab.startDirector(implementation, 1, { priority: MASTER_PRIORITY, ...LONG_RUN_SETTING, ...load });
      started.push(master);
      await master.waitForState('master', ELECTION_TIMEOUT_MS);
      const backup = await lab.startDirector(implementation, 2, { priority: BACKUP_PRIORITY, ...LONG_RUN_SETTING, ...load });
      started.push(backup);
      return { implementation, lab, master, backup, capture };
    };
    const sides = await Promise.all([prepare('lvsd', labs.lvsd), prepare('keepalived', labs.keepalived)]);
    // The window opens as soon as both pairs run (an in-process load ramps up inside it).
    const before = sides.map((s) => ({ takeovers: s.backup.transitionsInto('master'), stepDowns: s.master.transitionsInto('backup') }));
    const fromMs = Date.now();
    await sleep(systemClock, o.durationMs);
    const toMs = Date.now();
    const after = sides.map((s) => ({ takeovers: s.backup.transitionsInto('master'), stepDowns: s.master.transitionsInto('backup') }));
    const policies = await Promise.all(sides.map((s) => s.master.schedulingPolicy()));
    await Promise.all(loops.map((l) => l.stop(1_000)));
    await Promise.all(sides.flatMap((s) => [s.master.stop(), s.backup.stop()]));
    const results: LongRunSide[] = [];
    for (const [i, s] of sides.entries()) {
      const packets = await s.capture.stop();
      const wire = analyzeWire(packets.adverts, { master: s.lab.director(1).address.text, backup: s.lab.director(2).address.text, vrid: BENCH_VRID, advertIntervalMs: LONG_RUN_SETTING.advertIntervalCs * 10, fromMs, toMs });
      results.push({
        implementation: s.implementation,
        wire,
        // Counted in the kept lines: once a log outgrows them, early lines fall out (isLogTruncated).
        backupTakeoversLogged: Math.max(0, (after[i]?.takeovers ?? 0) - (before[i]?.takeovers ?? 0)),
        masterStepDownsLogged: Math.max(0, (after[i]?.stepDowns ?? 0) - (before[i]?.stepDowns ?? 0)),
        isLogTruncated: [s.master, s.backup].some((d) => d.process.lines('stdout').length >= KEPT_LINES || d.process.lines('stderr').length >= KEPT_LINES),
        schedulingPolicy: policies[i] ?? 'unknown',
        loadStats: [s.master.loadStats(), s.backup.loadStats()].filter((x): x is Record<string, unknown> => x !== undefined),
      });
    }
    captures.length = 0;
    return { load: o.load, durationMs: toMs - fromMs, busyLoops, sides: results };
  } finally {
    await Promise.all(loops.map((l) => l.stop(1_000)));
    await Promise.all(started.map((d) => d.stop()));
    await Promise.all(captures.map((c) => c.stop().catch(() => undefined)));
  }
}

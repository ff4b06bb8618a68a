/**
 * The VRRP section's table: rows and notes from the failover samples and the long runs. Pure.
 */
import { summarize, type BenchRow } from '../bench-model.js';
import type { WireTakeover } from './advert-capture.js';
import { advertIntervalText, backupMasterDownIntervalMs, LONG_RUN_SETTING, type FailoverSetting, type VrrpImplementation } from './vrrp-bench-plan.js';

/** What the rows need of one failover run (failover-run.ts FailoverSample). */
export interface FailoverOutcome {
  readonly gapMs: number;
  readonly wholeRunGapMs: number;
  readonly isRecovered: boolean;
  readonly backupTakeoversBeforeLinkDown: number;
  readonly wire: WireTakeover | undefined;
}

export interface FailoverSeries {
  readonly setting: FailoverSetting;
  readonly samples: Readonly<Record<VrrpImplementation, readonly FailoverOutcome[]>>;
}

/** What the rows need of one side of a long run (long-run.ts LongRunSide). */
export interface LongRunSideView {
  readonly implementation: VrrpImplementation;
  readonly wire: { readonly masterIntervalsMs: readonly number[]; readonly takeovers: number; readonly backupAdverts: number };
  readonly backupTakeoversLogged: number;
  readonly masterStepDownsLogged: number;
  readonly isLogTruncated: boolean;
  readonly schedulingPolicy: string;
  readonly loadStats: readonly Record<string, unknown>[];
}

export interface LongRunView {
  readonly load: 'none' | 'cpu' | 'in-process' | 'vrrp-process';
  readonly durationMs: number;
  readonly busyLoops: number;
  readonly sides: readonly LongRunSideView[];
}

/** Adverts later than this share of advert_int count as jitter worth writing down (the brief's 10 %). */
export const JITTER_BOUND_RATIO = 0.1;

export function failoverRows(series: readonly FailoverSeries[]): BenchRow[] {
  return series.flatMap(({ setting, samples }) => {
    const name = `advert_int ${advertIntervalText(setting.advertIntervalCs)} (v${setting.version})`;
    const wire = (impl: VrrpImplementation): number[] => samples[impl].flatMap((s) => s.wire?.firstGarpAfterMs ?? []);
    return [
      {
        label: `failover gap seen by the client, ${name}`,
        unit: 'ms',
        lvsd: { label: 'lvsd', samples: samples.lvsd.map((s) => s.gapMs) },
        reference: { label: 'keepalived', samples: samples.keepalived.map((s) => s.gapMs) },
        target: { kind: 'ratio-at-most', value: 1 },
      },
      {
        label: `  on the wire: master's last advert -> backup's GARP (MDI ${round1(backupMasterDownIntervalMs(setting))} ms)`,
        unit: 'ms',
        lvsd: { label: 'lvsd', samples: wire('lvsd') },
        reference: { label: 'keepalived', samples: wire('keepalived') },
      },
      {
        label: '  longest client outage in the whole run (before the cut too)',
        unit: 'ms',
        lvsd: { label: 'lvsd', samples: samples.lvsd.map((s) => s.wholeRunGapMs) },
        reference: { label: 'keepalived', samples: samples.keepalived.map((s) => s.wholeRunGapMs) },
      },
    ];
  });
}

export function failoverNotes(series: readonly FailoverSeries[]): string[] {
  const out = series.map(({ setting }) => `${advertIntervalText(setting.advertIntervalCs)}: one probe every ${setting.probeIntervalMs} ms, each with a ${setting.probeTimeoutMs} ms timeout (the gap's resolution is about their sum)`);
  out.unshift(
    "failover: director-1 (priority 200) master, director-2 (100) backup; the master's port on the lab bridge is set down; " +
      "gap = the longest run of failed HTTP probes from the client to a responder on the VIP, from the probe in flight at the cut on " +
      "(the whole run's longest outage also counts outages before the cut, e.g. a spurious takeover that left the client on the backup's MAC); " +
      'lvsd and keepalived runs alternate',
  );
  for (const { setting, samples } of series) {
    const medianRange = (values: readonly number[]): string => {
      const m = summarize(values);
      return m === undefined ? '-' : `${Math.round(m.median)} [${Math.round(m.min)}-${Math.round(m.max)}]`;
    };
    const phases = (['lvsd', 'keepalived'] as const).map((impl) => `${impl} ${medianRange(samples[impl].flatMap((x) => x.wire?.linkDownAfterMs ?? []))}`);
    const fromAdvert = (['lvsd', 'keepalived'] as const).map((impl) => `${impl} ${medianRange(samples[impl].flatMap((x) => (x.wire === undefined ? [] : [x.gapMs + x.wire.linkDownAfterMs])))}`);
    out.push(
      `${advertIntervalText(setting.advertIntervalCs)}: link cut this many ms after the master's last advert (aimed at half an advert interval; median [range]; a later cut shortens the client's gap): ${phases.join(', ')}; ` +
        `gap + that phase, which does not depend on it: ${fromAdvert.join(', ')}`,
    );
    for (const impl of ['lvsd', 'keepalived'] as const) {
      const s = samples[impl];
      const unrecovered = s.filter((x) => !x.isRecovered).length;
      const early = s.reduce((n, x) => n + x.backupTakeoversBeforeLinkDown, 0);
      const noWire = s.filter((x) => x.wire?.firstGarpAfterMs === undefined).length;
      const problems = [
        unrecovered > 0 ? `${unrecovered} of ${s.length} runs did not end answered by the backup` : '',
        early > 0 ? `${early} spurious takeover(s) by the backup before the link went down` : '',
        noWire > 0 ? `${noWire} run(s) without the backup's GARP in the capture` : '',
      ].filter((p) => p !== '');
      if (problems.length > 0) out.push(`${impl} at ${advertIntervalText(setting.advertIntervalCs)}: ${problems.join('; ')}`);
    }
  }
  return out;
}

const LOAD_TEXT: Record<LongRunView['load'], string> = {
  none: 'no load',
  cpu: 'CPU busy loops',
  'in-process': 'health checks in lvsd',
  'vrrp-process': 'health checks in lvsd, its VRRP in a child process',
};

export function longRunRows(runs: readonly LongRunView[]): BenchRow[] {
  const advertMs = LONG_RUN_SETTING.advertIntervalCs * 10;
  return runs.flatMap((run) => {
    const seconds = Math.round(run.durationMs / 1000);
    const what = `${advertIntervalText(LONG_RUN_SETTING.advertIntervalCs)}, ${LOAD_TEXT[run.load]}, ${seconds} s`;
    const side = (impl: VrrpImplementation): LongRunSideView | undefined => run.sides.find((s) => s.implementation === impl);
    const lvsd = side('lvsd');
    const keepalived = side('keepalived');
    const referenceLabel = run.load === 'in-process' || run.load === 'vrrp-process' ? 'keepalived (no load)' : 'keepalived';
    return [
      {
        label: `spurious takeovers, ${what}`,
        unit: 'ops',
        ...(lvsd === undefined ? {} : { lvsd: { label: 'lvsd', samples: [lvsd.wire.takeovers] } }),
        ...(keepalived === undefined ? {} : { reference: { label: referenceLabel, samples: [keepalived.wire.takeovers] } }),
        target: { kind: 'equals', value: 0 },
      },
      {
        label: `  interval between the master's adverts`,
        unit: 'ms',
        stat: 'p99',
        ...(lvsd === undefined ? {} : { lvsd: { label: 'lvsd', samples: lvsd.wire.masterIntervalsMs, isDistribution: true } }),
        ...(keepalived === undefined ? {} : { reference: { label: referenceLabel, samples: keepalived.wire.masterIntervalsMs, isDistribution: true } }),
        target: { kind: 'at-most', value: advertMs * (1 + JITTER_BOUND_RATIO) },
      },
    ];
  });
}

export function longRunNotes(runs: readonly LongRunView[]): string[] {
  const out = [
    `long runs: the lvsd pair and the keepalived pair side by side (one lab each) at advert_int ${advertIntervalText(LONG_RUN_SETTING.advertIntervalCs)} (v3), master alive and linked; takeovers counted on the wire (client capture); intervals between the master's adverts from capture timestamps`,
  ];
  for (const run of runs) {
    const head = `${LOAD_TEXT[run.load]} (${(run.durationMs / 1000).toFixed(1)} s${run.busyLoops > 0 ? `, ${run.busyLoops} busy loops` : ''})`;
    const parts = run.sides.map((s) => {
      const logged = `logged: ${s.backupTakeoversLogged} takeover(s), ${s.masterStepDownsLogged} master step-down(s)${s.isLogTruncated ? ' (log truncated: lower bounds)' : ''}`;
      const shortest = s.wire.masterIntervalsMs.length === 0 ? '' : `, shortest interval ${round3(Math.min(...s.wire.masterIntervalsMs))} ms`;
      return `${s.implementation}: ${logged}, ${s.wire.backupAdverts} backup adverts${shortest}, ${s.schedulingPolicy}${s.loadStats.length > 0 ? `; load ${s.loadStats.map(describeLoad).join(' | ')}` : ''}`;
    });
    out.push(`${head}: ${parts.join('; ')}`);
  }
  return out;
}

function describeLoad(stats: Record<string, unknown>): string {
  const delay = stats['loopDelayMs'] as { p99?: number; max?: number } | undefined;
  const kind = typeof stats['kind'] === 'string' ? `${stats['kind']} ` : '';
  return `${num(stats['checks'])} ${kind}checks, ${num(stats['probesPerS'])} probes/s, event loop ${pct(stats['eventLoopUtilization'])} busy, delay p99 ${num(delay?.p99)} ms max ${num(delay?.max)} ms`;
}

function num(v: unknown): string {
  return typeof v === 'number' ? String(v) : '?';
}

function pct(v: unknown): string {
  return typeof v === 'number' ? `${Math.round(v * 100)} %` : '?';
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

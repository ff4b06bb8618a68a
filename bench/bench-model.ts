/**
 * What a benchmark section reports and how samples are summarised. Pure.
 *
 * A section measures; it never asserts (tests assert behaviour). Each row puts lvsd's samples next
 * to a reference measured in the same run (ipvsadm, keepalived, ...), so the ratio compares like
 * with like on the same machine and kernel. A row may carry a target, which the table checks and
 * marks, and a note (e.g. "not available yet").
 */

/** ms, a count (ops), microseconds, megabytes, percent. */
export type BenchUnit = 'ms' | 'ops' | 'us' | 'MB' | '%';

export interface BenchSeries {
  /** What was run: "lvsd (read + plan + apply)", "ipvsadm -R". */
  readonly label: string;
  readonly samples: readonly number[];
  /**
   * The samples are one distribution (e.g. every interval between adverts of one run), printed as
   * p50 / p99 / max rather than median [min-max].
   */
  readonly isDistribution?: boolean;
}

/** The statistic a row's ratio and its at-most target compare. */
export type BenchStat = 'median' | 'p99';

/**
 * ratio-at-most: stat(lvsd) / stat(reference) <= value. equals: every lvsd sample == value.
 * at-most: stat(lvsd) <= value (an absolute bound, in the row's unit).
 */
export type BenchTarget =
  | { readonly kind: 'ratio-at-most'; readonly value: number }
  | { readonly kind: 'equals'; readonly value: number }
  | { readonly kind: 'at-most'; readonly value: number };

export interface BenchRow {
  readonly label: string;
  readonly unit: BenchUnit;
  readonly lvsd?: BenchSeries;
  readonly reference?: BenchSeries;
  /** Default median. */
  readonly stat?: BenchStat;
  readonly target?: BenchTarget;
  readonly note?: string;
}

export interface BenchSectionResult {
  readonly name: string;
  readonly title: string;
  readonly rows: readonly BenchRow[];
  /** Context worth printing under the table (sizes, caveats). */
  readonly notes: readonly string[];
  /** The section could not finish; rows hold what was measured before. */
  readonly error?: string;
  readonly durationMs: number;
}

/** Where a section runs. UML sections share one boot; host sections (namespaces) run after it. */
export type BenchPlace = 'uml' | 'host';

export interface BenchContext {
  /** Repetitions per measurement. */
  readonly repeat: number;
  /** The repository root (the guest sees the host's files through hostfs). */
  readonly repoRoot: string;
  readonly nodePath: string;
  /** Progress, one line (stderr of the bench job). */
  readonly progress: (line: string) => void;
  /** False once the section's time budget is spent: stop repeating, keep what was measured. */
  readonly hasTimeLeft: () => boolean;
  /** Length of a section's long runs (e.g. VRRP spurious transitions), from `--long-run-s`. */
  readonly longRunMs: number;
  /** Which of a section's long runs to do, by name, from `--long-runs`; undefined: all of them. */
  readonly longRuns?: readonly string[];
}

export interface BenchSectionModule {
  run(ctx: BenchContext): Promise<Omit<BenchSectionResult, 'durationMs'>>;
}

export interface BenchSectionSpec {
  readonly name: string;
  readonly title: string;
  readonly place: BenchPlace;
  /** UML modules the section needs (loaded once for all UML sections). */
  readonly modules: readonly string[];
  /** Host binaries the section needs (checked before anything boots). */
  readonly binaries: readonly string[];
  /** Share of the run's time budget (0-1]. */
  readonly budgetShare: number;
  readonly load: () => Promise<BenchSectionModule>;
}

export interface SampleSummary {
  readonly median: number;
  /** Nearest rank: the smallest sample with at least 99 % of the samples at or below it. */
  readonly p99: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

export function summarize(samples: readonly number[]): SampleSummary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? 0;
  return { median, p99, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0, count: sorted.length };
}

/** stat(lvsd) / stat(reference) with the row's stat; undefined when either is missing or the reference is 0. */
export function statRatio(row: BenchRow): number | undefined {
  const a = summarize(row.lvsd?.samples ?? []);
  const b = summarize(row.reference?.samples ?? []);
  if (a === undefined || b === undefined) return undefined;
  const stat = row.stat ?? 'median';
  if (b[stat] === 0) return undefined;
  return a[stat] / b[stat];
}

export type TargetVerdict = 'met' | 'missed' | 'unmeasured';

export function checkTarget(row: BenchRow): TargetVerdict | undefined {
  const target = row.target;
  if (target === undefined) return undefined;
  if (target.kind === 'equals') {
    const samples = row.lvsd?.samples ?? [];
    if (samples.length === 0) return 'unmeasured';
    return samples.every((s) => s === target.value) ? 'met' : 'missed';
  }
  if (target.kind === 'at-most') {
    const s = summarize(row.lvsd?.samples ?? []);
    if (s === undefined) return 'unmeasured';
    return s[row.stat ?? 'median'] <= target.value ? 'met' : 'missed';
  }
  const ratio = statRatio(row);
  if (ratio === undefined) return 'unmeasured';
  return ratio <= target.value ? 'met' : 'missed';
}

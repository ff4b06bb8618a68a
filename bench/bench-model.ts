/**
 * What a benchmark section reports and how samples are summarised. Pure.
 *
 * A section measures; it never asserts (tests assert behaviour). Each row puts lvsd's samples next
 * to a reference measured in the same run (ipvsadm, keepalived, ...), so the ratio compares like
 * with like on the same machine and kernel. A row may carry a target, which the table checks and
 * marks, and a note (e.g. "not available yet").
 */

export type BenchUnit = 'ms' | 'ops';

export interface BenchSeries {
  /** What was run: "lvsd (read + plan + apply)", "ipvsadm -R". */
  readonly label: string;
  readonly samples: readonly number[];
}

/** ratio-at-most: median(lvsd) / median(reference) <= value. equals: every lvsd sample == value. */
export type BenchTarget = { readonly kind: 'ratio-at-most'; readonly value: number } | { readonly kind: 'equals'; readonly value: number };

export interface BenchRow {
  readonly label: string;
  readonly unit: BenchUnit;
  readonly lvsd?: BenchSeries;
  readonly reference?: BenchSeries;
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
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

export function summarize(samples: readonly number[]): SampleSummary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0, count: sorted.length };
}

/** median(lvsd) / median(reference); undefined when either is missing or the reference is 0. */
export function medianRatio(row: BenchRow): number | undefined {
  const a = summarize(row.lvsd?.samples ?? []);
  const b = summarize(row.reference?.samples ?? []);
  if (a === undefined || b === undefined || b.median === 0) return undefined;
  return a.median / b.median;
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
  const ratio = medianRatio(row);
  if (ratio === undefined) return 'unmeasured';
  return ratio <= target.value ? 'met' : 'missed';
}

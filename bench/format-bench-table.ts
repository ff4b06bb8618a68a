/**
 * The bench report as text: one table per section, columns aligned, every series as
 * "median [min-max] (n)" (a distribution as "p50 / p99 / max (n)"), the ratio of medians (or of
 * the row's statistic) against the reference, the target and whether it was met. Pure.
 */
import { checkTarget, statRatio, summarize, type BenchRow, type BenchSectionResult, type BenchSeries, type BenchTarget, type BenchUnit } from './bench-model.js';

export interface BenchReportHeader {
  readonly startedAt: string;
  readonly environment: readonly string[];
  readonly repeat: number;
  readonly durationMs: number;
}

const HEADINGS = ['measurement', 'lvsd', 'reference', 'ratio', 'target', 'verdict'] as const;

export function formatBenchReport(header: BenchReportHeader, sections: readonly BenchSectionResult[]): string {
  const out = [
    `lvsd bench, ${header.startedAt}: ${header.repeat} repetitions per measurement, each series as median [min-max] (samples)`,
    ...header.environment.map((e) => `  ${e}`),
    '',
  ];
  for (const s of sections) {
    out.push(`${s.title} (${formatNumber(s.durationMs / 1000, 1)} s)`);
    out.push(...formatRows(s.rows));
    for (const note of s.notes) out.push(`  note: ${note}`);
    if (s.error !== undefined) out.push(`  ERROR: ${s.error}`);
    out.push('');
  }
  out.push(`total ${formatNumber(header.durationMs / 1000, 1)} s`);
  return out.join('\n');
}

function formatRows(rows: readonly BenchRow[]): string[] {
  const cells = rows.map((r) => {
    const ratio = statRatio(r);
    const verdict = checkTarget(r);
    const stat = r.stat ?? 'median';
    return [
      r.label,
      r.lvsd === undefined ? (r.note ?? '-') : formatSeries(r.lvsd, r.unit),
      r.reference === undefined ? '-' : formatSeries(r.reference, r.unit),
      ratio === undefined ? '-' : `${formatNumber(ratio, 2)}${stat === 'median' ? '' : ` (${stat})`}`,
      r.target === undefined ? '-' : formatTarget(r.target, stat, r.unit),
      verdict === undefined ? '' : verdict === 'met' ? 'ok' : verdict === 'missed' ? 'MISSED' : 'not measured',
    ];
  });
  const widths = HEADINGS.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string => `  ${c.map((x, i) => x.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  const notes = rows.filter((r) => r.lvsd !== undefined && r.note !== undefined).map((r) => `  ${r.label}: ${r.note ?? ''}`);
  return [line(HEADINGS), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), ...notes];
}

const UNIT_SUFFIX: Record<BenchUnit, string> = { ms: ' ms', ops: '', us: ' µs', MB: ' MB', '%': ' %' };

function formatTarget(target: BenchTarget, stat: 'median' | 'p99', unit: BenchUnit): string {
  switch (target.kind) {
    case 'equals':
      return `= ${target.value}`;
    case 'ratio-at-most':
      return `ratio <= ${target.value}`;
    case 'at-most':
      return `${stat} <= ${formatNumber(target.value, Number.isInteger(target.value) ? 0 : 1)}${UNIT_SUFFIX[unit]}`;
  }
}

/**
 * "ipvsadm -R: 3,456 ms [3,001-3,900] (5)"; counts without a unit; a distribution as
 * "lvsd: p50 10.4 / p99 11.0 / max 15.2 ms (5,999)".
 */
export function formatSeries(series: BenchSeries, unit: BenchUnit): string {
  const s = summarize(series.samples);
  if (s === undefined) return `${series.label}: no sample`;
  const digits = unit === 'ops' ? 0 : s.median < 10 ? 2 : s.median < 100 ? 1 : 0;
  const u = UNIT_SUFFIX[unit];
  if (series.isDistribution === true) {
    const count = s.count.toLocaleString('en-US');
    return `${series.label}: p50 ${formatNumber(s.median, digits)} / p99 ${formatNumber(s.p99, digits)} / max ${formatNumber(s.max, digits)}${u} (${count})`;
  }
  const range = s.min === s.max ? `${formatNumber(s.min, digits)}` : `${formatNumber(s.min, digits)}-${formatNumber(s.max, digits)}`;
  return `${series.label}: ${formatNumber(s.median, digits)}${u} [${range}] (${s.count})`;
}

function formatNumber(n: number, digits: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

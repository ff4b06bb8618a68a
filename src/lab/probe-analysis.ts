/**
 * What a probe run says about the service: success ratio, which server answered how often, the
 * longest outage seen by the client, and latency percentiles. Pure.
 */
import type { ProbeOutcome, ProbeRecord } from './prober.js';

export interface FailureGap {
  /** Consecutive failed probes. */
  readonly count: number;
  /**
   * From the start of the first failed probe to the start of the next successful one; when the run
   * ends still failing, to the end of the last failed probe. 0 when there was no failure.
   */
  readonly durationMs: number;
  readonly fromSeq?: number;
  readonly toSeq?: number;
}

export interface LatencyPercentiles {
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface ProbeSummary {
  readonly total: number;
  readonly okCount: number;
  /** okCount / total; 0 for an empty run. */
  readonly successRatio: number;
  readonly outcomes: Readonly<Record<ProbeOutcome, number>>;
  /** Successful probes per answering server, keys sorted. */
  readonly byServer: Readonly<Record<string, number>>;
  readonly longestFailureGap: FailureGap;
  /** Of successful probes only (nearest-rank); undefined when none succeeded. */
  readonly latencyMs?: LatencyPercentiles;
  /** First start to last end. */
  readonly spanMs: number;
}

export function analyzeProbes(records: readonly ProbeRecord[]): ProbeSummary {
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  const outcomes: Record<ProbeOutcome, number> = { ok: 0, refused: 0, timeout: 0, reset: 0, error: 0 };
  const servers = new Map<string, number>();
  for (const r of sorted) {
    outcomes[r.outcome]++;
    if (r.outcome === 'ok' && r.server !== undefined) servers.set(r.server, (servers.get(r.server) ?? 0) + 1);
  }
  const byServer: Record<string, number> = {};
  for (const name of [...servers.keys()].sort()) byServer[name] = servers.get(name) ?? 0;
  const latencies = sorted.filter((r) => r.outcome === 'ok').map((r) => r.durationMs);
  const latencyMs = percentiles(latencies);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  return {
    total: sorted.length,
    okCount: outcomes.ok,
    successRatio: sorted.length === 0 ? 0 : outcomes.ok / sorted.length,
    outcomes,
    byServer,
    longestFailureGap: longestFailureGap(sorted),
    ...(latencyMs === undefined ? {} : { latencyMs }),
    spanMs: first === undefined || last === undefined ? 0 : last.startMs + last.durationMs - first.startMs,
  };
}

/** `records` sorted by seq. Ties keep the earliest gap. */
export function longestFailureGap(records: readonly ProbeRecord[]): FailureGap {
  let best: FailureGap = { count: 0, durationMs: 0 };
  let runStart = -1;
  for (let i = 0; i <= records.length; i++) {
    const r = records[i];
    const isFailure = r !== undefined && r.outcome !== 'ok';
    if (isFailure) {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart < 0) continue;
    const firstFailed = records[runStart];
    const lastFailed = records[i - 1];
    if (firstFailed !== undefined && lastFailed !== undefined) {
      const endMs = r !== undefined ? r.startMs : lastFailed.startMs + lastFailed.durationMs;
      const gap: FailureGap = { count: i - runStart, durationMs: endMs - firstFailed.startMs, fromSeq: firstFailed.seq, toSeq: lastFailed.seq };
      if (gap.durationMs > best.durationMs || (gap.durationMs === best.durationMs && gap.count > best.count)) best = gap;
    }
    runStart = -1;
  }
  return best;
}

/** Nearest-rank percentiles; undefined for no samples. */
export function percentiles(samples: readonly number[]): LatencyPercentiles | undefined {
  if (samples.length === 0) return undefined;
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
  return { min: s[0] ?? 0, p50: rank(50), p90: rank(90), p99: rank(99), max: s[s.length - 1] ?? 0 };
}

/** Largest minus smallest per-server count among `expected` servers (a missing server counts 0). */
export function spreadOf(summary: ProbeSummary, expected: readonly string[]): number {
  const counts = expected.map((name) => summary.byServer[name] ?? 0);
  return counts.length === 0 ? 0 : Math.max(...counts) - Math.min(...counts);
}

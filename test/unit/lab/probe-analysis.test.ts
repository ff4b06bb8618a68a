import test from 'ava';
import { analyzeProbes, longestFailureGap, percentiles, spreadOf } from '../../../src/lab/probe-analysis.js';
import type { ProbeOutcome, ProbeRecord } from '../../../src/lab/prober.js';

/** Records every 100 ms, 10 ms each; 'o' ok (server from the letter after it), others failures. */
function records(pattern: string): ProbeRecord[] {
  const codes: Record<string, ProbeOutcome> = { o: 'ok', r: 'refused', t: 'timeout', x: 'reset', e: 'error' };
  return [...pattern].map((c, seq) => {
    const outcome = codes[c];
    if (outcome === undefined) throw new Error(`bad code ${c}`);
    return { seq, startMs: seq * 100, durationMs: outcome === 'timeout' ? 50 : 10, outcome, ...(outcome === 'ok' ? { server: `rs-${(seq % 3) + 1}` } : {}) };
  });
}

test('longest failure gap: table', (t) => {
  const cases: [string, { count: number; durationMs: number; fromSeq?: number; toSeq?: number }][] = [
    ['oooo', { count: 0, durationMs: 0 }],
    ['', { count: 0, durationMs: 0 }],
    ['orro', { count: 2, durationMs: 200, fromSeq: 1, toSeq: 2 }],
    ['oroxteoo', { count: 3, durationMs: 300, fromSeq: 3, toSeq: 5 }],
    // a run ending in failures: to the end of the last failed probe (timeout: 50 ms long)
    ['oort', { count: 2, durationMs: 150, fromSeq: 2, toSeq: 3 }],
    ['rroor', { count: 2, durationMs: 200, fromSeq: 0, toSeq: 1 }],
  ];
  for (const [pattern, expected] of cases) t.deepEqual(longestFailureGap(records(pattern)), expected, pattern);
});

test('analyzeProbes: ratio, outcomes, servers, latency of successes only', (t) => {
  const s = analyzeProbes(records('ootoor'));
  t.is(s.total, 6);
  t.is(s.okCount, 4);
  t.is(s.successRatio, 4 / 6);
  t.deepEqual(s.outcomes, { ok: 4, refused: 1, timeout: 1, reset: 0, error: 0 });
  t.deepEqual(s.byServer, { 'rs-1': 2, 'rs-2': 2 }); // ok at seq 0, 1, 3, 4
  t.deepEqual(s.latencyMs, { min: 10, p50: 10, p90: 10, p99: 10, max: 10 });
  t.is(s.spanMs, 510);
});

test('analyzeProbes sorts by seq and copes with an empty run', (t) => {
  const shuffled = records('oor').reverse();
  t.deepEqual(analyzeProbes(shuffled).longestFailureGap, { count: 1, durationMs: 10, fromSeq: 2, toSeq: 2 });
  const empty = analyzeProbes([]);
  t.is(empty.successRatio, 0);
  t.is(empty.latencyMs, undefined);
  t.is(empty.spanMs, 0);
});

test('percentiles use nearest rank', (t) => {
  const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100 shuffled order
  t.deepEqual(percentiles(samples), { min: 1, p50: 50, p90: 90, p99: 99, max: 100 });
  t.deepEqual(percentiles([7]), { min: 7, p50: 7, p90: 7, p99: 7, max: 7 });
  t.is(percentiles([]), undefined);
});

test('spreadOf counts a silent server as 0', (t) => {
  const s = analyzeProbes(records('oooooo'));
  t.is(spreadOf(s, ['rs-1', 'rs-2', 'rs-3']), 0);
  t.is(spreadOf(s, ['rs-1', 'rs-2', 'rs-3', 'rs-4']), 2);
});

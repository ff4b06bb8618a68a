import test from 'ava';
import { analyzeProbes } from '../../../src/lab/probe-analysis.js';
import { formatProbeLine, formatSummaryLine, parseProberOutput } from '../../../src/lab/prober-lines.js';
import type { ProbeRecord } from '../../../src/lab/prober.js';

const RECORDS: ProbeRecord[] = [
  { seq: 0, startMs: 0, durationMs: 4.5, outcome: 'ok', server: 'rs-1', status: 200 },
  { seq: 1, startMs: 20, durationMs: 1, outcome: 'refused', detail: 'ECONNREFUSED' },
];

test('probe and summary lines round-trip', (t) => {
  const text = [...RECORDS.map(formatProbeLine), formatSummaryLine({ summary: analyzeProbes(RECORDS), stoppedBy: 'count', durationMs: 21 }), ''].join('\n');
  const out = parseProberOutput(text);
  t.deepEqual(out.records, RECORDS);
  t.is(out.summary?.stoppedBy, 'count');
  t.is(out.summary?.summary.okCount, 1);
  t.deepEqual(out.unparsed, []);
});

test('a probe line has exactly the documented shape', (t) => {
  t.is(formatProbeLine(RECORDS[0] as ProbeRecord), '{"seq":0,"startMs":0,"durationMs":4.5,"outcome":"ok","server":"rs-1","status":200}');
});

test('garbage and foreign JSON lines are kept aside, not taken as records', (t) => {
  const out = parseProberOutput('hello\n{"seq":1}\n{"seq":0,"startMs":0,"durationMs":1,"outcome":"weird"}\n');
  t.deepEqual(out.records, []);
  t.is(out.unparsed.length, 3);
  t.is(out.summary, undefined);
});

import test from 'ava';
import type { ProbeOutcome, ProbeRecord } from '../../../../src/lab/prober.js';
import type { CapturedAdvert } from '../../../../bench/vrrp/advert-capture.js';
import { analyzeFailoverProbes, analyzeWire, countKeepalivedTransitions, countLvsdTransitions } from '../../../../bench/vrrp/vrrp-bench-analysis.js';

/** One probe every 10 ms, 2 ms each (a timeout 25 ms): '1'/'2' answered by director-1/-2, 't' timeout, 'r' refused. */
function probes(pattern: string): ProbeRecord[] {
  return [...pattern].map((c, seq): ProbeRecord => {
    const startMs = seq * 10;
    if (c === '1' || c === '2') return { seq, startMs, durationMs: 2, outcome: 'ok', server: `director-${c}`, status: 200 };
    const outcome: ProbeOutcome = c === 't' ? 'timeout' : 'refused';
    return { seq, startMs, durationMs: c === 't' ? 25 : 1, outcome };
  });
}

test('failover gap: the longest failure run from the cut on; the whole run since the first answer', (t) => {
  // pattern, cut (sequence of the probe in flight when the link went down), expected
  const cases: [string, number, { gapMs: number; failedProbes: number; wholeRunGapMs: number; isRecovered: boolean; lastServer?: string }][] = [
    ['111ttt222', 3, { gapMs: 30, failedProbes: 3, wholeRunGapMs: 30, isRecovered: true, lastServer: 'director-2' }],
    // failures before the first answer are the election, not the failover
    ['tttttt11tt22', 8, { gapMs: 20, failedProbes: 2, wholeRunGapMs: 20, isRecovered: true, lastServer: 'director-2' }],
    // a longer outage before the cut (a spurious takeover left the client on the backup's MAC) is not the failover
    ['11tttt11t22', 8, { gapMs: 10, failedProbes: 1, wholeRunGapMs: 40, isRecovered: true, lastServer: 'director-2' }],
    // the old master answers again: not recovered to director-2
    ['11ttt11', 2, { gapMs: 30, failedProbes: 3, wholeRunGapMs: 30, isRecovered: false, lastServer: 'director-1' }],
    // still failing at the end: the gap runs to the end of the last probe, censored
    ['11ttt', 2, { gapMs: 45, failedProbes: 3, wholeRunGapMs: 45, isRecovered: false, lastServer: 'director-1' }],
    ['1111', 2, { gapMs: 0, failedProbes: 0, wholeRunGapMs: 0, isRecovered: false, lastServer: 'director-1' }],
  ];
  for (const [pattern, cutSeq, expected] of cases) {
    const r = analyzeFailoverProbes(probes(pattern), 'director-2', { cutSeq, isStoppedEarly: false });
    t.deepEqual({ ...r }, { ...expected, firstServer: 'director-1', lastServer: expected.lastServer }, pattern);
  }
});

test('failover gap: a prober stopped from outside loses its cut last probe, and only a failed one', (t) => {
  t.deepEqual(analyzeFailoverProbes(probes('11tt22r'), 'director-2', { cutSeq: 2, isStoppedEarly: true }), {
    gapMs: 20, failedProbes: 2, wholeRunGapMs: 20, isRecovered: true, firstServer: 'director-1', lastServer: 'director-2',
  });
  t.is(analyzeFailoverProbes(probes('11tt22r'), 'director-2', { cutSeq: 2, isStoppedEarly: false }).isRecovered, false);
  t.is(analyzeFailoverProbes(probes('11tt222'), 'director-2', { cutSeq: 2, isStoppedEarly: true }).isRecovered, true);
});

test('failover gap: no answer at all', (t) => {
  t.deepEqual(analyzeFailoverProbes(probes('ttt'), 'director-2', { cutSeq: 0, isStoppedEarly: false }), {
    gapMs: 0, failedProbes: 0, wholeRunGapMs: 0, isRecovered: false, firstServer: undefined, lastServer: undefined,
  });
});

test('lvsd transitions from the lab director\'s JSON lines', (t) => {
  const lines = [
    '{"type":"event","seq":1,"atMs":316.6,"wallTimeMs":1795608453693.9,"instance":"VI_1","vrid":51,"kind":"transition","from":"initialize","to":"backup","reason":"startup","priority":100,"masterAddress":null}',
    '{"type":"event","seq":3,"atMs":2060.5,"wallTimeMs":1795608455448.3,"instance":"VI_1","vrid":51,"kind":"transition","from":"backup","to":"master","reason":"master-silent","priority":100,"masterAddress":"192.0.2.12"}',
    '{"type":"event","seq":4,"kind":"vips-added","addresses":["192.0.2.50/32"]}',
    '{"type":"snapshot","state":"master","note":"transition"}',
    'not json "transition"',
    '{"type":"event","seq":9,"kind":"transition","from":"master","to":"backup","reason":"higher-priority-advert"}',
  ];
  t.is(countLvsdTransitions(lines, 'master'), 1);
  t.is(countLvsdTransitions(lines, 'backup'), 2);
});

test('keepalived transitions from its log lines', (t) => {
  const lines = [
    'Tue Nov 25 12:08:21 2026: (VI_1) Entering BACKUP STATE (init)',
    'Tue Nov 25 12:08:24 2026: (VI_1) Receive advertisement timeout',
    'Tue Nov 25 12:08:24 2026: (VI_1) Entering MASTER STATE',
    'Tue Nov 25 12:08:24 2026: (VI_1) Master received advert from 192.0.2.11 with higher priority 200, ours 100',
    'Tue Nov 25 12:08:24 2026: (VI_1) Entering BACKUP STATE',
  ];
  t.is(countKeepalivedTransitions(lines, 'master'), 1);
  t.is(countKeepalivedTransitions(lines, 'backup'), 2);
  t.is(countKeepalivedTransitions(lines, 'fault'), 0);
});

test('wire view of a long run: the master\'s intervals and the backup\'s takeovers inside the window', (t) => {
  const ad = (timeMs: number, source: string): CapturedAdvert => ({ timeMs, source, version: 3, vrid: 51, priority: 0 });
  const M = '192.0.2.11';
  const B = '192.0.2.12';
  const adverts = [ad(990, B), ad(995, M), ad(1000, M), ad(1010, M), ad(1050, B), ad(1051, M), ad(1061, M), ad(1100, B)];
  t.deepEqual(analyzeWire(adverts, { master: M, backup: B, vrid: 51, advertIntervalMs: 10, fromMs: 1000, toMs: 1100 }), {
    masterIntervalsMs: [10, 41, 10],
    masterAdverts: 4,
    takeovers: 1,
    backupAdverts: 1,
  });
});

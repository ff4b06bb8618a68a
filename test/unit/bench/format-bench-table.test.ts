import test from 'ava';
import { checkTarget, statRatio, summarize, type BenchRow } from '../../../bench/bench-model.js';
import { formatBenchReport, formatSeries } from '../../../bench/format-bench-table.js';

test('summarize: median, nearest-rank p99, range', (t) => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  t.deepEqual(summarize(hundred), { median: 50.5, p99: 99, min: 1, max: 100, count: 100 });
  t.deepEqual(summarize([3, 1, 2]), { median: 2, p99: 3, min: 1, max: 3, count: 3 });
  t.is(summarize([]), undefined);
});

const gap: BenchRow = {
  label: 'failover gap',
  unit: 'ms',
  lvsd: { label: 'lvsd', samples: [3000, 3100, 2900] },
  reference: { label: 'keepalived', samples: [3050, 3200, 2800] },
  target: { kind: 'ratio-at-most', value: 1 },
};

test('ratio of medians by default, of p99 when the row says so', (t) => {
  t.is(statRatio(gap), 3000 / 3050);
  const intervals: BenchRow = { label: 'x', unit: 'ms', stat: 'p99', lvsd: { label: 'a', samples: [10, 10, 30] }, reference: { label: 'b', samples: [10, 10, 15] } };
  t.is(statRatio(intervals), 2);
  t.is(statRatio({ ...intervals, reference: { label: 'b', samples: [0] } }), undefined);
});

test('targets: ratio, equals, at-most on the row\'s stat', (t) => {
  t.is(checkTarget(gap), 'met');
  t.is(checkTarget({ ...gap, reference: { label: 'keepalived', samples: [2000] } }), 'missed');
  const spurious: BenchRow = { label: 's', unit: 'ops', lvsd: { label: 'lvsd', samples: [0] }, target: { kind: 'equals', value: 0 } };
  t.is(checkTarget(spurious), 'met');
  t.is(checkTarget({ ...spurious, lvsd: { label: 'lvsd', samples: [2] } }), 'missed');
  const jitter: BenchRow = { label: 'j', unit: 'ms', stat: 'p99', lvsd: { label: 'lvsd', samples: [10, 10.4, 10.6] }, target: { kind: 'at-most', value: 11 } };
  t.is(checkTarget(jitter), 'met');
  t.is(checkTarget({ ...jitter, lvsd: { label: 'lvsd', samples: [10, 10, 12] } }), 'missed', 'p99 over the bound');
  t.is(checkTarget({ ...jitter, stat: 'median', lvsd: { label: 'lvsd', samples: [10, 10, 12] } }), 'met', 'the median is within it');
  t.is(checkTarget({ ...jitter, lvsd: { label: 'lvsd', samples: [] } }), 'unmeasured');
});

test('a series as median [min-max] (n), a distribution as p50 / p99 / max (n)', (t) => {
  t.is(formatSeries({ label: 'lvsd', samples: [3000.4, 3100, 2900] }, 'ms'), 'lvsd: 3,000 ms [2,900-3,100] (3)');
  t.is(formatSeries({ label: 'lvsd', samples: [0] }, 'ops'), 'lvsd: 0 [0] (1)');
  const intervals = [...Array.from({ length: 1998 }, () => 10.4), 16.9, 31.5];
  t.is(formatSeries({ label: 'lvsd', samples: intervals, isDistribution: true }, 'ms'), 'lvsd: p50 10.4 / p99 10.4 / max 31.5 ms (2,000)');
});

test('the report: ratio with its stat, targets, verdicts, notes', (t) => {
  const jitter: BenchRow = {
    label: 'advert interval',
    unit: 'ms',
    stat: 'p99',
    lvsd: { label: 'lvsd', samples: [10, 10, 22], isDistribution: true },
    reference: { label: 'keepalived', samples: [10, 10, 11], isDistribution: true },
    target: { kind: 'at-most', value: 11 },
  };
  const text = formatBenchReport(
    { startedAt: '2026-11-25T12:00:00.000Z', environment: ['host: test'], repeat: 3, durationMs: 61_500 },
    [{ name: 'vrrp', title: 'VRRP', rows: [gap, jitter], notes: ['noisy machine'], durationMs: 60_000 }],
  );
  const lines = text.split('\n');
  t.true(lines.some((l) => l.includes('failover gap') && l.includes('lvsd: 3,000 ms [2,900-3,100] (3)') && l.includes('0.98') && l.includes('ratio <= 1') && l.endsWith('ok')), text);
  t.true(lines.some((l) => l.includes('advert interval') && l.includes('p50 10.0 / p99 22.0 / max 22.0 ms (3)') && l.includes('2.00 (p99)') && l.includes('p99 <= 11 ms') && l.endsWith('MISSED')), text);
  t.true(lines.includes('  note: noisy machine'));
  t.is(lines[lines.length - 1], 'total 61.5 s');
});

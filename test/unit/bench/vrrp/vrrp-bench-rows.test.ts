import test from 'ava';
import { checkTarget } from '../../../../bench/bench-model.js';
import { FAILOVER_SETTINGS } from '../../../../bench/vrrp/vrrp-bench-plan.js';
import { failoverNotes, failoverRows, longRunNotes, longRunRows, type FailoverOutcome, type LongRunSideView } from '../../../../bench/vrrp/vrrp-bench-rows.js';

const outcome = (gapMs: number, garpMs: number | undefined, extra: Partial<FailoverOutcome> = {}): FailoverOutcome => ({
  gapMs,
  wholeRunGapMs: gapMs,
  isRecovered: true,
  backupTakeoversBeforeLinkDown: 0,
  wire: { lastMasterAdvertMs: 1, linkDownAfterMs: 250, ...(garpMs === undefined ? {} : { firstGarpAfterMs: garpMs }) },
  ...extra,
});

test('failover rows: the client gap against keepalived with the ratio target, the wire takeover, the whole run\'s longest outage', (t) => {
  const setting = FAILOVER_SETTINGS[2];
  if (setting === undefined) throw new Error('no 0.01 s setting');
  const rows = failoverRows([{ setting, samples: { lvsd: [outcome(50, 40), outcome(55, undefined)], keepalived: [outcome(60, 37, { wholeRunGapMs: 900 })] } }]);
  t.is(rows.length, 3);
  const [gap, wire, whole] = rows;
  t.is(gap?.label, 'failover gap seen by the client, advert_int 0.01 s (v3)');
  t.deepEqual(gap?.lvsd?.samples, [50, 55]);
  t.deepEqual(gap?.reference?.samples, [60]);
  t.is(gap === undefined ? undefined : checkTarget(gap), 'met');
  t.true(wire?.label.includes('MDI 36.1 ms') ?? false, wire?.label);
  t.deepEqual(wire?.lvsd?.samples, [40], 'a run without the GARP in the capture has no wire sample');
  t.is(wire?.target, undefined);
  t.deepEqual(whole?.reference?.samples, [900]);
  t.is(whole?.target, undefined);
});

test('failover notes name what went wrong per implementation and setting', (t) => {
  const setting = FAILOVER_SETTINGS[0];
  if (setting === undefined) throw new Error('no 1 s setting');
  const notes = failoverNotes([{ setting, samples: { lvsd: [outcome(3000, 3600)], keepalived: [outcome(3000, undefined, { isRecovered: false, backupTakeoversBeforeLinkDown: 2 })] } }]);
  t.false(notes.some((n) => n.startsWith('lvsd at')));
  t.true(notes.includes("1 s: link cut this many ms after the master's last advert (aimed at half an advert interval; median [range]; a later cut shortens the client's gap): lvsd 250 [250-250], keepalived 250 [250-250]; gap + that phase, which does not depend on it: lvsd 3250 [3250-3250], keepalived 3250 [3250-3250]"), notes.join('\n'));
  t.true(notes.includes("keepalived at 1 s: 1 of 1 runs did not end answered by the backup; 2 spurious takeover(s) by the backup before the link went down; 1 run(s) without the backup's GARP in the capture"), notes.join('\n'));
});

const side = (implementation: 'lvsd' | 'keepalived', takeovers: number, intervals: number[]): LongRunSideView => ({
  implementation,
  wire: { masterIntervalsMs: intervals, takeovers, backupAdverts: takeovers },
  backupTakeoversLogged: takeovers,
  masterStepDownsLogged: 0,
  isLogTruncated: false,
  schedulingPolicy: 'SCHED_OTHER',
  loadStats: implementation === 'lvsd' ? [{ checks: 2000, kind: 'http', probesPerS: 200, eventLoopUtilization: 0.25, loopDelayMs: { p50: 1, p99: 14, max: 200 } }] : [],
});

test('long-run rows: spurious takeovers must be 0, the p99 interval within 10 % of advert_int; the duration is in the label', (t) => {
  const rows = longRunRows([
    { load: 'none', durationMs: 60_004, busyLoops: 0, sides: [side('lvsd', 0, [10, 10.4, 10.6]), side('keepalived', 1, [10, 10.1])] },
    { load: 'in-process', durationMs: 59_990, busyLoops: 0, sides: [side('lvsd', 3, [10, 10, 40]), side('keepalived', 0, [10])] },
    { load: 'vrrp-process', durationMs: 60_000, busyLoops: 0, sides: [side('lvsd', 0, [10, 10, 10.5]), side('keepalived', 0, [10])] },
  ]);
  t.deepEqual(rows.map((r) => r.label), [
    'spurious takeovers, 0.01 s, no load, 60 s',
    "  interval between the master's adverts",
    'spurious takeovers, 0.01 s, health checks in lvsd, 60 s',
    "  interval between the master's adverts",
    'spurious takeovers, 0.01 s, health checks in lvsd, its VRRP in a child process, 60 s',
    "  interval between the master's adverts",
  ]);
  t.deepEqual(rows.map((r) => (r === undefined ? undefined : checkTarget(r))), ['met', 'met', 'missed', 'missed', 'met', 'met']);
  t.is(rows[4]?.reference?.label, 'keepalived (no load)');
  t.is(rows[2]?.reference?.label, 'keepalived (no load)');
  t.is(rows[1]?.stat, 'p99');
  t.true(rows[1]?.lvsd?.isDistribution ?? false);
});

test('long-run notes carry the logged counts, the shortest interval and the load', (t) => {
  const notes = longRunNotes([{ load: 'cpu', durationMs: 60_000, busyLoops: 2, sides: [side('lvsd', 1, [10, 0.134]), side('keepalived', 0, [10])] }]);
  const line = notes.find((n) => n.startsWith('CPU busy loops (60.0 s, 2 busy loops)'));
  t.truthy(line, notes.join('\n'));
  t.true(line?.includes('lvsd: logged: 1 takeover(s), 0 master step-down(s), 1 backup adverts, shortest interval 0.134 ms, SCHED_OTHER; load 2000 http checks, 200 probes/s, event loop 25 % busy, delay p99 14 ms max 200 ms') ?? false, line);
});

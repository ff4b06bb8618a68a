import test from 'ava';
import {
  cpuPercent,
  cpuPerCheckUs,
  onTimePercent,
  parseProcStat,
  parseStatusKb,
  parseTcpdumpVrrpLine,
  percentile,
  summarizeAdverts,
  summarizeProbeIntervals,
} from '../../../../bench/health/probe-stats.js';

const WINDOW = { startMs: 0, endMs: 3000, intervalMs: 1000, tolerance: 0.1 };

test('percentile is nearest rank', (t) => {
  t.is(percentile([], 50), undefined);
  t.is(percentile([5], 99), 5);
  t.is(percentile([1, 2, 3, 4], 50), 2);
  t.is(percentile([1, 2, 3, 4], 99), 4);
  t.is(percentile(Array.from({ length: 200 }, (_, i) => i + 1), 99), 198);
});

test('probes every second are on time; a gap past 1.1 s and a target never probed are late', (t) => {
  const s = summarizeProbeIntervals(
    [
      [100, 1100, 2100], // on time
      [200, 1150, 2400], // 950 ok, 1250 late
      [], // never probed
    ],
    WINDOW,
  );
  t.like(s, { targets: 3, targetsProbed: 2, checks: 6, intervals: 4, onTime: 3, missedAtEdges: 1, longestGapMs: 1250, shortestGapMs: 950 });
  t.is(s.checkRate, 6 / 9);
  t.deepEqual(s.deviationMs, { p50: 0, p99: 250, max: 250 });
  t.is(onTimePercent(s), (100 * 3) / 5);
});

test('a probe that stops before the window ends, or starts late, counts as late at the edge', (t) => {
  const s = summarizeProbeIntervals([[50, 1050], [1200, 2200]], WINDOW);
  // target 0: last probe at 1050, window ends 1950 ms later (> 1100); target 1: first probe 1200 ms after the start.
  t.is(s.missedAtEdges, 2);
  t.is(s.onTime, 2);
  t.is(onTimePercent(s), 50);
});

test('the window must be sensible', (t) => {
  t.throws(() => summarizeProbeIntervals([], { ...WINDOW, endMs: 0 }), { instanceOf: RangeError });
  t.throws(() => summarizeProbeIntervals([], { ...WINDOW, intervalMs: 0 }), { instanceOf: RangeError });
  t.is(onTimePercent(summarizeProbeIntervals([], WINDOW)), undefined);
});

test('/proc/PID/stat: utime and stime even when the command name holds spaces and parentheses', (t) => {
  const stat = '4242 (node (lvsd) x) S 1 4242 4242 0 -1 4194560 12345 0 0 0 731 205 0 0 20 0 11 0 9876 1234567 8910 18446744073709551615';
  t.deepEqual(parseProcStat(stat), { utime: 731, stime: 205 });
  t.is(parseProcStat('garbage'), undefined);
  t.is(parseProcStat('1 (x) S 1 2'), undefined);
});

test('/proc/PID/status: VmRSS and VmHWM in kB', (t) => {
  const status = 'Name:\tnode\nVmHWM:\t  150432 kB\nVmRSS:\t  120004 kB\nThreads:\t11\n';
  t.is(parseStatusKb(status, 'VmRSS'), 120004);
  t.is(parseStatusKb(status, 'VmHWM'), 150432);
  t.is(parseStatusKb(status, 'VmSwap'), undefined);
});

test('CPU per check and CPU share from tick counts', (t) => {
  const before = { utime: 100, stime: 50 };
  const after = { utime: 160, stime: 90 };
  // 100 ticks at 100 Hz = 1 s of CPU for 10,000 checks = 100 µs each; over 2 s of wall time = 50 %.
  t.is(cpuPerCheckUs(before, after, 100, 10_000), 100);
  t.is(cpuPercent(before, after, 100, 2000), 50);
  t.is(cpuPerCheckUs(before, after, 100, 0), undefined);
  t.is(cpuPercent(before, after, 100, 0), undefined);
});

test('tcpdump lines of VRRP adverts (v2 and v3); anything else is ignored', (t) => {
  t.deepEqual(parseTcpdumpVrrpLine('1764073200.123456 IP 192.0.2.241 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 150, intvl 10cs, length 12'), { timeS: 1764073200.123456, vrid: 51 });
  t.deepEqual(parseTcpdumpVrrpLine('1764073200.5 IP 192.0.2.241 > 224.0.0.18: VRRPv2, Advertisement, vrid 7, prio 100, authtype none, intvl 1s, length 20'), { timeS: 1764073200.5, vrid: 7 });
  t.is(parseTcpdumpVrrpLine('1764073200.5 IP 192.0.2.241 > 192.0.2.1: ICMP echo request'), undefined);
  t.is(parseTcpdumpVrrpLine('reading from file vrrp.pcap, link-type EN10MB'), undefined);
});

test('advert gaps of one VRID within the window', (t) => {
  const seen = [0.0, 0.1, 0.2, 0.45, 0.55, 5.0].map((timeS) => ({ timeS, vrid: 51 }));
  const s = summarizeAdverts([...seen, { timeS: 0.3, vrid: 52 }], 51, 100, 0, 1);
  t.is(s.adverts, 5);
  t.is(s.gapsMs.length, 4);
  t.is(Math.round(s.longestGapMs ?? 0), 250);
  t.is(Math.round(s.deviationMs?.max ?? 0), 150);
  t.deepEqual(summarizeAdverts([], 51, 100, 0, 1), { adverts: 0, gapsMs: [] });
});

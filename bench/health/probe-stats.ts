/**
 * Statistics of the health benchmarks (pure): how regularly each target was probed (from the times
 * its listener accepted connections), CPU time and memory from /proc text, and VRRP advert intervals
 * from tcpdump lines.
 */

/** Nearest-rank percentile of ascending `sorted` (p in 0-100); undefined when empty. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface Spread {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function spreadOf(values: number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  values.sort((a, b) => a - b);
  return { p50: percentile(values, 50) ?? 0, p99: percentile(values, 99) ?? 0, max: values[values.length - 1] ?? 0 };
}

export interface ProbeWindow {
  readonly startMs: number;
  readonly endMs: number;
  readonly intervalMs: number;
  /** A probe is on time when it comes within tolerance x interval of the interval after the previous one (0.1). */
  readonly tolerance: number;
}

export interface ProbeIntervalSummary {
  readonly targets: number;
  /** Targets with at least one probe in the window. */
  readonly targetsProbed: number;
  /** Probes (accepted connections) in the window. */
  readonly checks: number;
  /** checks / (targets x window / interval): 1 when every target was probed once per interval. */
  readonly checkRate: number;
  /** Gaps between consecutive probes of one target. */
  readonly intervals: number;
  /** Gaps within interval x (1 +- tolerance). */
  readonly onTime: number;
  /**
   * Late probes the gaps cannot show: a window edge further than interval x (1 + tolerance) from the
   * target's first or last probe (a target never probed counts once).
   */
  readonly missedAtEdges: number;
  /** |gap - interval| in ms. */
  readonly deviationMs?: Spread;
  readonly longestGapMs?: number;
  readonly shortestGapMs?: number;
}

/** `acceptMs[i]`: ascending times (ms) at which target i accepted a probe, all within the window. */
export function summarizeProbeIntervals(acceptMs: readonly (readonly number[])[], window: ProbeWindow): ProbeIntervalSummary {
  const { startMs, endMs, intervalMs, tolerance } = window;
  if (!(endMs > startMs) || !(intervalMs > 0) || !(tolerance >= 0)) throw new RangeError('the window needs endMs > startMs, a positive interval and a tolerance >= 0');
  const limit = intervalMs * (1 + tolerance);
  const deviations: number[] = [];
  let checks = 0;
  let targetsProbed = 0;
  let onTime = 0;
  let missedAtEdges = 0;
  let longest: number | undefined;
  let shortest: number | undefined;
  for (const times of acceptMs) {
    checks += times.length;
    const first = times[0];
    const last = times[times.length - 1];
    if (first === undefined || last === undefined) {
      missedAtEdges += 1;
      continue;
    }
    targetsProbed += 1;
    if (first - startMs > limit) missedAtEdges += 1;
    if (endMs - last > limit) missedAtEdges += 1;
    for (let k = 1; k < times.length; k++) {
      const gap = (times[k] ?? 0) - (times[k - 1] ?? 0);
      const deviation = Math.abs(gap - intervalMs);
      deviations.push(deviation);
      if (deviation <= intervalMs * tolerance) onTime += 1;
      longest = longest === undefined ? gap : Math.max(longest, gap);
      shortest = shortest === undefined ? gap : Math.min(shortest, gap);
    }
  }
  const expected = (acceptMs.length * (endMs - startMs)) / intervalMs;
  const deviationMs = spreadOf(deviations);
  return {
    targets: acceptMs.length,
    targetsProbed,
    checks,
    checkRate: expected === 0 ? 0 : checks / expected,
    intervals: deviations.length,
    onTime,
    missedAtEdges,
    ...(deviationMs === undefined ? {} : { deviationMs }),
    ...(longest === undefined ? {} : { longestGapMs: longest }),
    ...(shortest === undefined ? {} : { shortestGapMs: shortest }),
  };
}

/** Share (0-100) of probes on time: on-time gaps over all gaps plus the late probes seen at the edges. */
export function onTimePercent(s: ProbeIntervalSummary): number | undefined {
  const all = s.intervals + s.missedAtEdges;
  return all === 0 ? undefined : (100 * s.onTime) / all;
}

export interface CpuTicks {
  readonly utime: number;
  readonly stime: number;
}

/** utime and stime (fields 14 and 15, clock ticks) of /proc/PID/stat; the command name may hold spaces and parentheses. */
export function parseProcStat(text: string): CpuTicks | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") ": field 3 (state) is index 0, so field N is index N - 3.
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) return undefined;
  return { utime, stime };
}

/** A `Key:   123 kB` line of /proc/PID/status (VmRSS, VmHWM), in kB. */
export function parseStatusKb(text: string, key: string): number | undefined {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** CPU time per check in microseconds; undefined without checks. */
export function cpuPerCheckUs(before: CpuTicks, after: CpuTicks, ticksPerSecond: number, checks: number): number | undefined {
  if (checks <= 0 || ticksPerSecond <= 0) return undefined;
  const ticks = after.utime + after.stime - (before.utime + before.stime);
  return (ticks / ticksPerSecond / checks) * 1e6;
}

/** CPU share of one core, percent, over `wallMs`. */
export function cpuPercent(before: CpuTicks, after: CpuTicks, ticksPerSecond: number, wallMs: number): number | undefined {
  if (wallMs <= 0 || ticksPerSecond <= 0) return undefined;
  const ticks = after.utime + after.stime - (before.utime + before.stime);
  return (100 * (ticks / ticksPerSecond) * 1000) / wallMs;
}

export interface VrrpAdvertSeen {
  /** Capture time in seconds (tcpdump -tt). */
  readonly timeS: number;
  readonly vrid: number;
}

/** One line of `tcpdump -n -tt -l` for a VRRP advertisement, or undefined for anything else. */
export function parseTcpdumpVrrpLine(line: string): VrrpAdvertSeen | undefined {
  const match = /^(\d+\.\d+) IP \S+ > 224\.0\.0\.18: VRRPv[23], Advertisement, vrid (\d+),/.exec(line.trim());
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { timeS: Number(match[1]), vrid: Number(match[2]) };
}

export interface AdvertIntervalSummary {
  readonly adverts: number;
  /** Gaps between consecutive adverts, in capture order (ms). */
  readonly gapsMs: readonly number[];
  /** |gap - advert interval| in ms. */
  readonly deviationMs?: Spread;
  readonly longestGapMs?: number;
}

/** Gaps between consecutive adverts of `vrid` within [startS, endS]. */
export function summarizeAdverts(seen: readonly VrrpAdvertSeen[], vrid: number, advertIntervalMs: number, startS: number, endS: number): AdvertIntervalSummary {
  const times = seen.filter((a) => a.vrid === vrid && a.timeS >= startS && a.timeS <= endS).map((a) => a.timeS * 1000);
  times.sort((a, b) => a - b);
  const gapsMs: number[] = [];
  for (let k = 1; k < times.length; k++) gapsMs.push((times[k] ?? 0) - (times[k - 1] ?? 0));
  const deviationMs = spreadOf(gapsMs.map((g) => Math.abs(g - advertIntervalMs)));
  return {
    adverts: times.length,
    gapsMs,
    ...(deviationMs === undefined ? {} : { deviationMs }),
    ...(gapsMs.length === 0 ? {} : { longestGapMs: Math.max(...gapsMs) }),
  };
}

/**
 * What the VRRP bench reads from a run: the client's failover gap (prober records), the takeovers a
 * director logged (lvsd's JSON event lines, keepalived's log lines), and the advert intervals and
 * takeovers a capture shows (advert-capture.ts). Pure.
 */
import { longestFailureGap } from '../../src/lab/probe-analysis.js';
import type { ProbeRecord } from '../../src/lab/prober.js';
import { advertIntervalsMs, advertsOf, countTakeovers, type CapturedAdvert } from './advert-capture.js';

export interface FailoverGap {
  /** The longest run of failed probes from the probe in flight at the cut on (0 when none failed). */
  readonly gapMs: number;
  readonly failedProbes: number;
  /** The longest run of failed probes once the service had answered, before the cut included. */
  readonly wholeRunGapMs: number;
  /** The last probe succeeded and was answered by the expected new master. */
  readonly isRecovered: boolean;
  /** Who answered the first and the last successful probe. */
  readonly firstServer: string | undefined;
  readonly lastServer: string | undefined;
}

export interface FailoverProbeContext {
  /** Sequence number of the probe in flight when the link was cut (= probes finished before it). */
  readonly cutSeq: number;
  /** The prober was stopped from outside: its last probe may have been cut short, and a failed one is dropped. */
  readonly isStoppedEarly: boolean;
}

/**
 * The client's view of one failover. Probes before the first success are dropped (the VIP was not
 * up yet: that is the election, not the failover). The failover gap is the longest failure run from
 * the cut on; an outage before the cut (a spurious takeover that left the client on the backup's
 * MAC) shows in `wholeRunGapMs` only.
 */
export function analyzeFailoverProbes(records: readonly ProbeRecord[], newMaster: string, o: FailoverProbeContext): FailoverGap {
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  if (o.isStoppedEarly && sorted[sorted.length - 1]?.outcome !== 'ok') sorted.pop();
  const firstOk = sorted.findIndex((r) => r.outcome === 'ok');
  if (firstOk < 0) return { gapMs: 0, failedProbes: 0, wholeRunGapMs: 0, isRecovered: false, firstServer: undefined, lastServer: undefined };
  const served = sorted.slice(firstOk);
  const gap = longestFailureGap(served.filter((r) => r.seq >= o.cutSeq));
  const last = served[served.length - 1];
  const lastOk = [...served].reverse().find((r) => r.outcome === 'ok');
  return {
    gapMs: gap.durationMs,
    failedProbes: gap.count,
    wholeRunGapMs: longestFailureGap(served).durationMs,
    isRecovered: last?.outcome === 'ok' && last.server === newMaster,
    firstServer: served[0]?.server,
    lastServer: lastOk?.server,
  };
}

/** lvsd lab director stdout: transitions into `state` ({"type":"event","kind":"transition","to":...}). */
export function countLvsdTransitions(stdoutLines: readonly string[], state: string): number {
  let n = 0;
  for (const line of stdoutLines) {
    if (!line.includes('"transition"')) continue;
    try {
      const v = JSON.parse(line) as { type?: unknown; kind?: unknown; to?: unknown };
      if (v.type === 'event' && v.kind === 'transition' && v.to === state) n++;
    } catch {
      // not a JSON line
    }
  }
  return n;
}

const KEEPALIVED_STATES = { master: 'MASTER', backup: 'BACKUP', fault: 'FAULT' } as const;

/** keepalived 2.2.7 log (`-l -D`): "(VI_1) Entering MASTER STATE" and the like. */
export function countKeepalivedTransitions(logLines: readonly string[], state: keyof typeof KEEPALIVED_STATES): number {
  const needle = `Entering ${KEEPALIVED_STATES[state]} STATE`;
  return logLines.filter((l) => l.includes(needle)).length;
}

export interface WireView {
  /** Intervals between the master's consecutive adverts, ms. */
  readonly masterIntervalsMs: readonly number[];
  readonly masterAdverts: number;
  /** Takeovers by the backup (countTakeovers). */
  readonly takeovers: number;
  readonly backupAdverts: number;
}

/** A long run as the capture saw it, within the measurement window [fromMs, toMs) (capture clock). */
export function analyzeWire(
  adverts: readonly CapturedAdvert[],
  o: { readonly master: string; readonly backup: string; readonly vrid: number; readonly advertIntervalMs: number; readonly fromMs: number; readonly toMs: number },
): WireView {
  const inWindow = adverts.filter((a) => a.timeMs >= o.fromMs && a.timeMs < o.toMs);
  const master = advertsOf(inWindow, o.master, o.vrid);
  return {
    masterIntervalsMs: advertIntervalsMs(master),
    masterAdverts: master.length,
    takeovers: countTakeovers(inWindow, o),
    backupAdverts: advertsOf(inWindow, o.backup, o.vrid).length,
  };
}

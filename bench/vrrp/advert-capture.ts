/**
 * VRRP adverts and gratuitous ARPs as a packet capture shows them (`tcpdump -tt -n -r FILE`, one line
 * a packet), and what the VRRP bench reads from them: the intervals between one sender's consecutive
 * adverts (send jitter as the wire sees it), the takeovers by a backup while the master was alive,
 * and how long the wire went without a master after the master's link went down.
 * Implementation-neutral: lvsd and keepalived are read the same way. Pure.
 */
import { RFC_DOWN_TIMER_ADVERTS } from '../../ha/vrrp-timers.js';

export interface CapturedAdvert {
  /** Capture timestamp, milliseconds since the epoch (microsecond resolution). */
  readonly timeMs: number;
  readonly source: string;
  readonly version: 2 | 3;
  readonly vrid: number;
  readonly priority: number;
}

/** A gratuitous ARP: a request for `address` that names `address` as its sender (arping -U, keepalived). */
export interface CapturedGarp {
  readonly timeMs: number;
  readonly address: string;
}

export interface CapturedPackets {
  readonly adverts: readonly CapturedAdvert[];
  readonly garps: readonly CapturedGarp[];
}

// 1795608453.731328 IP 192.0.2.11 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 200, intvl 1cs, length 12
// 1795608453.731328 IP 192.0.2.11 > 224.0.0.18: VRRPv2, Advertisement, vrid 51, prio 200, authtype none, intvl 1s, length 20
const ADVERT = /^(\d+)\.(\d{1,9}) IP (\S+) > \S+: VRRPv([23]), Advertisement, vrid (\d+), prio (\d+),/;
// 1795608803.867283 ARP, Request who-has 192.0.2.50 (ff:ff:ff:ff:ff:ff) tell 192.0.2.50, length 28
const GARP = /^(\d+)\.(\d{1,9}) ARP, Request who-has (\S+) (?:\([^)]*\) )?tell (\S+), /;

/** One tcpdump line; undefined for anything that is not a VRRP advertisement. */
export function parseTcpdumpAdvert(line: string): CapturedAdvert | undefined {
  const m = ADVERT.exec(line);
  if (m === null) return undefined;
  const [, seconds, fraction, source, version, vrid, priority] = m;
  if (seconds === undefined || fraction === undefined || source === undefined) return undefined;
  return { timeMs: timeMsOf(seconds, fraction), source, version: version === '2' ? 2 : 3, vrid: Number(vrid), priority: Number(priority) };
}

/** One tcpdump line; undefined for anything that is not a gratuitous ARP request. */
export function parseTcpdumpGarp(line: string): CapturedGarp | undefined {
  const m = GARP.exec(line);
  if (m === null) return undefined;
  const [, seconds, fraction, target, sender] = m;
  if (seconds === undefined || fraction === undefined || target === undefined || target !== sender) return undefined;
  return { timeMs: timeMsOf(seconds, fraction), address: target };
}

export function parseTcpdumpCapture(text: string): CapturedPackets {
  const adverts: CapturedAdvert[] = [];
  const garps: CapturedGarp[] = [];
  for (const line of text.split('\n')) {
    const advert = parseTcpdumpAdvert(line);
    if (advert !== undefined) {
      adverts.push(advert);
      continue;
    }
    const garp = parseTcpdumpGarp(line);
    if (garp !== undefined) garps.push(garp);
  }
  return { adverts, garps };
}

/** Adverts of one sender and VRID, in capture order. */
export function advertsOf(adverts: readonly CapturedAdvert[], source: string, vrid: number): CapturedAdvert[] {
  return adverts.filter((a) => a.source === source && a.vrid === vrid);
}

/** Milliseconds between consecutive adverts (n adverts, n - 1 intervals). */
export function advertIntervalsMs(adverts: readonly CapturedAdvert[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < adverts.length; i++) {
    const a = adverts[i - 1];
    const b = adverts[i];
    if (a !== undefined && b !== undefined) out.push(round3(b.timeMs - a.timeMs));
  }
  return out;
}

/**
 * Takeovers the wire saw, in the adverts of a VRID (capture order): a backup advert starts a new
 * takeover when it is the backup's first, or when the master spoke since the backup's previous advert
 * and that advert is more than `RFC_DOWN_TIMER_ADVERTS` advert intervals old. A backup that yielded
 * must wait a master down interval (3 intervals + skew) before it can take over again; so a backup
 * stuck as master with irregular adverts, or one late advert crossing the master's (the backup's
 * timer fired before it read the master's advert), stays one takeover. Other senders are ignored.
 */
export function countTakeovers(adverts: readonly CapturedAdvert[], o: { readonly master: string; readonly backup: string; readonly vrid: number; readonly advertIntervalMs: number }): number {
  const quietMs = RFC_DOWN_TIMER_ADVERTS * o.advertIntervalMs;
  let takeovers = 0;
  let lastBackupMs: number | undefined;
  let hasMasterSpokenSince = false;
  for (const a of adverts) {
    if (a.vrid !== o.vrid) continue;
    if (a.source === o.master) {
      hasMasterSpokenSince = true;
    } else if (a.source === o.backup) {
      if (lastBackupMs === undefined || (hasMasterSpokenSince && a.timeMs - lastBackupMs > quietMs)) takeovers++;
      lastBackupMs = a.timeMs;
      hasMasterSpokenSince = false;
    }
  }
  return takeovers;
}

export interface WireTakeover {
  /** The master's last advert the capture saw before its link went down. */
  readonly lastMasterAdvertMs: number;
  /** From it to the link going down (the phase of the cut in the advert cycle). */
  readonly linkDownAfterMs: number;
  /** From it to the backup's first advert after it, and to the first gratuitous ARP for the VIP after it. */
  readonly firstBackupAdvertAfterMs?: number;
  readonly firstGarpAfterMs?: number;
}

/**
 * After the master's link went down at `linkDownMs` (capture clock): how long the wire went without a
 * master. Measured from the master's last advert (the backup's master down timer starts there too) to
 * the backup's first advert and the first gratuitous ARP for `vip` after `linkDownMs`. Undefined when
 * the master sent nothing before `linkDownMs`.
 */
export function wireTakeover(
  packets: CapturedPackets,
  o: { readonly master: string; readonly backup: string; readonly vrid: number; readonly vip: string; readonly linkDownMs: number },
): WireTakeover | undefined {
  const before = packets.adverts.filter((a) => a.source === o.master && a.vrid === o.vrid && a.timeMs <= o.linkDownMs);
  const last = before[before.length - 1];
  if (last === undefined) return undefined;
  // Only after the link went down: before it, a backup advert is a spurious takeover and a gratuitous
  // ARP may be the master's own (keepalived repeats its burst 5 s after becoming master).
  const backup = packets.adverts.find((a) => a.source === o.backup && a.vrid === o.vrid && a.timeMs > o.linkDownMs);
  const garp = packets.garps.find((g) => g.address === o.vip && g.timeMs > o.linkDownMs);
  return {
    lastMasterAdvertMs: last.timeMs,
    linkDownAfterMs: round3(o.linkDownMs - last.timeMs),
    ...(backup === undefined ? {} : { firstBackupAdvertAfterMs: round3(backup.timeMs - last.timeMs) }),
    ...(garp === undefined ? {} : { firstGarpAfterMs: round3(garp.timeMs - last.timeMs) }),
  };
}

/** "1795608453", "731328" -> ms since the epoch, to the microsecond (finer fractions are cut). */
function timeMsOf(seconds: string, fraction: string): number {
  return Number(seconds) * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6)) / 1000;
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

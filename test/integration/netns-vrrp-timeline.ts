/**
 * Who holds the VIP, continuously, as the kernel reports it: one `ip -ts monitor address link dev eth0`
 * per director namespace, started before the directors, records every add and removal of the VIP on
 * eth0 and every change of the link, with the monitor's microsecond wall-clock stamp. A director holds
 * the VIP on the link when the address is on eth0 and eth0 is up with carrier (an address on a downed
 * link answers nobody). The segments of the whole run say how many directors held it when, and which
 * change ended each segment; tests assert on them (exactly one holder in steady states, what ended each
 * overlap) and log the durations. Polling `ip addr` would miss overlaps shorter than its period.
 */
import type { LabProcess } from '../../src/lab/lab-process.js';
import { eventually, VIP, type DirectorHandle, type VrrpLab } from './netns-vrrp-harness.js';

export type VipChangeKind = 'vip-added' | 'vip-removed' | 'link-up' | 'link-down';

export interface VipChange {
  readonly director: string;
  readonly kind: VipChangeKind;
  /** Wall clock (ms since the epoch) as `ip -ts monitor` stamped the notification. */
  readonly atMs: number;
}

export interface HolderSegment {
  readonly fromMs: number;
  /** Infinity for the segment still open. */
  readonly toMs: number;
  /** Directors holding the VIP on an up link, sorted. */
  readonly holders: readonly string[];
  /** The change that ended the segment; undefined for the open one. */
  readonly endedBy: VipChange | undefined;
}

export interface VipMonitor {
  /** Every change seen so far, in time order. */
  changes(): VipChange[];
  /** The run cut into segments of constant holders, from the monitor's start. */
  segments(): HolderSegment[];
  /** Waits (bounded) until the live holders are exactly `names` (sorted); returns the segment. */
  waitForHolders(names: readonly string[], timeoutMs: number): Promise<HolderSegment>;
}

const stampPattern = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)\]\s*/;

/** `[2026-11-25T12:07:18.962760]` (local time) to ms since the epoch; undefined when absent. */
export function parseMonitorStamp(text: string): number | undefined {
  const m = stampPattern.exec(text);
  if (m === null) return undefined;
  return new Date(m[1] ?? '').getTime() + Number(`0${m[2] ?? ''}`) * 1000;
}

/**
 * One `ip -ts monitor address link` line to a change of `address` or of eth0's link, or undefined.
 * A line may carry several stamps (iproute2 prints one per message part): the last one counts.
 */
export function parseMonitorLine(director: string, line: string, address: string): VipChange | undefined {
  let rest = line;
  let atMs: number | undefined;
  for (let m = stampPattern.exec(rest); m !== null; m = stampPattern.exec(rest)) {
    atMs = parseMonitorStamp(rest);
    rest = rest.slice(m[0].length);
  }
  if (atMs === undefined) return undefined; // continuation line (link/ether, valid_lft)
  const isDeleted = rest.startsWith('Deleted ');
  const body = isDeleted ? rest.slice('Deleted '.length) : rest;
  if (new RegExp(`^\\d+: eth0\\s+inet6? ${address.replace(/\./g, '\\.')}/`).test(body)) {
    return { director, kind: isDeleted ? 'vip-removed' : 'vip-added', atMs };
  }
  const link = /^\d+: eth0(?:@\S+)?: <([^>]*)>/.exec(body);
  if (link === null || isDeleted) return undefined;
  const flags = (link[1] ?? '').split(',');
  const isUp = flags.includes('UP') && flags.includes('LOWER_UP') && !flags.includes('NO-CARRIER');
  return { director, kind: isUp ? 'link-up' : 'link-down', atMs };
}

/** Cuts a run into segments; every director starts without the VIP and with its link up. */
export function toSegments(directors: readonly string[], changes: readonly VipChange[], startMs: number): HolderSegment[] {
  const hasVip = new Map(directors.map((d) => [d, false]));
  const isUp = new Map(directors.map((d) => [d, true]));
  const holders = (): string[] => directors.filter((d) => hasVip.get(d) === true && isUp.get(d) === true).sort();
  const segments: HolderSegment[] = [];
  let fromMs = startMs;
  let current = holders();
  for (const change of [...changes].sort((a, b) => a.atMs - b.atMs)) {
    if (change.kind === 'vip-added' || change.kind === 'vip-removed') hasVip.set(change.director, change.kind === 'vip-added');
    else isUp.set(change.director, change.kind === 'link-up');
    const next = holders();
    if (next.join() === current.join()) continue;
    segments.push({ fromMs, toMs: change.atMs, holders: current, endedBy: change });
    fromMs = change.atMs;
    current = next;
  }
  segments.push({ fromMs, toMs: Infinity, holders: current, endedBy: undefined });
  return segments;
}

/** Starts one monitor per director and waits until each reports (it adds and removes a 198.51.100.x/32). */
export async function startVipMonitor(lab: VrrpLab, address: string = VIP): Promise<VipMonitor> {
  const startMs = performance.timeOrigin + performance.now();
  const monitors = await Promise.all(
    lab.topology.directors.map(async (node, i): Promise<[string, LabProcess]> => {
      const proc = await lab.topology.spawn(node.namespace, { name: `ip monitor ${node.name}`, file: 'ip', args: ['-ts', 'monitor', 'address', 'link', 'dev', 'eth0'] });
      // The monitor has subscribed once it reports an address added after its start; until then, retry.
      const probe = `198.51.100.${i + 1}/32`;
      for (let attempt = 1; ; attempt++) {
        await lab.topology.ipBatch(node.namespace, [`address add ${probe} dev eth0`]);
        const isSeen = await eventually(async () => (proc.lines('stdout').some((l) => l.includes(` ${probe} `)) ? true : undefined), 200).catch(() => false);
        await lab.topology.ipBatch(node.namespace, [`address del ${probe} dev eth0`]);
        if (isSeen) break;
        if (attempt === 25) throw new Error(`ip monitor in ${node.name} reported nothing`);
      }
      return [node.name, proc];
    }),
  );
  const names = monitors.map(([name]) => name);
  const changes = (): VipChange[] =>
    monitors
      .flatMap(([name, proc]) => proc.lines('stdout').flatMap((line) => parseMonitorLine(name, line, address) ?? []))
      .sort((a, b) => a.atMs - b.atMs);
  const segments = (): HolderSegment[] => toSegments(names, changes(), startMs);
  return {
    changes,
    segments,
    waitForHolders: (wanted, timeoutMs) =>
      eventually(async () => {
        const open = segments().at(-1);
        return open !== undefined && open.holders.join() === [...wanted].sort().join() ? open : undefined;
      }, timeoutMs),
  };
}

/**
 * The run as a sequence of holder sets ("director-2", "director-2+director-3", "-" for nobody), with the
 * race of a transfer folded away: when X hands the VIP to Y because one heard the other (a preemption, a
 * yield), X's removal and Y's add are milliseconds apart in either order, so between [X] and [Y] there is
 * a moment of [] (X removed first) or of [X, Y] (Y added first). Only such a moment is folded: one that a
 * link change started (a downed master, a returning one) stays in the sequence.
 */
export function foldTransfers(segments: readonly HolderSegment[]): string[] {
  const out: string[] = [];
  segments.forEach((s, i) => {
    const before = segments[i - 1];
    const after = segments[i + 1];
    const isBetweenTwo = before?.holders.length === 1 && after?.holders.length === 1 && before.holders[0] !== after.holders[0];
    const isRemovedFirst = s.holders.length === 0 && before?.endedBy?.kind === 'vip-removed' && s.endedBy?.kind === 'vip-added';
    const isAddedFirst = s.holders.length === 2 && before?.endedBy?.kind === 'vip-added' && s.endedBy?.kind === 'vip-removed';
    if (!(isBetweenTwo && (isRemovedFirst || isAddedFirst))) out.push(s.holders.join('+') || '-');
  });
  return out;
}

/** Segments with more than one holder: `[director...]` and how long, for t.log. */
export function describeSegment(s: HolderSegment): string {
  const duration = Number.isFinite(s.toMs) ? `${(s.toMs - s.fromMs).toFixed(1)} ms` : 'open';
  return `[${s.holders.join(' ')}] ${duration}${s.endedBy === undefined ? '' : `, ended by ${s.endedBy.director} ${s.endedBy.kind}`}`;
}

export interface OverlapEnding {
  readonly segment: HolderSegment;
  /** The director that removed the VIP to end the overlap, and the reason of the transition that made it. */
  readonly removedBy: string | undefined;
  readonly reason: string | undefined;
}

/**
 * For every closed segment with more than one holder: who ended it by removing the VIP, and why, from the
 * director's own event stream. The k-th removal `ip monitor` saw in a namespace is the k-th `vips-removed`
 * event of that director that removed something; the transition just before that event gives the reason.
 */
export function overlapEndings(monitor: VipMonitor, directors: readonly DirectorHandle[], sinceMs = 0): OverlapEnding[] {
  const removals = monitor.changes().filter((c) => c.kind === 'vip-removed');
  return monitor
    .segments()
    .filter((s) => s.holders.length > 1 && s.endedBy !== undefined && s.toMs > sinceMs)
    .map((segment) => {
      const ended = segment.endedBy;
      const director = directors.find((d) => d.node.name === ended?.director);
      if (ended?.kind !== 'vip-removed' || director === undefined) return { segment, removedBy: undefined, reason: undefined };
      const k = removals.filter((c) => c.director === ended.director && c.atMs <= ended.atMs).length;
      const lines = director.lines().filter((l) => l.type === 'event');
      const removal = lines.filter((l) => l['kind'] === 'vips-removed' && Array.isArray(l['addresses']) && l['addresses'].length > 0)[k - 1];
      const cause = removal === undefined ? undefined : lines.filter((l) => l['kind'] === 'transition' && Number(l['seq']) < Number(removal['seq'])).at(-1);
      return { segment, removedBy: ended.director, reason: typeof cause?.['reason'] === 'string' ? cause['reason'] : undefined };
    });
}

/**
 * Three lvsd lab directors (src/vrrp-lab/director-main.ts) in network namespaces on the host kernel,
 * VRRPv3 over IP protocol 112, 1 s adverts. `ip monitor` in every director namespace records each add and
 * removal of the VIP and each link change for the whole run (netns-vrrp-timeline.ts), so "one holder at a
 * time" is checked on every moment of the run, not on samples:
 *  - election by priority among three started together, then the master's link goes down (the next
 *    priority takes over when its master down timer fires) and comes back (the master's adverts reach
 *    the others again and it keeps the VIP);
 *  - preempt_delay next to default preemption: of two higher priorities joining a lower master, the one
 *    with preempt_delay takes over only after the one without it;
 *  - nopreempt: a higher priority joining stays backup behind a lower master, and still takes over when
 *    that master leaves;
 *  - equal priorities (RFC 5798 section 6.4.3): three masters of a partition heal, and the higher primary
 *    address of the two at the top priority stays master.
 * Asserted: outcomes and order (transition reasons, which change ended each overlap). Durations go to t.log.
 */
import type { ExecutionContext } from 'ava';
import { requirePrereqs } from '../support/prereqs.js';
import {
  blockVrrpInput,
  createVrrpLab,
  NFT_PREREQ,
  num,
  setLink,
  startDirector,
  type DirectorHandle,
  type DirectorLine,
  type VrrpLab,
} from './netns-vrrp-harness.js';
import { describeSegment, foldTransfers, overlapEndings, startVipMonitor, type HolderSegment, type VipMonitor } from './netns-vrrp-timeline.js';

const gate = requirePrereqs(['root', 'netns', 'ip', NFT_PREREQ]);

const wallNow = (): number => performance.timeOrigin + performance.now();

/** Starts directors `index -> params` at once (each waits for its own "started" line). */
async function startAll(lab: VrrpLab, params: Record<number, Record<string, unknown>>): Promise<Record<number, DirectorHandle>> {
  const entries = await Promise.all(Object.entries(params).map(async ([i, p]) => [Number(i), await startDirector(lab, Number(i), { vrid: 51, ...p })] as const));
  return Object.fromEntries(entries);
}

function pick(handles: Record<number, DirectorHandle>, index: number): DirectorHandle {
  const h = handles[index];
  if (h === undefined) throw new Error(`director-${index} was not started`);
  return h;
}

/** "to:reason" of each transition, in order. */
function path(d: DirectorHandle): string[] {
  return d.transitions().map((l) => `${String(l['to'])}:${String(l['reason'])}`);
}

/** A snapshot of the running instance (SIGUSR2 to the lab director). */
async function snapshotOf(d: DirectorHandle): Promise<DirectorLine> {
  const before = d.lines().filter((l) => l.type === 'snapshot').length;
  d.kill('SIGUSR2');
  await d.waitFor(() => d.lines().filter((l) => l.type === 'snapshot').length > before, 5_000);
  return d.lines().filter((l) => l.type === 'snapshot')[before] as DirectorLine;
}

/** The segments from the first one starting at or after `fromMs` to the one open at `toMs`. */
function segmentsBetween(monitor: VipMonitor, fromMs: number, toMs: number): HolderSegment[] {
  return monitor.segments().filter((s) => s.toMs > fromMs && s.fromMs < toMs);
}

function logSegments(t: ExecutionContext, monitor: VipMonitor): void {
  const segments = monitor.segments();
  const startMs = segments[0]?.fromMs ?? 0;
  t.log(`VIP holders: ${segments.map((s) => `+${(s.fromMs - startMs).toFixed(0)} ${describeSegment(s)}`).join('; ')}`);
}

/** The seq of a director's latest event (0 before any). */
function lastSeq(d: DirectorHandle): number {
  const last = d.lines().findLast((l) => l.type === 'event');
  return last === undefined ? 0 : num(last, 'seq');
}

function startSkewMs(handles: readonly DirectorHandle[]): number {
  const starts = handles.map((h) => num(h.lines().find((l) => l.type === 'started') ?? { type: 'none' }, 'wallTimeMs'));
  return Math.max(...starts) - Math.min(...starts);
}

gate.serial('three directors: the highest priority is elected; its link goes down and the next takes over; it comes back and keeps the VIP', async (t) => {
  const lab = await createVrrpLab(t, 3);
  const monitor = await startVipMonitor(lab);
  // Master down intervals (RFC 5798 6.1, 1 s adverts): 3.02 s at 250, 3.41 s at 150, 3.80 s at 50. Started
  // together, the highest fires first unless it started that much later than another (Node's start on a
  // loaded host has been seen 0.4 s apart): then a lower one is master for a moment and is preempted.
  const ds = await startAll(lab, { 1: { priority: 50 }, 2: { priority: 250 }, 3: { priority: 150 } });
  const [d1, d2, d3] = [pick(ds, 1), pick(ds, 2), pick(ds, 3)];
  t.log(`started within ${startSkewMs([d1, d2, d3]).toFixed(1)} ms of each other`);
  const elected = await d2.waitForState('master', 10_000);
  await d2.waitFor((l) => l['kind'] === 'vips-added', 2_000);
  await monitor.waitForHolders(['director-2'], 3_000);
  const electedAtMs = wallNow();
  const priorityOf: Record<string, number> = { '-': 0, 'director-1': 50, 'director-2': 250, 'director-3': 150 };
  const election = foldTransfers(segmentsBetween(monitor, 0, electedAtMs));
  t.deepEqual(election.map((h) => priorityOf[h]), election.map((h) => priorityOf[h]).sort((a, b) => (a ?? 0) - (b ?? 0)), `the VIP only moved up in priority: ${election.join(' -> ')}`);
  t.is(election.at(-1), 'director-2');
  t.true(['no-master-heard', 'preempting-lower-priority'].includes(String(elected['reason'])));
  const electionSeq = { d1: lastSeq(d1), d3: lastSeq(d3) };

  const downAtMs = wallNow();
  await setLink(lab, 2, 'down');
  const took = await d3.waitForState('master', 10_000);
  t.is(took['reason'], 'master-silent', "director-3's master down timer fired");
  await monitor.waitForHolders(['director-3'], 3_000);
  t.log(`link down -> director-3 master after ${(num(took, 'wallTimeMs') - downAtMs).toFixed(1)} ms (master down interval at 150: 3414 ms)`);

  const upAtMs = wallNow();
  await setLink(lab, 2, 'up');
  const yielded = await d3.waitForState('backup', 10_000, num(took, 'seq'));
  t.is(yielded['reason'], 'higher-priority-advert');
  await monitor.waitForHolders(['director-2'], 3_000);
  await d2.waitFor((l) => l['kind'] === 'garp-round' && l['occasion'] === 'lower-priority-advert' && num(l, 'wallTimeMs') > upAtMs, 3_000);
  const settledAtMs = wallNow();
  t.log(`link up -> director-3 yielded after ${(num(yielded, 'wallTimeMs') - upAtMs).toFixed(1)} ms`);

  const since = (d: DirectorHandle, seq: number): string[] => path(d).slice(d.transitions().filter((l) => num(l, 'seq') <= seq).length);
  t.deepEqual(since(d1, electionSeq.d1), [], 'the lowest priority stayed backup throughout');
  t.is(path(d2).at(-1), 'master:' + String(elected['reason']), 'director-2 kept its mastership through the link loss');
  t.deepEqual(since(d3, electionSeq.d3), ['master:master-silent', 'backup:higher-priority-advert']);
  const snapshots = await Promise.all([d1, d2, d3].map(snapshotOf));
  t.deepEqual(snapshots.map((s) => `${String(s['state'])} ${String(s['masterAddress'])}`), ['backup 192.0.2.12', 'master 192.0.2.12', 'backup 192.0.2.12'], 'all agree on the master');

  // The VIP, moment by moment after the election: director-2 alone until its link went down; nobody until
  // director-3's takeover; director-3 alone until the link came back; both until director-3's yield;
  // then director-2 alone.
  t.deepEqual(foldTransfers(segmentsBetween(monitor, electedAtMs, settledAtMs)), ['director-2', '-', 'director-3', 'director-2+director-3', 'director-2']);
  const gap = monitor.segments().find((s) => s.holders.length === 0 && s.fromMs >= downAtMs);
  t.is(gap?.endedBy?.director, 'director-3');
  t.deepEqual(overlapEndings(monitor, [d1, d2, d3], electedAtMs).map((o) => `${o.removedBy}:${o.reason}`), ['director-3:higher-priority-advert']);
  logSegments(t, monitor);
});

gate.serial('preempt_delay: of two higher priorities joining, the delayed one takes over only after the one without delay', async (t) => {
  const lab = await createVrrpLab(t, 3);
  const monitor = await startVipMonitor(lab);
  const d2 = pick(await startAll(lab, { 2: { priority: 100 } }), 2);
  await d2.waitForState('master', 10_000);
  await monitor.waitForHolders(['director-2'], 3_000);

  // director-1 (200) may preempt only 6 s after its start (keepalived's preempt_delay counts from startup);
  // director-3 (150) preempts at once, that is at its master down interval.
  const joined = await startAll(lab, { 1: { priority: 200, preemptDelayMs: 6000 }, 3: { priority: 150 } });
  const [d1, d3] = [pick(joined, 1), pick(joined, 3)];
  const d3Master = await d3.waitForState('master', 10_000);
  const d1Master = await d1.waitForState('master', 15_000);
  t.is(d3Master['reason'], 'preempting-lower-priority');
  t.is(d1Master['reason'], 'preempting-lower-priority');
  t.true(num(d3Master, 'wallTimeMs') < num(d1Master, 'wallTimeMs'), 'the lower priority without delay took over first');
  await d3.waitForState('backup', 5_000, num(d3Master, 'seq'));
  await monitor.waitForHolders(['director-1'], 3_000);

  t.deepEqual(path(d1), ['backup:startup', 'master:preempting-lower-priority'], 'director-1 waited out its delay as backup');
  t.deepEqual(path(d2), ['backup:startup', 'master:no-master-heard', 'backup:higher-priority-advert']);
  t.deepEqual(path(d3), ['backup:startup', 'master:preempting-lower-priority', 'backup:higher-priority-advert']);
  t.deepEqual(foldTransfers(monitor.segments()), ['-', 'director-2', 'director-3', 'director-1'], 'one holder at a time, but for the race of each preemption');
  t.true(overlapEndings(monitor, [d1, d2, d3]).every((o) => o.reason === 'higher-priority-advert'), 'any overlap ended with the preempted master yielding');
  const startedAt = (d: DirectorHandle): number => num(d.lines().find((l) => l.type === 'started') ?? { type: 'none' }, 'wallTimeMs');
  t.log(`after their start: director-3 (150, no delay) master at ${(num(d3Master, 'wallTimeMs') - startedAt(d3)).toFixed(0)} ms, director-1 (200, preempt_delay 6 s) at ${(num(d1Master, 'wallTimeMs') - startedAt(d1)).toFixed(0)} ms`);
  logSegments(t, monitor);
});

gate.serial('nopreempt: a higher priority joining stays backup behind the master, and takes over when the master leaves', async (t) => {
  const lab = await createVrrpLab(t, 3);
  const monitor = await startVipMonitor(lab);
  const d2 = pick(await startAll(lab, { 2: { priority: 100 } }), 2);
  await d2.waitForState('master', 10_000);
  const joined = await startAll(lab, { 1: { priority: 200, preempt: false }, 3: { priority: 150 } });
  const [d1, d3] = [pick(joined, 1), pick(joined, 3)];
  const d3Master = await d3.waitForState('master', 10_000);
  t.is(d3Master['reason'], 'preempting-lower-priority', 'director-3 (150, preempt) takes over from director-2 (100)');
  await monitor.waitForHolders(['director-3'], 3_000);
  // Without nopreempt director-1 (200) would have preempted within its master down interval (3.2 s) of
  // hearing a lower priority: give it two.
  const watchMs = 6_500;
  await new Promise((resolve) => setTimeout(resolve, watchMs));
  t.deepEqual(path(d1), ['backup:startup'], `director-1 stayed backup for ${watchMs} ms behind a lower priority`);

  d3.kill('SIGTERM'); // planned handover
  const took = await d1.waitForState('master', 5_000);
  t.is(took['reason'], 'master-released', 'the highest backup takes over at its skew time');
  await d3.waitFor((l) => l.type === 'stopped', 5_000);
  await monitor.waitForHolders(['director-1'], 3_000);
  t.deepEqual(path(d2), ['backup:startup', 'master:no-master-heard', 'backup:higher-priority-advert'], 'director-2 stayed backup when director-3 left');
  t.deepEqual(foldTransfers(monitor.segments()), ['-', 'director-2', 'director-3', 'director-1'], 'one holder at a time, but for the race of each transfer');
  const handover = overlapEndings(monitor, [d1, d2, d3]).at(-1);
  t.is(`${handover?.removedBy}:${handover?.reason}`, 'director-3:handover-new-master-heard', 'the planned handover: both hold the VIP, then the old master releases it');
  t.true(overlapEndings(monitor, [d1, d2, d3]).slice(0, -1).every((o) => o.reason === 'higher-priority-advert'));
  logSegments(t, monitor);
});

gate.serial('equal priorities: after a three-way split heals, the higher primary address of the top priority stays master', async (t) => {
  const lab = await createVrrpLab(t, 3);
  const monitor = await startVipMonitor(lab);
  await Promise.all([1, 2, 3].map((i) => blockVrrpInput(lab, i, true)));
  const ds = await startAll(lab, { 1: { priority: 150 }, 2: { priority: 100 }, 3: { priority: 150 } });
  const [d1, d2, d3] = [pick(ds, 1), pick(ds, 2), pick(ds, 3)];
  await Promise.all([d1, d2, d3].map((d) => d.waitForState('master', 10_000)));
  await monitor.waitForHolders(['director-1', 'director-2', 'director-3'], 3_000);

  const healAtMs = wallNow();
  await Promise.all([1, 2, 3].map((i) => blockVrrpInput(lab, i, false)));
  const d1Yield = await d1.waitForState('backup', 5_000, 2);
  const d2Yield = await d2.waitForState('backup', 5_000, 2);
  await monitor.waitForHolders(['director-3'], 3_000);
  t.is(d1Yield['reason'], 'equal-priority-higher-address', '150 from 192.0.2.13 beats 150 from 192.0.2.11');
  t.is(d2Yield['reason'], 'higher-priority-advert');
  t.deepEqual(path(d3), ['backup:startup', 'master:no-master-heard'], 'director-3 never left master');
  await d3.waitFor((l) => l['kind'] === 'garp-round' && l['occasion'] === 'lower-priority-advert' && num(l, 'wallTimeMs') > healAtMs, 3_000);
  const endings = overlapEndings(monitor, [d1, d2, d3], healAtMs);
  t.deepEqual(endings.map((o) => o.removedBy).sort(), ['director-1', 'director-2'], 'each overlap ended with a loser removing the VIP');
  t.true(endings.every((o) => o.reason === 'equal-priority-higher-address' || o.reason === 'higher-priority-advert'));
  t.log(`heal -> one holder after ${((monitor.segments().at(-1)?.fromMs ?? NaN) - healAtMs).toFixed(1)} ms`);
  logSegments(t, monitor);
});

/**
 * Split brain and its heal, seen by a client, with two lvsd lab directors (src/vrrp-lab/director-main.ts)
 * in network namespaces on the host kernel: VRRPv3 over IP protocol 112, 1 s adverts, director-1 at
 * priority 200, director-2 at 100. Each director runs the lab's HTTP name server on 0.0.0.0:80, so
 * whoever holds the VIP answers for it with its name; the client probes http://VIP/ every 10 ms and
 * tcpdump records its ARP and HTTP traffic. The partition is nftables in the director namespaces dropping
 * received protocol 112 (netns-vrrp-harness.ts blockVrrpInput): both directors become master, and the
 * client follows director-2's gratuitous ARP to it.
 *
 *  - Heal: director-2 yields, and its farewell advert at its own priority (issue 4) makes director-1
 *    re-announce the VIP; the client's traffic moves to director-1 on that GARP, without ARPing
 *    itself (keepalived in our lab leaves clients on the loser's MAC for 27-36 s);
 *  - Heal in one direction only (director-2 hears director-1, not the reverse), with a 2.3 s periodic
 *    GARP refresh: director-1 never hears the farewell, and its next refresh moves the client.
 *
 * Asserted: order and outcomes (who yields and why, what the client's traffic follows, the client's
 * neighbour entry). Measured and logged: the client's blackhole after the heal (from the loser's removal
 * of the VIP, as `ip monitor` saw it, to the client's first packet to the winner's MAC) and the prober's
 * longest run of failed requests.
 */
import type { ExecutionContext } from 'ava';
import { longestFailureGap } from '../../src/lab/probe-analysis.js';
import type { ProbeRecord } from '../../src/lab/prober.js';
import { requirePrereqs } from '../support/prereqs.js';
import { clientNeighbour, endsWithAnswersFrom, startClientProbe, startNameServers, type ClientProbe } from './netns-vrrp-client.js';
import {
  blockVrrpInput,
  createVrrpLab,
  eventually,
  macOf,
  NFT_PREREQ,
  num,
  startCapture,
  startDirector,
  tsharkFields,
  VIP,
  type Capture,
  type DirectorHandle,
  type DirectorLine,
  type VrrpLab,
} from './netns-vrrp-harness.js';
import { describeSegment, startVipMonitor, type VipMonitor } from './netns-vrrp-timeline.js';

const gate = requirePrereqs(['root', 'netns', 'ip', 'tcpdump', 'tshark', NFT_PREREQ]);

const wallNow = (): number => performance.timeOrigin + performance.now();
const CLIENT = '192.0.2.100';
const REFRESH_MS = 2300;

interface SplitLab {
  readonly lab: VrrpLab;
  readonly monitor: VipMonitor;
  readonly winner: DirectorHandle;
  readonly loser: DirectorHandle;
  readonly macs: { readonly winner: string; readonly loser: string };
  readonly probe: ClientProbe;
  readonly capture: Capture;
}

/** Both directors up, director-1 master, the client probing it, then the partition: both masters, the client on director-2. */
async function splitBrain(t: ExecutionContext, extra: Record<string, unknown>): Promise<SplitLab> {
  const lab = await createVrrpLab(t, 2);
  const monitor = await startVipMonitor(lab);
  await startNameServers(lab);
  const winner = await startDirector(lab, 1, { vrid: 51, priority: 200, ...extra });
  const loser = await startDirector(lab, 2, { vrid: 51, priority: 100, ...extra });
  await winner.waitForState('master', 10_000);
  await monitor.waitForHolders(['director-1'], 3_000);
  // Its election's announcements end first (keepalived's defaults: 5 rounds, 5 more 5 s later), so that
  // none of them falls after the heal and moves the client for a reason other than the one under test.
  const electionRounds = (): number => winner.lines().filter((l) => l['kind'] === 'garp-round' && l['occasion'] === 'became-master').length;
  await eventually(async () => (electionRounds() >= 10 ? true : undefined), 10_000);
  const macs = { winner: await macOf(lab, 1), loser: await macOf(lab, 2) };

  const capture = await startCapture(lab, `arp or (tcp port 80 and host ${VIP})`);
  const probe = await startClientProbe(lab, { intervalMs: 10, timeoutMs: 100, count: 1900, maxDurationMs: 40_000 });
  await probe.waitUntil((r) => endsWithAnswersFrom(r, 'director-1', 5), 5_000);

  const loserBackupSeq = lastSeq(loser);
  await Promise.all([blockVrrpInput(lab, 1, true), blockVrrpInput(lab, 2, true)]);
  const split = await loser.waitForState('master', 10_000, loserBackupSeq);
  t.is(split['reason'], 'master-silent', 'partitioned, director-2 stops hearing director-1 and takes over');
  await monitor.waitForHolders(['director-1', 'director-2'], 3_000);
  // director-2's gratuitous ARP moves the client, whose entry for the VIP pointed at director-1.
  await probe.waitUntil((r) => endsWithAnswersFrom(r, 'director-2', 5), 5_000);
  t.is((await clientNeighbour(lab))?.mac, macs.loser, 'during the split the client sends to director-2');
  return { lab, monitor, winner, loser, macs, probe, capture };
}

interface ClientView {
  /** Capture time of the first client packet to the VIP sent to the winner's MAC after the heal. */
  readonly switchedAtMs: number;
  /** The winner's gratuitous ARPs for the VIP after the heal, capture times. */
  readonly winnerGarpsMs: readonly number[];
  /** ARP requests from the client for the VIP between the heal and the switch. */
  readonly clientWhoHas: number;
  /** Client packets to the VIP sent to the loser's MAC after the switch. */
  readonly toLoserAfterSwitch: number;
  /** The last client packet to the VIP sent to the loser's MAC before the switch. */
  readonly lastToLoserMs: number | undefined;
}

async function clientView(s: SplitLab, file: string, healAtMs: number): Promise<ClientView> {
  const rows = await tsharkFields(s.lab, file, 'arp or ip', ['frame.time_epoch', 'eth.src', 'eth.dst', 'arp.opcode', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4', 'ip.src', 'ip.dst']);
  const packets = rows.map(([time, src, dst, opcode, arpSrc, arpDst, ipSrc, ipDst]) => ({ atMs: Number(time) * 1000, src, dst, opcode, arpSrc, arpDst, ipSrc, ipDst }));
  const after = packets.filter((p) => p.atMs >= healAtMs);
  const toVip = (p: (typeof packets)[number]): boolean => p.ipSrc === CLIENT && p.ipDst === VIP;
  const switched = after.find((p) => toVip(p) && p.dst === s.macs.winner);
  if (switched === undefined) throw new Error('the client never sent to the winner after the heal');
  const beforeSwitch = after.filter((p) => p.atMs < switched.atMs);
  return {
    switchedAtMs: switched.atMs,
    winnerGarpsMs: after.filter((p) => p.src === s.macs.winner && p.opcode === '1' && p.arpSrc === VIP && p.arpDst === VIP).map((p) => p.atMs),
    clientWhoHas: beforeSwitch.filter((p) => p.opcode === '1' && p.arpSrc === CLIENT && p.arpDst === VIP).length,
    toLoserAfterSwitch: after.filter((p) => p.atMs > switched.atMs && toVip(p) && p.dst === s.macs.loser).length,
    lastToLoserMs: packets.filter((p) => p.atMs < switched.atMs && toVip(p) && p.dst === s.macs.loser).at(-1)?.atMs,
  };
}

/** The loser's VIP removal after `sinceMs`, as ip monitor saw it. */
function loserRemovedAt(s: SplitLab, sinceMs: number): number {
  const change = s.monitor.changes().find((c) => c.director === s.loser.node.name && c.kind === 'vip-removed' && c.atMs >= sinceMs);
  if (change === undefined) throw new Error('the loser never removed the VIP');
  return change.atMs;
}

function probesAfter(records: readonly ProbeRecord[], first: ProbeRecord | undefined): ProbeRecord[] {
  return first === undefined ? [] : records.filter((r) => r.seq >= first.seq);
}

/**
 * Logs the blackhole two ways. On the wire: from the loser's removal of the VIP (ip monitor) to the
 * winner's first GARP after the heal (capture), 0 when the GARP came first; packets the client sends
 * to the loser's MAC in between are lost. At the client: from that removal to its first packet to the
 * winner's MAC, which also depends on when the client next sends (a probe to the loser waits out its
 * 100 ms timeout before the next one starts), and the prober's longest run of failed requests.
 */
function logOutcome(t: ExecutionContext, what: string, s: SplitLab, view: ClientView, healAtMs: number, records: readonly ProbeRecord[]): void {
  const removedAtMs = loserRemovedAt(s, healAtMs);
  const wireMs = Math.max(0, (view.winnerGarpsMs[0] ?? NaN) - removedAtMs);
  const lastLoser = records.findLast((r) => r.outcome === 'ok' && r.server === s.loser.node.name);
  const gap = longestFailureGap(probesAfter(records, lastLoser));
  const lostToLoser = view.lastToLoserMs !== undefined && view.lastToLoserMs > removedAtMs;
  t.log(
    `${what}: the loser removed the VIP ${(removedAtMs - healAtMs).toFixed(1)} ms after the heal; blackhole on the wire ${wireMs.toFixed(1)} ms ` +
      `(winner's first GARP ${((view.winnerGarpsMs[0] ?? NaN) - removedAtMs).toFixed(1)} ms after the removal); ` +
      `client: ${lostToLoser ? 'a packet went to the loser after its removal, ' : ''}first packet to the winner ${(view.switchedAtMs - removedAtMs).toFixed(1)} ms after the removal, ` +
      `${gap.count} failed requests in a row (${gap.durationMs.toFixed(1)} ms) after the loser's last answer`,
  );
}

/** The seq of a director's latest event (0 before any). */
function lastSeq(d: DirectorHandle): number {
  const last = d.lines().findLast((l) => l.type === 'event');
  return last === undefined ? 0 : num(last, 'seq');
}

function transitionsSince(d: DirectorHandle, seq: number): DirectorLine[] {
  return d.transitions().filter((l) => num(l, 'seq') > seq);
}

gate.serial('split brain heals: the loser announces as it yields, the winner re-announces, the client follows the winner at once', async (t) => {
  const s = await splitBrain(t, {});
  const { lab, monitor, winner, loser, probe, capture } = s;
  const winnerSeq = lastSeq(winner);
  const loserSeq = lastSeq(loser);

  const healAtMs = wallNow();
  await Promise.all([blockVrrpInput(lab, 1, false), blockVrrpInput(lab, 2, false)]);
  const yielded = await loser.waitForState('backup', 5_000, loserSeq);
  t.is(yielded['reason'], 'higher-priority-advert');
  const reannounced = await winner.waitFor((l) => l['kind'] === 'garp-round' && l['occasion'] === 'lower-priority-advert' && num(l, 'seq') > winnerSeq, 5_000);
  t.truthy(reannounced, 'the winner heard the loser and re-announced the VIP');
  await monitor.waitForHolders(['director-1'], 3_000);
  await probe.waitUntil((r) => endsWithAnswersFrom(r, 'director-1', 20), 10_000);
  const records = await probe.stop();
  const view = await clientView(s, await capture.stop(), healAtMs);

  t.deepEqual(transitionsSince(winner, 0).map((l) => `${String(l['to'])}:${String(l['reason'])}`), ['backup:startup', 'master:no-master-heard'], 'the winner never left master');
  t.true(view.winnerGarpsMs.length > 0 && (view.winnerGarpsMs[0] ?? Infinity) <= view.switchedAtMs, "the winner's GARP came before the client's first packet to it");
  t.is(view.clientWhoHas, 0, 'the client did not have to ARP: the GARP moved it');
  t.is(view.toLoserAfterSwitch, 0, 'once moved, nothing more went to the loser');
  t.is((await clientNeighbour(lab))?.mac, s.macs.winner);
  // The two-holder segment of the split ended with the loser's removal.
  const split = monitor.segments().findLast((g) => g.holders.length === 2);
  t.is(split?.endedBy?.director, 'director-2');
  t.is(split?.endedBy?.kind, 'vip-removed');
  t.log(`split: ${split === undefined ? '-' : describeSegment(split)}`);
  logOutcome(t, 'symmetric heal', s, view, healAtMs, records);
});

gate.serial('a heal heard one way only: the loser yields unheard, and the periodic GARP refresh moves the client', async (t) => {
  // Not a multiple of the advert interval: a refresh falling with the advert that makes the loser yield
  // would move the client before the loser even removed the VIP, and show nothing of the refresh.
  const s = await splitBrain(t, { garp: { masterRefreshMs: REFRESH_MS } });
  const { lab, monitor, winner, loser, probe, capture } = s;
  const winnerSeq = lastSeq(winner);
  const loserSeq = lastSeq(loser);

  const healAtMs = wallNow();
  await blockVrrpInput(lab, 2, false); // director-2 hears director-1 again; director-1 still hears nothing
  const yielded = await loser.waitForState('backup', 5_000, loserSeq);
  t.is(yielded['reason'], 'higher-priority-advert');
  await monitor.waitForHolders(['director-1'], 3_000);
  await probe.waitUntil((r) => endsWithAnswersFrom(r, 'director-1', 20), 10_000);
  const records = await probe.stop();
  const view = await clientView(s, await capture.stop(), healAtMs);
  await blockVrrpInput(lab, 1, false);

  const rounds = winner.lines().filter((l) => l.type === 'event' && num(l, 'seq') > winnerSeq && l['kind'] === 'garp-round');
  t.deepEqual([...new Set(rounds.map((l) => l['occasion']))], ['refresh'], 'the winner never heard the farewell: only its refresh announced the VIP');
  t.true(view.winnerGarpsMs.length > 0 && (view.winnerGarpsMs[0] ?? Infinity) <= view.switchedAtMs, "the winner's GARP came before the client's first packet to it");
  t.is(view.clientWhoHas, 0, 'the client did not have to ARP: the refresh moved it');
  t.is(view.toLoserAfterSwitch, 0);
  t.is((await clientNeighbour(lab))?.mac, s.macs.winner);
  logOutcome(t, `one-way heal, refresh every ${REFRESH_MS} ms`, s, view, healAtMs, records);
});

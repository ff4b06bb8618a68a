/**
 * Sync groups on the in-memory link with a fake clock: two directors, each with a sync group of two real
 * VrrpInstance drivers (VRID 51 floats 192.0.2.100, VRID 52 192.0.2.101), coordinated by
 * src/vrrp/sync-group-coordinator.ts. VRRPv3, 1 s adverts, 1 ms latency. Expected times from RFC 5798
 * section 6.1: Master_Down_Interval = 3 s + (256 - priority) / 256 s, Skew_Time = (256 - priority) / 256 s.
 */
import test from 'ava';
import { sleep } from '../../../src/core/clock.js';
import { parseIpPrefix } from '../../../src/core/ip.js';
import { silentLogger } from '../../../src/core/logger.js';
import { alwaysGrantTakeover, type TakeoverGate } from '../../../ha/takeover-gate.js';
import { createSyncGroupCoordinator, type SyncGroupCoordinator, type SyncGroupTransition } from '../../../src/vrrp/sync-group-coordinator.js';
import { InstanceHarness } from '../ha/support/instance-harness.js';

const MDI_200 = 3218.75;
const MDI_210 = 3179.6875;
const MDI_100 = 3609.375;
const SKEW_100 = 609.375;
const VIP_51 = '192.0.2.100/32';
const VIP_52 = '192.0.2.101/32';

interface Lab {
  readonly h: InstanceHarness;
  readonly groups: Record<'GA' | 'GB', SyncGroupCoordinator>;
  readonly transitions: SyncGroupTransition[];
  /** Adds director X's two members (X1 on VRID 51, X2 on VRID 52) at `priority`. */
  director(x: 'A' | 'B', address: string, priority: number, inner?: Partial<Record<string, TakeoverGate>>): void;
}

function prefix(text: string) {
  const r = parseIpPrefix(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function lab(): Lab {
  const h = new InstanceHarness();
  const transitions: SyncGroupTransition[] = [];
  const make = (name: string, members: string[]): SyncGroupCoordinator =>
    createSyncGroupCoordinator({ name, members }, { logger: silentLogger, onTransition: (tr) => transitions.push(tr) });
  const groups = { GA: make('GA', ['A1', 'A2']), GB: make('GB', ['B1', 'B2']) };
  return {
    h,
    groups,
    transitions,
    director(x, address, priority, inner = {}) {
      const group = groups[x === 'A' ? 'GA' : 'GB'];
      for (const [suffix, vrid, vip] of [['1', 51, VIP_51], ['2', 52, VIP_52]] as const) {
        const name = `${x}${suffix}`;
        h.add({ name, address, vrid, priority, vips: [{ address: prefix(vip) }], gate: group.gateFor(name, inner[name] ?? alwaysGrantTakeover) });
        group.attach(h.get(name).instance);
      }
    },
  };
}

function holds(l: Lab, name: string): string[] {
  return l.h.get(name).addresses.texts('eth0');
}

function reasons(l: Lab, name: string): string[] {
  return l.h
    .get(name)
    .instance.events()
    .flatMap((e) => (e.kind === 'transition' ? [`${e.from}->${e.to}:${e.reason}`] : []));
}

function groupMoves(l: Lab, group: string): string[] {
  return l.transitions.filter((tr) => tr.group === group).map((tr) => `${tr.from}->${tr.to}`);
}

async function electedPair(): Promise<Lab> {
  const l = lab();
  l.director('A', '192.0.2.1', 200);
  l.director('B', '192.0.2.2', 100);
  await l.h.start('A1', 'A2', 'B1', 'B2');
  await l.h.run(10_000);
  return l;
}

test('election: both members of the higher director become master together; each group goes BACKUP at start, then one MASTER', async (t) => {
  const l = await electedPair();
  t.deepEqual(l.h.masters(), ['A1', 'A2']);
  t.is(l.h.enteredAt('A1', 'master'), MDI_200);
  t.is(l.h.enteredAt('A2', 'master'), MDI_200);
  t.deepEqual([holds(l, 'A1'), holds(l, 'A2'), holds(l, 'B1'), holds(l, 'B2')], [[VIP_51], [VIP_52], [], []]);
  t.deepEqual(groupMoves(l, 'GA'), ['initialize->backup', 'backup->master']);
  t.deepEqual(groupMoves(l, 'GB'), ['initialize->backup']);
  t.like(l.groups.GA.snapshot(), { state: 'master', heldTakeovers: [] });
});

test('FAULT: one member\'s tracker fails on the master, both members go FAULT and both VIPs move to the other director; back when it recovers', async (t) => {
  const l = await electedPair();
  l.groups.GA.setMemberTrackers('A1', 0, true);
  await l.h.run(5_000);
  t.deepEqual(l.h.masters(), ['B1', 'B2']);
  t.is(l.h.enteredAt('B1', 'master'), 10_000 + 1 + SKEW_100, 'priority 0 from A1: B1 takes over after its skew time');
  t.is(l.h.enteredAt('B2', 'master'), 10_000 + 1 + SKEW_100, 'A2 followed A1 into FAULT with priority 0 too');
  t.deepEqual([holds(l, 'A1'), holds(l, 'A2'), holds(l, 'B1'), holds(l, 'B2')], [[], [], [VIP_51], [VIP_52]]);
  t.is(reasons(l, 'A2').at(-1), 'master->fault:tracker-fault');
  const fault = l.transitions.find((tr) => tr.group === 'GA' && tr.to === 'fault');
  t.like(fault, { from: 'master', faultyMembers: ['A1'] });
  t.deepEqual(l.groups.GA.snapshot().members.map((m) => `${m.name}:${m.state}:${m.isOwnFault}`), ['A1:fault:true', 'A2:fault:false']);

  l.groups.GA.setMemberTrackers('A1', 0, false);
  await l.h.run(10_000);
  t.deepEqual(l.h.masters(), ['A1', 'A2'], 'recovered, both preempt the lower director again');
  t.deepEqual(groupMoves(l, 'GA'), ['initialize->backup', 'backup->master', 'master->fault', 'fault->backup', 'backup->master']);
  t.deepEqual(groupMoves(l, 'GB'), ['initialize->backup', 'backup->master', 'master->backup']);
});

test('MASTER only when every member wants it: a member that would preempt waits while the other still hears its master', async (t) => {
  const l = await electedPair();
  // A1 drops to 50 (below B1's 100), A2 stays at 200 (above B2's 100).
  l.groups.GA.setMemberTrackers('A1', -150, false);
  await l.h.run(10_000);
  t.deepEqual(l.h.masters(), ['A1', 'A2'], 'keepalived prefers BACKUP to a split group');
  t.deepEqual(l.groups.GB.snapshot().heldTakeovers, ['B1']);
  t.true(l.h.get('B1').instance.snapshot().isTakeoverPending);
  t.deepEqual(reasons(l, 'B1'), ['initialize->backup:startup']);

  // A2 drops below B2 too: B2 wants master after its master down interval, and both go together.
  const loweredAt = l.h.clock.now();
  l.groups.GA.setMemberTrackers('A2', -150, false);
  await l.h.run(10_000);
  t.deepEqual(l.h.masters(), ['B1', 'B2']);
  const b1At = l.h.enteredAt('B1', 'master') ?? NaN;
  t.is(l.h.enteredAt('B2', 'master'), b1At);
  t.true(b1At > loweredAt && b1At <= loweredAt + 1000 + MDI_100, `B1 and B2 at ${b1At}`);
  t.deepEqual(l.groups.GB.snapshot().heldTakeovers, []);
  t.deepEqual([holds(l, 'A1'), holds(l, 'A2'), holds(l, 'B1'), holds(l, 'B2')], [[], [], [VIP_51], [VIP_52]]);
});

test('BACKUP together: a master member that yields takes the other with it (no priority 0), even before that one hears its rival', async (t) => {
  const l = lab();
  l.director('A', '192.0.2.1', 200);
  // B2's own takeover gate answers 50 ms late (a slow quorum or fencing check, say).
  const slowGate: TakeoverGate = {
    async decide(_request, signal) {
      await sleep(l.h.clock, 50, signal);
      return { isGranted: true };
    },
  };
  l.director('B', '192.0.2.2', 210, { B2: slowGate });
  await l.h.start('A1', 'A2');
  await l.h.run(5_000);
  await l.h.start('B1', 'B2');
  await l.h.run(10_000);
  t.deepEqual(l.h.masters(), ['B1', 'B2']);
  const b1At = 5_000 + MDI_210;
  t.is(l.h.enteredAt('B1', 'master'), b1At);
  t.is(l.h.enteredAt('B2', 'master'), b1At + 50);
  t.is(reasons(l, 'A1').at(-1), 'master->backup:higher-priority-advert');
  t.is(reasons(l, 'A2').at(-1), 'master->backup:sync-group-backup');
  t.is(l.h.enteredAt('A2', 'backup'), b1At + 1, 'A2 left with A1, 49 ms before B2 spoke');
  const yielded = l.transitions.find((tr) => tr.group === 'GA' && tr.to === 'backup' && tr.from === 'master');
  t.like(yielded, { member: 'A1', memberReason: 'higher-priority-advert', commands: [{ member: 'A2', target: 'backup' }] });
  const a2Adverts = l.h.network.frames.filter((f) => f.from === '192.0.2.1' && f.bytes[1] === 52 && f.atMs >= b1At);
  t.false(a2Adverts.some((f) => f.bytes[2] === 0), 'no priority-0 advert: keepalived\'s vrrp_state_leave_master for the group');
  t.deepEqual([holds(l, 'A1'), holds(l, 'A2'), holds(l, 'B1'), holds(l, 'B2')], [[], [], [VIP_51], [VIP_52]]);
});

test('a member that starts after the group went to FAULT is put in FAULT too', async (t) => {
  const l = lab();
  l.director('A', '192.0.2.1', 200);
  await l.h.start('A1');
  l.groups.GA.setMemberTrackers('A1', 0, true);
  await l.h.run(100);
  await l.h.start('A2');
  l.groups.GA.applyTrackers();
  await l.h.run(10_000);
  t.deepEqual([l.h.get('A1').instance.snapshot().state, l.h.get('A2').instance.snapshot().state], ['fault', 'fault']);
  t.deepEqual(l.h.masters(), []);
  t.is(l.groups.GA.snapshot().state, 'fault');
});

/**
 * Fake-clock simulations of 2 and 3 directors on an in-memory link (support/vrrp-network-sim.ts): the real
 * codec, receive filter and state machine; 1 ms latency; VRRPv3, Advertisement_Interval 1 s unless said.
 * Expected times are worked from RFC 5798 section 6.1: Master_Down_Interval = 3 s + (256 - p) / 256 s.
 */
import test from 'ava';
import { VrrpSimulation } from './support/vrrp-network-sim.js';

const MDI_200 = 3218.75;
const MDI_150 = 3414.0625;
const MDI_100 = 3609.375;
const SKEW_100 = 609.375;
const SKEW_150 = 414.0625;

function threeDirectors(): VrrpSimulation {
  const sim = new VrrpSimulation();
  sim.add({ name: 'A', address: '192.0.2.1', priority: 200 });
  sim.add({ name: 'B', address: '192.0.2.2', priority: 100 });
  sim.add({ name: 'C', address: '192.0.2.3', priority: 150 });
  return sim;
}

function masterSince(sim: VrrpSimulation, name: string): number | undefined {
  return sim.transitionsOf(name).filter((t) => t.to === 'master').at(-1)?.atMs;
}

test('election by priority: the highest of three becomes master after its own master down interval', (t) => {
  const sim = threeDirectors();
  sim.start('A', 'B', 'C');
  sim.run(30_000);
  t.deepEqual(sim.masters(), ['A']);
  t.deepEqual(sim.vipHolders(), ['A']);
  t.is(masterSince(sim, 'A'), MDI_200);
  t.deepEqual(sim.transitionsOf('A').map((x) => `${x.from}->${x.to}:${x.reason}`), ['initialize->backup:startup', 'backup->master:no-master-heard']);
  t.deepEqual(sim.vipAnomalies(MDI_200), { longestGapMs: 0, longestOverlapMs: 0 });
  t.deepEqual(sim.garps.map((g) => `${g.name}:${g.reason}`), ['A:became-master']);
  t.is(sim.get('B').counters.snapshot().accepted, 27); // one advert a second from 3.22 s to 29.22 s
});

test('tie on priority: the bigger primary address wins, the overlap lasts one link latency', (t) => {
  const sim = new VrrpSimulation();
  sim.add({ name: 'low', address: '192.0.2.1', priority: 100 });
  sim.add({ name: 'high', address: '192.0.2.2', priority: 100 });
  sim.start('low', 'high');
  sim.run(20_000);
  t.deepEqual(sim.masters(), ['high']);
  const lowYield = sim.transitionsOf('low').find((x) => x.to === 'backup' && x.from === 'master');
  t.is(lowYield?.reason, 'equal-priority-higher-address');
  t.is(lowYield?.atMs, MDI_100 + 1);
  t.deepEqual(sim.vipAnomalies(0).longestOverlapMs, 1);
  // keepalived's answer to the lower advert (beyond RFC 5798): the winner re-announces its addresses.
  t.true(sim.garps.some((g) => g.name === 'high' && g.reason === 'lower-priority-advert'));
});

test('master death: the backup takes over one master down interval after the last advert it heard', (t) => {
  const sim = new VrrpSimulation();
  sim.add({ name: 'A', address: '192.0.2.1', priority: 200 });
  sim.add({ name: 'B', address: '192.0.2.2', priority: 100 });
  sim.start('A', 'B');
  sim.run(10_000);
  const lastAdvertMs = sim.adverts.filter((a) => a.name === 'A').at(-1)?.atMs ?? NaN;
  sim.get('A').crash();
  sim.run(10_000);
  t.deepEqual(sim.masters(), ['B']);
  const takeoverMs = masterSince(sim, 'B') ?? NaN;
  t.is(takeoverMs, lastAdvertMs + 1 + MDI_100);
  t.true(takeoverMs - 10_000 <= MDI_100);
  t.is(sim.transitionsOf('B').at(-1)?.reason, 'master-silent');
  t.is(sim.vipAnomalies(MDI_200).longestGapMs, takeoverMs - 10_000);
});

test('master death among three: the higher backup takes over, the lower stays backup', (t) => {
  const sim = threeDirectors();
  sim.start('A', 'B', 'C');
  sim.run(10_000);
  const lastAdvertMs = sim.adverts.filter((a) => a.name === 'A').at(-1)?.atMs ?? NaN;
  sim.get('A').crash();
  sim.run(20_000);
  t.deepEqual(sim.masters(), ['C']);
  t.is(masterSince(sim, 'C'), lastAdvertMs + 1 + MDI_150);
  t.is(sim.get('B').state, 'backup');
  t.is(sim.get('B').snapshot.masterAddress?.text, '192.0.2.3');
  t.deepEqual(sim.vipHolders(), ['C']);
  t.is(sim.vipAnomalies(12_000).longestOverlapMs, 0);
});

test('priority 0 on shutdown: the backup takes over after its skew time (RFC 5798 6.4.2)', (t) => {
  const sim = new VrrpSimulation();
  sim.add({ name: 'A', address: '192.0.2.1', priority: 200 });
  sim.add({ name: 'B', address: '192.0.2.2', priority: 100 });
  sim.start('A', 'B');
  sim.run(10_000);
  sim.shutdown('A', false);
  sim.run(5_000);
  t.is(masterSince(sim, 'B'), 10_000 + 1 + SKEW_100);
  t.is(sim.transitionsOf('B').at(-1)?.reason, 'master-released');
  t.is(sim.get('A').state, 'initialize');
  // RFC shutdown: the addresses go with the priority-0 advert, so clients see latency + skew with none.
  t.is(sim.vipAnomalies(MDI_200).longestGapMs, 1 + SKEW_100);
});

test('planned handover: no gap, and two holders for one link latency only (beyond the RFC)', (t) => {
  const sim = threeDirectors();
  sim.start('A', 'B', 'C');
  sim.run(10_000);
  sim.shutdown('A', true);
  t.is(sim.get('A').state, 'handover');
  t.true(sim.get('A').holdsVip);
  sim.run(10_000);
  t.deepEqual(sim.masters(), ['C']);
  t.is(masterSince(sim, 'C'), 10_000 + 1 + SKEW_150);
  const release = sim.transitionsOf('A').at(-1);
  t.is(release?.reason, 'handover-new-master-heard');
  t.is(release?.atMs, 10_000 + 1 + SKEW_150 + 1);
  const { longestGapMs, longestOverlapMs } = sim.vipAnomalies(MDI_200);
  t.is(longestGapMs, 0);
  t.is(longestOverlapMs, 1);
  t.true(longestOverlapMs <= 1000); // at most one advertisement interval
  t.is(sim.get('A').snapshot.handoverDeadlineMs, null);
});

test('planned handover with nobody to hand over to: the VIP goes after the longest master down interval', (t) => {
  const sim = new VrrpSimulation();
  sim.add({ name: 'A', address: '192.0.2.1', priority: 200 });
  sim.start('A');
  sim.run(10_000);
  sim.shutdown('A', true);
  sim.run(10_000);
  const release = sim.transitionsOf('A').at(-1);
  t.is(release?.reason, 'handover-timeout');
  t.is(release?.atMs, 10_000 + 3000 + (255 * 1000) / 256); // priority 1: the slowest possible backup
  t.deepEqual(sim.vipHolders(), []);
});

test('preempt: a higher-priority director that starts later takes over at its master down interval', (t) => {
  const sim = new VrrpSimulation();
  sim.add({ name: 'A', address: '192.0.2.1', priority: 200 });
  sim.add({ name: 'B', address: '192.0.2.2', priority: 100 });
  sim.start('B');
  sim.run(5_000);
  sim.start('A');
  sim.run(10_000);
  t.deepEqual(sim.masters(), ['A']);
  t.is(masterSince(sim, 'A'), 5_000 + MDI_200);
  t.is(sim.transitionsOf('A').at(-1)?.reason, 'preempting-lower-priority');
  t.is(sim.transitionsOf('B').at(-1)?.reason, 'higher-priority-advert');
  t.is(sim.vipAnomalies(MDI_100).longestOverlapMs, 1);
});

test('nopreempt: the higher-priority director stays backup behind a live lower master', (t) => {
  const sim = new VrrpSimulation();
  sim.add({ name: 'A', address: '192.0.2.1', priority: 200, preemptMode: 'nopreempt' });
  sim.add({ name: 'B', address: '192.0.2.2', priority: 100 });
  sim.start('B');
  sim.run(5_000);
  sim.start('A');
  sim.run(60_000);
  t.deepEqual(sim.masters(), ['B']);
  t.is(sim.get('A').state, 'backup');
  t.is(sim.get('A').snapshot.masterAddress?.text, '192.0.2.2');
  // ... but it does take over when that master dies.
  sim.get('B').crash();
  sim.run(10_000);
  t.deepEqual(sim.masters(), ['A']);
});

test('preempt_delay: the lower master is accepted for the delay, then preempted one master down interval later', (t) => {
  const sim = new VrrpSimulation();
  sim.add({ name: 'A', address: '192.0.2.1', priority: 200, preemptDelayMs: 10_000 });
  sim.add({ name: 'B', address: '192.0.2.2', priority: 100 });
  sim.start('B');
  sim.run(5_000);
  sim.start('A');
  sim.run(30_000);
  t.deepEqual(sim.masters(), ['A']);
  const takeoverMs = masterSince(sim, 'A') ?? NaN;
  // B's adverts reach A at 3609.375 + k s + 1 ms; the last one before 15 s is accepted (14 610.375 ms).
  t.is(takeoverMs, 14_610.375 + MDI_200);
  t.true(takeoverMs >= 5_000 + 10_000 && takeoverMs <= 5_000 + 10_000 + MDI_200 + 1000);
});

test('owner (priority 255) becomes master at startup and its filter ignores every advert', (t) => {
  const sim = new VrrpSimulation();
  sim.add({ name: 'owner', address: '192.0.2.1', priority: 255 });
  sim.add({ name: 'B', address: '192.0.2.2', priority: 100 });
  sim.start('B');
  sim.run(5_000);
  sim.start('owner');
  t.is(sim.get('owner').state, 'initialize'); // waiting for the gate's answer
  sim.run(1);
  t.is(masterSince(sim, 'owner'), 5_000);
  t.is(sim.transitionsOf('owner').at(-1)?.reason, 'startup-as-owner');
  sim.run(10_000);
  t.deepEqual(sim.masters(), ['owner']);
  t.is(sim.get('owner').counters.snapshot().drops['local-is-owner'], 1); // B's farewell advert at 100
});

test('takeover gate: a denied director stays backup and holds nothing until the gate grants', (t) => {
  const sim = new VrrpSimulation();
  sim.add({ name: 'A', address: '192.0.2.1', priority: 200, gate: () => sim.clock.now() >= 20_000 });
  sim.add({ name: 'B', address: '192.0.2.2', priority: 100 });
  sim.start('A', 'B');
  sim.run(19_999);
  t.deepEqual(sim.masters(), ['B']);
  t.false(sim.vipLog.some((r) => r.name === 'A'));
  t.true(sim.transitionsOf('A').every((x) => x.to !== 'master'));
  sim.run(10_000);
  t.deepEqual(sim.masters(), ['A']);
  t.deepEqual(sim.vipHolders(), ['A']);
});

test('v3 learns the master advert interval: a faster master is declared dead sooner', (t) => {
  const sim = new VrrpSimulation();
  sim.add({ name: 'A', address: '192.0.2.1', priority: 200, adverIntervalCs: 50 });
  sim.add({ name: 'B', address: '192.0.2.2', priority: 100, adverIntervalCs: 100 });
  sim.start('A', 'B');
  sim.run(10_000);
  t.is(sim.get('B').snapshot.masterAdverIntervalCs, 50);
  t.is(sim.get('B').counters.snapshot().warnings['advert-interval-mismatch'] > 0, true);
  const lastAdvertMs = sim.adverts.filter((a) => a.name === 'A').at(-1)?.atMs ?? NaN;
  sim.get('A').crash();
  sim.run(10_000);
  t.is(masterSince(sim, 'B'), lastAdvertMs + 1 + 3 * 500 + (156 * 500) / 256);
  // As master, B advertises at its own interval again (RFC 5798 6.4.2 uses Advertisement_Interval).
  const bAdverts = sim.adverts.filter((a) => a.name === 'B').map((a) => a.atMs);
  t.is((bAdverts[2] ?? NaN) - (bAdverts[1] ?? NaN), 1000);
  t.is(sim.get('B').snapshot.masterAdverIntervalCs, 100);
});

test('v2: adverts carry whole seconds; priority 0 takeover after (256 - p) / 256 s whatever the interval', (t) => {
  const sim = new VrrpSimulation();
  sim.add({ name: 'A', address: '192.0.2.1', priority: 200, version: 2, adverIntervalCs: 200 });
  sim.add({ name: 'B', address: '192.0.2.2', priority: 100, version: 2, adverIntervalCs: 200 });
  sim.start('A', 'B');
  sim.run(10_000);
  t.is(masterSince(sim, 'A'), 6000 + 218.75);
  sim.shutdown('A', false);
  sim.run(5_000);
  t.is(masterSince(sim, 'B'), 10_000 + 1 + SKEW_100);
});

test('tracker fault: the master releases (priority 0), then preempts back once recovered', (t) => {
  const sim = new VrrpSimulation();
  sim.add({ name: 'A', address: '192.0.2.1', priority: 200 });
  sim.add({ name: 'B', address: '192.0.2.2', priority: 100 });
  sim.start('A', 'B');
  sim.run(10_000);
  sim.setTrackers('A', 0, true);
  t.is(sim.get('A').state, 'fault');
  sim.run(5_000);
  t.is(masterSince(sim, 'B'), 10_000 + 1 + SKEW_100);
  sim.setTrackers('A', 0, false);
  sim.run(10_000);
  t.deepEqual(sim.masters(), ['A']);
  t.deepEqual(
    sim.transitionsOf('A').slice(-3).map((x) => `${x.from}->${x.to}:${x.reason}`),
    ['master->fault:tracker-fault', 'fault->backup:tracker-recovered', 'backup->master:preempting-lower-priority'],
  );
});

test('tracker weight below the backup: the master keeps advertising, the backup preempts', (t) => {
  const sim = new VrrpSimulation();
  sim.add({ name: 'A', address: '192.0.2.1', priority: 200 });
  sim.add({ name: 'B', address: '192.0.2.2', priority: 150 });
  sim.start('A', 'B');
  sim.run(10_000);
  sim.setTrackers('A', -100, false); // effective 100
  sim.run(10_000);
  t.deepEqual(sim.masters(), ['B']);
  t.is(sim.transitionsOf('A').at(-1)?.reason, 'higher-priority-advert');
});

test('split brain heals: the loser announces, the winner re-announces its addresses, one holder again', (t) => {
  const sim = new VrrpSimulation();
  sim.add({ name: 'A', address: '192.0.2.1', priority: 200 });
  sim.add({ name: 'B', address: '192.0.2.2', priority: 100 });
  sim.start('A', 'B');
  sim.run(10_000);
  sim.get('A').isLinkUp = false;
  sim.run(10_000);
  t.deepEqual(sim.masters().sort(), ['A', 'B']);
  sim.get('A').isLinkUp = true;
  sim.run(10_000);
  t.deepEqual(sim.masters(), ['A']);
  const bYield = sim.transitionsOf('B').at(-1);
  t.is(bYield?.reason, 'higher-priority-advert');
  t.true((bYield?.atMs ?? Infinity) <= 20_000 + 1000 + 1);
  // B's farewell advert at its own priority makes A re-announce (GARP) after the heal.
  t.true(sim.garps.some((g) => g.name === 'A' && g.reason === 'lower-priority-advert' && g.atMs > 20_000));
  t.deepEqual(sim.vipHolders(), ['A']);
});

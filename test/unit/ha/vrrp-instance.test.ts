/**
 * The VRRP instance driver on the in-memory link with a fake clock (support/instance-harness.ts): real
 * codec, filter, state machine and driver; in-memory transport, address manager and GARP recorder.
 * VRRPv3, Advertisement_Interval 1 s, 1 ms link latency. Expected times from RFC 5798 section 6.1:
 * Master_Down_Interval = 3 s + (256 - priority) / 256 s; Skew_Time = (256 - priority) / 256 s.
 */
import test from 'ava';
import { isVrrpError, VrrpError } from '../../../ha/vrrp-error.js';
import { encodeAdvertisement } from '../../../ha/vrrp-packet.js';
import type { TakeoverGate } from '../../../ha/takeover-gate.js';
import { VRRP_GROUP_IPV4 } from '../../../ha/vrrp-transport.js';
import { parseIpPrefix } from '../../../src/core/ip.js';
import { MemoryAddressManager } from '../../../ha/memory-address-manager.js';
import { createVrrpInstance } from '../../../ha/vrrp-instance.js';
import { VRRP_SETTINGS_DEFAULTS } from '../../../ha/vrrp-instance-settings.js';
import { silentLogger } from '../../../src/core/logger.js';
import { InstanceHarness, RecordingGarpSender, SteppingClock, VIP, flush } from './support/instance-harness.js';
import { ip } from './support/vrrp-fixtures.js';

const MDI_200 = 3218.75;
const MDI_100 = 3609.375;
const SKEW_100 = 609.375;
const HANDOVER_WAIT_MS = 3000 + (255 * 1000) / 256; // Master_Down_Interval of a priority-1 backup

function pair(): InstanceHarness {
  const h = new InstanceHarness();
  h.add({ name: 'A', address: '192.0.2.1', priority: 200 });
  h.add({ name: 'B', address: '192.0.2.2', priority: 100 });
  return h;
}

function transitionsOf(h: InstanceHarness, name: string): string[] {
  return h
    .get(name)
    .instance.events()
    .flatMap((e) => (e.kind === 'transition' ? [`${e.from}->${e.to}:${e.reason}`] : []));
}

test('election: the higher priority becomes master at its master down interval; the VIP is on its interface only', async (t) => {
  const h = pair();
  await h.start('A', 'B');
  await h.run(10_000);
  t.deepEqual(h.masters(), ['A']);
  t.deepEqual(h.holders(), ['A']);
  t.is(h.enteredAt('A', 'master'), MDI_200);
  t.deepEqual(transitionsOf(h, 'A'), ['initialize->backup:startup', 'backup->master:no-master-heard']);
  t.deepEqual(transitionsOf(h, 'B'), ['initialize->backup:startup']);
  const a = h.get('A').instance.snapshot();
  t.is(a.vips.isHeld, true);
  t.deepEqual(a.vips.applied, [VIP]);
  t.is(a.masterAddress, '192.0.2.1');
  const b = h.get('B').instance.snapshot();
  t.is(b.masterAddress, '192.0.2.1');
  t.is(b.masterPriority, 200);
  t.is(b.receive.accepted, 7); // adverts at 3.22 s (on becoming master), then every second to 9.22 s
  t.deepEqual(b.assumedHeaderFields, { ttl: 0, destination: 0 });
});

test('becoming master: advert first, then the VIP, then a GARP burst of 5 at once and 5 more 5 s later (keepalived defaults)', async (t) => {
  const h = pair();
  await h.start('A', 'B');
  await h.run(10_000);
  const times = h.get('A').garp.announcements.map((a) => a.atMs);
  t.deepEqual(times, [...Array<number>(5).fill(MDI_200), ...Array<number>(5).fill(MDI_200 + 5000)]);
  t.true(h.get('A').garp.announcements.every((a) => a.address === '192.0.2.100' && a.interfaceName === 'eth0'));
  const kinds = h
    .get('A')
    .instance.events()
    .filter((e) => e.atMs === MDI_200)
    .map((e) => e.kind);
  t.deepEqual(kinds, ['takeover-decided', 'transition', 'vips-added', ...Array<string>(5).fill('garp-round')]);
  const firstAdvertFromA = h.network.frames.find((f) => f.from === '192.0.2.1');
  t.is(firstAdvertFromA?.atMs, MDI_200);
  t.is(h.get('A').addresses.history.find((r) => r.op === 'add')?.atMs, MDI_200);
});

test('events are numbered in order and carry both clocks', async (t) => {
  const h = pair();
  await h.start('A', 'B');
  await h.run(5_000);
  const events = h.get('A').instance.events();
  t.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
  );
  t.true(events.every((e) => e.wallTimeMs === 1_700_000_000_000 + e.atMs && e.instance === 'A' && e.vrid === 51));
  const seen: number[] = [];
  const unsubscribe = h.get('A').instance.onEvent((e) => seen.push(e.seq));
  await h.run(6_000); // the second GARP burst: five rounds
  unsubscribe();
  t.deepEqual(seen, [1, 2, 3, 4, 5].map((i) => events.length + i));
});

test('master dies (link cut): the backup takes over one master down interval after the last advert it heard', async (t) => {
  const h = pair();
  await h.start('A', 'B');
  await h.run(10_000);
  const lastAdvertMs = h.network.frames.filter((f) => f.from === '192.0.2.1').at(-1)?.atMs ?? NaN;
  h.network.setLinkUp(ip('192.0.2.1'), false);
  await h.run(10_000);
  t.is(h.enteredAt('B', 'master'), lastAdvertMs + 1 + MDI_100);
  t.is(transitionsOf(h, 'B').at(-1), 'backup->master:master-silent');
  t.true(h.get('B').addresses.texts('eth0').includes(VIP));
});

test('planned handover (SIGTERM): priority 0, the backup takes over after its skew, the old master keeps the VIP until it hears it', async (t) => {
  const h = pair();
  await h.start('A', 'B');
  await h.run(10_000);
  const stopping = h.get('A').instance.stop({ isPlannedHandover: true });
  t.is(h.get('A').instance.snapshot().state, 'handover');
  t.is(h.get('A').instance.snapshot().lifecycle, 'stopping');
  const zeroAdvert = h.network.frames.at(-1);
  t.is(zeroAdvert?.from, '192.0.2.1');
  t.is(zeroAdvert?.bytes[2], 0);
  await h.runUntil(stopping, 5_000);
  t.is(h.enteredAt('B', 'master'), 10_000 + 1 + SKEW_100);
  t.is(transitionsOf(h, 'B').at(-1), 'backup->master:master-released');
  t.is(transitionsOf(h, 'A').at(-1), 'handover->initialize:handover-new-master-heard');
  const removedAt = h.get('A').addresses.history.find((r) => r.op === 'remove' && r.outcome === 'removed')?.atMs;
  const addedAt = h.get('B').addresses.history.find((r) => r.op === 'add' && r.outcome === 'added')?.atMs;
  t.is(addedAt, 10_000 + 1 + SKEW_100);
  t.is(removedAt, (addedAt ?? NaN) + 1 + 100); // one link latency, then handoverReleaseDelayMs: no gap
  t.deepEqual(h.holders(), ['B']);
  const a = h.get('A').instance.snapshot();
  t.is(a.lifecycle, 'stopped');
  t.is(a.transport?.isOpen, false);
  t.is(h.network.openCount(), 1);
});

test('unplanned stop: priority 0 and the VIP removed at once; the backup takes over after its skew', async (t) => {
  const h = pair();
  await h.start('A', 'B');
  await h.run(10_000);
  await h.runUntil(h.get('A').instance.stop({ isPlannedHandover: false }), 10);
  t.is(h.get('A').addresses.history.at(-1)?.atMs, 10_000);
  t.is(transitionsOf(h, 'A').at(-1), 'master->initialize:shutdown');
  await h.run(2_000);
  t.is(h.enteredAt('B', 'master'), 10_000 + 1 + SKEW_100);
});

test('planned handover with nobody to take over: the VIP goes when the handover timer fires', async (t) => {
  const h = new InstanceHarness();
  h.add({ name: 'A', address: '192.0.2.1', priority: 200 });
  await h.start('A');
  await h.run(5_000);
  await h.runUntil(h.get('A').instance.stop({ isPlannedHandover: true }), 5_000);
  t.is(transitionsOf(h, 'A').at(-1), 'handover->initialize:handover-timeout');
  t.is(h.get('A').addresses.history.at(-1)?.atMs, 5_000 + HANDOVER_WAIT_MS);
  t.deepEqual(h.holders(), []);
});

test('aborting a planned handover removes the VIP at once', async (t) => {
  const h = new InstanceHarness();
  h.add({ name: 'A', address: '192.0.2.1', priority: 200 });
  await h.start('A');
  await h.run(5_000);
  const aborter = new AbortController();
  const stopping = h.get('A').instance.stop({ isPlannedHandover: true, signal: aborter.signal });
  await h.run(100);
  aborter.abort();
  await h.runUntil(stopping, 10);
  t.is(h.get('A').addresses.history.at(-1)?.atMs, 5_100);
  t.is(transitionsOf(h, 'A').at(-1), 'handover->initialize:shutdown');
});

test('every drop is counted by reason: TTL 254, garbage, another VRID, another address list', async (t) => {
  const h = pair();
  await h.start('A', 'B');
  await h.run(5_000);
  const src = ip('192.0.2.9');
  const advert = (vrid: number, vip: string) =>
    encodeAdvertisement(
      { version: 3, vrid, priority: 250, ipAddresses: [ip(vip)], maxAdverIntervalCs: 100 },
      { sourceAddress: src, destinationAddress: VRRP_GROUP_IPV4 },
    );
  h.network.inject(src, VRRP_GROUP_IPV4, advert(51, '192.0.2.100'), 254);
  h.network.inject(src, VRRP_GROUP_IPV4, Uint8Array.from([1, 2, 3]));
  h.network.inject(src, VRRP_GROUP_IPV4, advert(52, '192.0.2.100'));
  h.network.inject(src, VRRP_GROUP_IPV4, advert(51, '192.0.2.101'));
  await h.run(10);
  const drops = h.get('A').instance.snapshot().receive.drops;
  t.is(drops['bad-ttl'], 1);
  t.is(drops['bad-length'], 1);
  t.is(drops['vrid-mismatch'], 1);
  t.is(drops['address-list-mismatch'], 1);
  t.deepEqual(h.masters(), ['A']); // none of them, priority 250 as they claimed, moved A
  t.true(h.get('A').logs.some((l) => l.level === 'debug' && l.message === 'vrrp advert dropped' && l.fields['reason'] === 'bad-ttl'));
});

test('takeover gate: a denied takeover leaves the instance backup without the VIP, and the denial is an event', async (t) => {
  const deny: TakeoverGate = { decide: () => Promise.resolve({ isGranted: false, detail: 'no quorum' }) };
  const h = new InstanceHarness();
  h.add({ name: 'A', address: '192.0.2.1', priority: 200, gate: deny });
  await h.start('A');
  await h.run(MDI_200 + 10);
  t.is(h.get('A').instance.snapshot().state, 'backup');
  t.deepEqual(h.holders(), []);
  t.deepEqual(transitionsOf(h, 'A'), ['initialize->backup:startup']);
  const decided = h
    .get('A')
    .instance.events()
    .find((e) => e.kind === 'takeover-decided');
  t.like(decided, { kind: 'takeover-decided', isGranted: false, detail: 'no quorum', atMs: MDI_200 });
  t.is(h.get('A').instance.snapshot().masterDownInMs, MDI_200 - 10); // asks again after another interval
});

test('a gate that throws counts as a denial', async (t) => {
  const broken: TakeoverGate = { decide: () => Promise.reject(new Error('quorum service down')) };
  const h = new InstanceHarness();
  h.add({ name: 'A', address: '192.0.2.1', priority: 200, gate: broken });
  await h.start('A');
  await h.run(MDI_200 + 1);
  t.like(
    h
      .get('A')
      .instance.events()
      .find((e) => e.kind === 'takeover-decided'),
    { isGranted: false, detail: 'takeover gate failed: quorum service down' },
  );
});

test('start removes VIPs left on the interface by a crash, before the election', async (t) => {
  const h = new InstanceHarness();
  const a = h.add({ name: 'A', address: '192.0.2.1', priority: 100 });
  const vip = parseIpPrefix(VIP);
  if (!vip.ok) throw new Error(vip.error);
  await a.addresses.add({ address: vip.value, interfaceName: 'eth0' });
  await h.start('A');
  t.deepEqual(a.addresses.texts('eth0'), []);
  t.like(a.instance.events()[0], { kind: 'stale-vips-removed', addresses: [VIP] });
  t.deepEqual(a.garp.prepared, ['192.0.2.100@eth0'], 'the GARP sender was prepared before the election');
  t.true(a.logs.some((l) => l.level === 'warn' && l.message === 'stale vips removed at start'));
});

test('a VIP the kernel refuses: logged, counted, on the event stream; the instance stays master', async (t) => {
  const h = new InstanceHarness();
  const a = h.add({ name: 'A', address: '192.0.2.1', priority: 200 });
  await h.start('A');
  a.addresses.failNext('add', new VrrpError('ERR_VRRP_ADDRESS', 'kernel error 1', { errno: 1 }));
  await h.run(MDI_200 + 1);
  const s = a.instance.snapshot();
  t.is(s.state, 'master');
  t.is(s.vips.addressErrors, 1);
  t.deepEqual(s.vips.applied, []);
  t.like(
    a.instance.events().find((e) => e.kind === 'error'),
    { kind: 'error', what: `add ${VIP}`, message: 'kernel error 1' },
  );
  t.like(
    a.instance.events().find((e) => e.kind === 'vips-added'),
    { addresses: [], failed: [VIP] },
  );
});

test('start and stop are idempotent; start after stop is refused; stop before start is harmless', async (t) => {
  const h = pair();
  const a = h.get('A').instance;
  t.is(a.start(), a.start());
  await flush();
  await h.run(10);
  const stopping = a.stop({ isPlannedHandover: false });
  t.is(a.stop({ isPlannedHandover: true }), stopping);
  await stopping;
  const error = await t.throwsAsync(a.start());
  t.true(isVrrpError(error, 'ERR_VRRP_CLOSED'));
  const b = h.get('B').instance;
  await b.stop({ isPlannedHandover: true });
  t.is(b.snapshot().lifecycle, 'stopped');
  t.is(b.snapshot().transport, null);
});

test('stop while the transport is still opening aborts the start', async (t) => {
  const clock = new SteppingClock();
  let opened = 0;
  const instance = createVrrpInstance(
    { ...VRRP_SETTINGS_DEFAULTS, name: 'slow', interfaceName: 'eth0', vrid: 51, primaryAddress: ip('192.0.2.5'), vips: [{ address: parsePrefix(VIP) }] },
    {
      clock,
      logger: silentLogger,
      openTransport: (signal) =>
        new Promise((_, reject) => {
          opened += 1;
          signal.addEventListener('abort', () => reject(new Error('aborted open')), { once: true });
        }),
      addressManager: new MemoryAddressManager(clock),
      garpSender: new RecordingGarpSender(clock),
    },
  );
  const starting = instance.start();
  await instance.stop({ isPlannedHandover: true });
  const error = await t.throwsAsync(starting);
  t.true(isVrrpError(error, 'ERR_VRRP_ABORTED'));
  t.is(opened, 1);
  t.is(instance.snapshot().lifecycle, 'stopped');
});

test('unicast peers: adverts go to each peer, the election works as with multicast', async (t) => {
  const h = new InstanceHarness();
  h.add({ name: 'A', address: '192.0.2.1', priority: 200, unicastPeers: [ip('192.0.2.2')] });
  h.add({ name: 'B', address: '192.0.2.2', priority: 100, unicastPeers: [ip('192.0.2.1')] });
  await h.start('A', 'B');
  await h.run(6_000);
  t.deepEqual(h.masters(), ['A']);
  t.true(h.network.frames.every((f) => (f.from === '192.0.2.1' ? f.to === '192.0.2.2' : f.to === '192.0.2.1')));
  t.is(h.get('B').instance.snapshot().receive.accepted, 3);
});

test('invalid settings are refused before anything opens, with every problem named', (t) => {
  const h = new InstanceHarness();
  const error = t.throws(() => h.add({ name: 'bad', address: '192.0.2.1', version: 2, adverIntervalCs: 150, priority: 255, preemptMode: 'nopreempt', vips: [] }));
  t.true(isVrrpError(error, 'ERR_VRRP_SETTINGS_INVALID'));
  t.deepEqual((error as VrrpError).details['problems'], [
    'advert interval 150 cs is not a whole number of seconds 1-255, as VRRPv2 needs',
    'the address owner (priority 255) always preempts: nopreempt is refused',
    'no VIPs: an instance floats at least one address (RFC 5798 section 5.2.5)',
  ]);
  t.is(h.network.openCount(), 0);
});

test('trackers: a fault on the master sends priority 0 and releases the VIP to the backup', async (t) => {
  const h = pair();
  await h.start('A', 'B');
  await h.run(10_000);
  h.get('A').instance.setTrackers(0, true);
  await h.run(2_000);
  t.is(h.get('A').instance.snapshot().state, 'fault');
  t.deepEqual(h.holders(), ['B']);
  t.is(h.enteredAt('B', 'master'), 10_000 + 1 + SKEW_100);
});

function parsePrefix(text: string) {
  const r = parseIpPrefix(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

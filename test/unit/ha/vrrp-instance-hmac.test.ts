/**
 * HMAC-SHA256 with anti-replay between lvsd directors (ha/vrrp-hmac.ts), through the real driver on the
 * in-memory link (support/instance-harness.ts): election as usual, forged and replayed adverts dropped,
 * counted and reported, and a restarted sender accepted again. VRRPv3, 1 s adverts, 1 ms latency.
 */
import test from 'ava';
import { writeChecksum } from '../../../ha/vrrp-packet.js';
import { VRRP_GROUP_IPV4 } from '../../../ha/vrrp-transport.js';
import { HMAC_TRAILER_LENGTH, readTrailer } from '../../../ha/vrrp-hmac.js';
import { InstanceHarness } from './support/instance-harness.js';
import { fromHex, ip } from './support/vrrp-fixtures.js';

const MDI_200 = 3218.75;
const KEY = fromHex('8c1f0b6e4a2d9935c7e1f00a5b3d6e7f8c1f0b6e4a2d9935c7e1f00a5b3d6e7f');
const hmac = { type: 'hmac-sha256', key: KEY } as const;
const A = ip('192.0.2.1');

function pair(keyB: Uint8Array = KEY): InstanceHarness {
  const h = new InstanceHarness();
  h.add({ name: 'A', address: '192.0.2.1', priority: 200, authentication: hmac });
  h.add({ name: 'B', address: '192.0.2.2', priority: 100, authentication: { type: 'hmac-sha256', key: keyB } });
  return h;
}

function lastFrameFrom(h: InstanceHarness, from: string): Uint8Array {
  const frame = h.network.frames.filter((f) => f.from === from).at(-1);
  if (frame === undefined) throw new Error(`no frame from ${from}`);
  return Uint8Array.from(frame.bytes);
}

test('two HMAC directors elect as usual; every advert carries the trailer and a rising sequence', async (t) => {
  const h = pair();
  await h.start('A', 'B');
  await h.run(10_000);
  t.deepEqual(h.masters(), ['A']);
  t.is(h.enteredAt('A', 'master'), MDI_200);
  const fromA = h.network.frames.filter((f) => f.from === '192.0.2.1');
  t.true(fromA.every((f) => f.bytes.length === 8 + 4 + HMAC_TRAILER_LENGTH));
  const sequences = fromA.map((f) => readTrailer(f.bytes)?.sequence ?? -1n);
  t.deepEqual(sequences, sequences.map((_, i) => 1_700_000_000_000n * 1_048_576n + BigInt(i)), 'start time x 2^20, then +1 per advert');
  const b = h.get('B').instance.snapshot();
  t.is(b.receive.accepted, 7);
  t.deepEqual(b.hmac?.highestAccepted, { '192.0.2.1': String(sequences.at(-1)) });
  t.is(b.masterAddress, '192.0.2.1');
  t.is(b.receive.drops.replayed + b.receive.drops['hmac-mismatch'] + b.receive.drops['hmac-missing'], 0);
});

test('a captured advert sent again is dropped as replayed, counted, and reported once a second', async (t) => {
  const h = pair();
  await h.start('A', 'B');
  await h.run(5_000);
  const captured = lastFrameFrom(h, '192.0.2.1');
  for (let i = 0; i < 5; i++) h.network.inject(A, VRRP_GROUP_IPV4, captured);
  await h.run(10);
  const b = h.get('B');
  t.is(b.instance.snapshot().receive.drops.replayed, 5);
  const rejected = b.instance.events().filter((e) => e.kind === 'advert-rejected');
  t.is(rejected.length, 1);
  t.like(rejected[0], { reason: 'replayed', from: '192.0.2.1', total: 1 });
  t.true(b.logs.some((l) => l.level === 'warn' && l.message === 'vrrp advert failed authentication' && l.fields['reason'] === 'replayed'));
  await h.run(2_000);
  h.network.inject(A, VRRP_GROUP_IPV4, captured);
  await h.run(10);
  t.like(b.instance.events().filter((e) => e.kind === 'advert-rejected').at(-1), { reason: 'replayed', total: 6 });
  t.is(b.instance.snapshot().state, 'backup', 'nothing changed for the backup');
});

test('forged adverts do not move the election: a higher priority to the master, a release to the backup', async (t) => {
  const h = pair();
  await h.start('A', 'B');
  await h.run(5_000);
  // Priority 254 from B's address with the checksum fixed: without the key the MAC cannot be fixed.
  const higher = lastFrameFrom(h, '192.0.2.1');
  higher[2] = 254;
  writeChecksum(higher, { sourceAddress: ip('192.0.2.2'), destinationAddress: VRRP_GROUP_IPV4 });
  h.network.inject(ip('192.0.2.2'), VRRP_GROUP_IPV4, higher);
  // Priority 0 from A's address: without HMAC the backup would take over after its skew time.
  const release = lastFrameFrom(h, '192.0.2.1');
  release[2] = 0;
  writeChecksum(release, { sourceAddress: A, destinationAddress: VRRP_GROUP_IPV4 });
  h.network.inject(A, VRRP_GROUP_IPV4, release);
  await h.run(5_000);
  t.deepEqual(h.masters(), ['A']);
  t.is(h.get('A').instance.snapshot().receive.drops['hmac-mismatch'], 1);
  t.is(h.get('B').instance.snapshot().receive.drops['hmac-mismatch'], 1);
  t.deepEqual(h.get('B').instance.events().filter((e) => e.kind === 'transition').map((e) => e.kind === 'transition' && e.to), ['backup']);
});

test('a director with the wrong key is not heard: both become master, and each counts the other\'s adverts', async (t) => {
  const h = pair(fromHex('00'.repeat(32)));
  await h.start('A', 'B');
  await h.run(10_000);
  t.deepEqual(h.masters(), ['A', 'B']);
  t.true(h.get('A').instance.snapshot().receive.drops['hmac-mismatch'] > 0);
  t.true(h.get('B').instance.snapshot().receive.drops['hmac-mismatch'] > 0);
});

test('a plain (keepalived-style) advert to an HMAC instance is hmac-missing, and does not count as a master', async (t) => {
  const h = new InstanceHarness();
  h.add({ name: 'plain', address: '192.0.2.1', priority: 200 });
  h.add({ name: 'B', address: '192.0.2.2', priority: 100, authentication: hmac });
  await h.start('plain', 'B');
  await h.run(10_000);
  t.deepEqual(h.masters(), ['plain', 'B']);
  t.true(h.get('B').instance.snapshot().receive.drops['hmac-missing'] > 0);
});

test('a restarted sender starts above its old sequences and is heard again; one whose wall clock went back is dropped as replayed', async (t) => {
  const h = pair();
  await h.start('A', 'B');
  await h.run(5_000);
  await h.runUntil(h.get('A').instance.stop({ isPlannedHandover: false }), 10);
  await h.run(3_000);
  t.deepEqual(h.masters(), ['B']);
  // The same director again, its wall clock 8 s later: its adverts are above everything it sent before.
  h.add({ name: 'A', address: '192.0.2.1', priority: 200, authentication: hmac });
  await h.start('A');
  await h.run(6_000);
  t.deepEqual(h.masters(), ['A']);
  t.is(h.get('B').instance.snapshot().receive.drops.replayed, 0);
  // Restarted with a wall clock set back a minute: B drops it until the clock passes the old start.
  await h.runUntil(h.get('A').instance.stop({ isPlannedHandover: false }), 10);
  await h.run(3_000);
  h.add({ name: 'A', address: '192.0.2.1', priority: 200, authentication: hmac, wallClock: () => 1_700_000_000_000 - 60_000 + h.clock.now() });
  await h.start('A');
  await h.run(6_000);
  t.true(h.get('B').instance.snapshot().receive.drops.replayed > 0);
  t.deepEqual(h.masters().sort(), ['A', 'B']);
});

test('unicast peers (as over UDP): each copy is sealed for its destination and verifies at that peer', async (t) => {
  const h = new InstanceHarness();
  h.add({ name: 'A', address: '192.0.2.1', priority: 200, authentication: hmac, unicastPeers: [ip('192.0.2.2'), ip('192.0.2.3')] });
  h.add({ name: 'B', address: '192.0.2.2', priority: 100, authentication: hmac, unicastPeers: [ip('192.0.2.1'), ip('192.0.2.3')] });
  h.add({ name: 'C', address: '192.0.2.3', priority: 50, authentication: hmac, unicastPeers: [ip('192.0.2.1'), ip('192.0.2.2')] });
  await h.start('A', 'B', 'C');
  await h.run(10_000);
  t.deepEqual(h.masters(), ['A']);
  for (const name of ['B', 'C']) {
    const s = h.get(name).instance.snapshot();
    t.is(s.receive.accepted, 7, name);
    t.is(s.receive.drops['hmac-mismatch'] + s.receive.drops.replayed, 0, name);
  }
  // A copy meant for C, redirected to B with its checksum fixed for B, does not verify there.
  const toC = Uint8Array.from(h.network.frames.filter((f) => f.from === '192.0.2.1' && f.to === '192.0.2.3').at(-1)?.bytes ?? []);
  writeChecksum(toC, { sourceAddress: A, destinationAddress: ip('192.0.2.2') });
  h.network.inject(A, ip('192.0.2.2'), toC);
  await h.run(10);
  t.is(h.get('B').instance.snapshot().receive.drops['hmac-mismatch'], 1);
});

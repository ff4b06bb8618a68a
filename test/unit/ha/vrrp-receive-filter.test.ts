import test from 'ava';
import type { IpAddress } from '../../../src/core/ip.js';
import { encodeAdvertisement, simpleTextAuthData, type VrrpAdvertisement } from '../../../ha/vrrp-packet.js';
import {
  filterAdvertisement,
  VRRP_DROP_REASONS,
  VrrpReceiveCounters,
  type ReceivedDatagram,
  type ReceiveFilterParams,
  type VrrpDropReason,
} from '../../../ha/vrrp-receive-filter.js';
import { editWithChecksum, fromHex, ip } from './support/vrrp-fixtures.js';
import { createHmacSha256Mac } from '../../../ha/hmac-sha256-mac.js';
import { sealAdvertisement } from '../../../ha/vrrp-hmac.js';

const peer = ip('192.0.2.2');
const group = ip('224.0.0.18');
const vips = [ip('192.0.2.100'), ip('192.0.2.101')];
const password = simpleTextAuthData('lvsd123') ?? new Uint8Array(8);

const v3Params: ReceiveFilterParams = {
  version: 3,
  vrid: 51,
  priority: 100,
  adverIntervalCs: 100,
  ipAddresses: vips,
  ownAddresses: [ip('192.0.2.1')],
  authentication: { type: 'none' },
  unicastPeers: [],
};
const v2Params: ReceiveFilterParams = { ...v3Params, version: 2, authentication: { type: 'simple-text-password', authData: password } };

const v3Advert: VrrpAdvertisement = { version: 3, vrid: 51, priority: 150, ipAddresses: vips, maxAdverIntervalCs: 100 };
const v2Advert: VrrpAdvertisement = {
  version: 2,
  vrid: 51,
  priority: 150,
  ipAddresses: vips,
  authType: 'simple-text-password',
  adverIntervalS: 1,
  authData: password,
};

function datagram(advert: VrrpAdvertisement, overrides: Partial<ReceivedDatagram> = {}): ReceivedDatagram {
  const sourceAddress: IpAddress = overrides.sourceAddress ?? peer;
  const destinationAddress: IpAddress = overrides.destinationAddress ?? group;
  const bytes = encodeAdvertisement(advert, { sourceAddress, destinationAddress });
  return { bytes, sourceAddress, destinationAddress, ttl: 255, ...overrides };
}

/** The encoded advert edited by `change`; the checksum is fixed unless `isChecksumFixed` is false. */
function edit(advert: VrrpAdvertisement, change: (b: Uint8Array) => void, isChecksumFixed = true): Uint8Array {
  const bytes = datagram(advert).bytes;
  if (isChecksumFixed) return editWithChecksum(bytes, change, { sourceAddress: peer, destinationAddress: group });
  const copy = Uint8Array.from(bytes);
  change(copy);
  return copy;
}

interface Row {
  readonly name: string;
  readonly datagram: ReceivedDatagram;
  readonly params: ReceiveFilterParams;
  readonly reason: VrrpDropReason;
  /** The sender's highest accepted HMAC sequence, for the anti-replay check. */
  readonly highestSequence?: bigint;
}

const hmacMac = createHmacSha256Mac(fromHex('00112233445566778899aabbccddeeff'));
const hmacParams: ReceiveFilterParams = { ...v3Params, authentication: { type: 'hmac-sha256', mac: hmacMac } };
const sealedV3 = (key = hmacMac, sequence = 7n): Uint8Array => sealAdvertisement(v3Advert, { sourceAddress: peer, destinationAddress: group }, sequence, key);

const rows: Row[] = [
  // codec reasons, seen through the filter
  { name: 'a 5-byte payload', datagram: { ...datagram(v3Advert), bytes: fromHex('3133960200') }, params: v3Params, reason: 'bad-length' },
  { name: 'version 4', datagram: { ...datagram(v3Advert), bytes: edit(v3Advert, (b) => (b[0] = 0x41)) }, params: v3Params, reason: 'bad-version' },
  { name: 'type 2', datagram: { ...datagram(v3Advert), bytes: edit(v3Advert, (b) => (b[0] = 0x32)) }, params: v3Params, reason: 'bad-type' },
  { name: 'a wrong checksum', datagram: { ...datagram(v3Advert), bytes: edit(v3Advert, (b) => (b[9] = 1), false) }, params: v3Params, reason: 'bad-checksum' },
  { name: 'VRID 0', datagram: { ...datagram(v3Advert), bytes: edit(v3Advert, (b) => (b[1] = 0)) }, params: v3Params, reason: 'bad-vrid' },
  { name: 'v2 auth type 3', datagram: { ...datagram(v2Advert), bytes: edit(v2Advert, (b) => (b[4] = 3)) }, params: v2Params, reason: 'bad-auth-type' },
  { name: 'max_adver_int 0', datagram: { ...datagram(v3Advert), bytes: edit(v3Advert, (b) => (b[5] = 0)) }, params: v3Params, reason: 'bad-advert-interval' },
  // filter reasons
  { name: 'our own advert looped back', datagram: datagram(v3Advert, { sourceAddress: ip('192.0.2.1') }), params: v3Params, reason: 'own-packet' },
  { name: 'TTL 254 (RFC 5798 7.1)', datagram: { ...datagram(v3Advert), ttl: 254 }, params: v3Params, reason: 'bad-ttl' },
  { name: 'unicast destination in multicast mode', datagram: datagram(v3Advert, { destinationAddress: ip('192.0.2.1') }), params: v3Params, reason: 'unexpected-destination' },
  {
    name: 'multicast destination in unicast mode',
    datagram: datagram(v3Advert),
    params: { ...v3Params, unicastPeers: [peer] },
    reason: 'unexpected-destination',
  },
  {
    name: 'unicast from a source that is not a peer',
    datagram: datagram(v3Advert, { sourceAddress: ip('192.0.2.9'), destinationAddress: ip('192.0.2.1') }),
    params: { ...v3Params, unicastPeers: [peer] },
    reason: 'unknown-source',
  },
  { name: 'a v2 advert to a v3 instance', datagram: datagram(v2Advert), params: v3Params, reason: 'version-mismatch' },
  { name: 'VRID 52 on an instance of VRID 51', datagram: datagram({ ...v3Advert, vrid: 52 }), params: v3Params, reason: 'vrid-mismatch' },
  { name: 'any advert while we own the addresses', datagram: datagram(v3Advert), params: { ...v3Params, priority: 255 }, reason: 'local-is-owner' },
  { name: 'v2 without auth to a PASS instance', datagram: datagram({ ...v2Advert, authType: 'none', authData: new Uint8Array(8) }), params: v2Params, reason: 'auth-type-mismatch' },
  { name: 'v2 with the wrong password', datagram: datagram({ ...v2Advert, authData: simpleTextAuthData('wrong') ?? new Uint8Array(8) }), params: v2Params, reason: 'auth-failure' },
  { name: 'one address fewer', datagram: datagram({ ...v3Advert, ipAddresses: [ip('192.0.2.100')] }), params: v3Params, reason: 'address-list-mismatch' },
  {
    name: 'same count, another address',
    datagram: datagram({ ...v3Advert, ipAddresses: [ip('192.0.2.100'), ip('192.0.2.102')] }),
    params: v3Params,
    reason: 'address-list-mismatch',
  },
  { name: 'v2 adver_int 2 s against our 1 s (RFC 3768 7.1)', datagram: datagram({ ...v2Advert, adverIntervalS: 2 }), params: v2Params, reason: 'advert-interval-mismatch' },
  // lvsd's HMAC (more cases in vrrp-hmac.test.ts)
  { name: 'a plain v3 advert to an HMAC instance', datagram: datagram(v3Advert), params: hmacParams, reason: 'hmac-missing' },
  {
    name: 'an advert sealed with another key',
    datagram: { ...datagram(v3Advert), bytes: sealedV3(createHmacSha256Mac(fromHex('ff112233445566778899aabbccddeeff'))) },
    params: hmacParams,
    reason: 'hmac-mismatch',
  },
  { name: 'a sealed advert at the sender\'s last sequence', datagram: { ...datagram(v3Advert), bytes: sealedV3() }, params: hmacParams, reason: 'replayed', highestSequence: 7n },
];

for (const row of rows) {
  test(`drops ${row.name}: ${row.reason}`, (t) => {
    t.deepEqual(filterAdvertisement(row.datagram, row.params, () => row.highestSequence), { ok: false, reason: row.reason });
  });
}

test('the table has a row for every drop reason', (t) => {
  const covered = new Set(rows.map((r) => r.reason));
  t.deepEqual(VRRP_DROP_REASONS.filter((r) => !covered.has(r)), []);
});

test('accepts a good v3 and a good v2 advert, with the interval in centiseconds', (t) => {
  const v3 = filterAdvertisement(datagram(v3Advert), v3Params);
  t.deepEqual(v3, { ok: true, value: { advertisement: v3Advert, sourceAddress: peer, adverIntervalCs: 100, warnings: [], sequence: null } });
  const v2 = filterAdvertisement(datagram(v2Advert), v2Params);
  t.true(v2.ok && v2.value.adverIntervalCs === 100 && v2.value.warnings.length === 0);
});

test('address order does not matter (keepalived compares as a set)', (t) => {
  const swapped = filterAdvertisement(datagram({ ...v3Advert, ipAddresses: [vips[1] ?? peer, vips[0] ?? peer] }), v3Params);
  t.true(swapped.ok);
});

test("an owner's advert with other addresses is kept with a warning (RFC 5798 7.1)", (t) => {
  const r = filterAdvertisement(datagram({ ...v3Advert, priority: 255, ipAddresses: [ip('192.0.2.100')] }), v3Params);
  t.true(r.ok);
  if (r.ok) t.deepEqual(r.value.warnings, ['address-list-mismatch']);
});

test('a v3 interval mismatch is accepted with a warning: the backup learns it (RFC 5798 6.4.2)', (t) => {
  const r = filterAdvertisement(datagram({ ...v3Advert, maxAdverIntervalCs: 50 }), v3Params);
  t.true(r.ok);
  if (r.ok) {
    t.deepEqual(r.value.warnings, ['advert-interval-mismatch']);
    t.is(r.value.adverIntervalCs, 50);
  }
});

test('unicast from a configured peer is accepted', (t) => {
  const r = filterAdvertisement(datagram(v3Advert, { destinationAddress: ip('192.0.2.1') }), { ...v3Params, unicastPeers: [peer] });
  t.true(r.ok);
});

test('IPv6: accepted with the kernel-verified flag even when the destination is unknown to user space', (t) => {
  const v6vips = [ip('fe80::100'), ip('2001:db8::100')];
  const advert: VrrpAdvertisement = { ...v3Advert, ipAddresses: v6vips };
  const d = datagram(advert, { sourceAddress: ip('fe80::2'), destinationAddress: ip('ff02::12') });
  const params = { ...v3Params, ipAddresses: v6vips, ownAddresses: [ip('fe80::1')] };
  // The transport guessed the destination wrong (raw IPv6 sockets do not show it) but the kernel checked.
  const guessed = { ...d, destinationAddress: ip('ff02::1'), isChecksumVerified: true };
  t.true(filterAdvertisement(d, params).ok);
  t.true(filterAdvertisement(guessed, params).ok);
  t.deepEqual(filterAdvertisement({ ...guessed, isChecksumVerified: false }, params), { ok: false, reason: 'bad-checksum' });
});

test('counters: one per drop reason and warning, plus accepted', (t) => {
  const counters = new VrrpReceiveCounters();
  for (const row of rows) counters.record(filterAdvertisement(row.datagram, row.params, () => row.highestSequence));
  counters.record(filterAdvertisement(datagram(v3Advert), v3Params));
  counters.record(filterAdvertisement(datagram({ ...v3Advert, maxAdverIntervalCs: 50 }), v3Params));
  const snap = counters.snapshot();
  t.is(snap.accepted, 2);
  t.is(snap.warnings['advert-interval-mismatch'], 1);
  t.is(snap.warnings['address-list-mismatch'], 0);
  for (const reason of VRRP_DROP_REASONS) {
    t.is(snap.drops[reason], rows.filter((r) => r.reason === reason).length, reason);
  }
  // A snapshot is a copy: recording more does not change it.
  counters.record(filterAdvertisement({ ...datagram(v3Advert), ttl: 1 }, v3Params));
  t.is(snap.drops['bad-ttl'], 1);
  t.is(counters.snapshot().drops['bad-ttl'], 2);
});

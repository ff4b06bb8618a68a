import test from 'ava';
import fc from 'fast-check';
import { ipFromBytes, type IpAddress } from '../../../src/core/ip.js';
import {
  decodeAdvertisement,
  dumpAdvertisement,
  dumpBytes,
  encodeAdvertisement,
  internetChecksum,
  simpleTextAuthData,
  type VrrpAdvertisement,
  type VrrpDecodeDropReason,
  type VrrpPacketContext,
} from '../../../ha/vrrp-packet.js';
import { editWithChecksum, expectedAdvertisement, fromHex, handBuiltPackets, ip, keepalivedCaptures, toHex, type GoldenPacket } from './support/vrrp-fixtures.js';

const v4ctx: VrrpPacketContext = { sourceAddress: ip('192.0.2.1'), destinationAddress: ip('224.0.0.18') };
const v6ctx: VrrpPacketContext = { sourceAddress: ip('fe80::1'), destinationAddress: ip('ff02::12') };

function contextOf(p: GoldenPacket): VrrpPacketContext {
  return { sourceAddress: ip(p.sourceAddress), destinationAddress: ip(p.destinationAddress) };
}

for (const packet of [...keepalivedCaptures(), ...handBuiltPackets()]) {
  test(`golden ${packet.name}: decodes to its fields and re-encodes to the same bytes`, (t) => {
    const decoded = decodeAdvertisement(fromHex(packet.vrrpHex), contextOf(packet));
    if (!decoded.ok) return t.fail(`dropped: ${decoded.reason}`);
    t.deepEqual(decoded.value, expectedAdvertisement(packet.expected));
    t.is(toHex(encodeAdvertisement(decoded.value, contextOf(packet))), packet.vrrpHex);
  });
}

test('golden keepalived v3: the checksum covers the pseudo-header (another destination fails)', (t) => {
  const packet = keepalivedCaptures().find((p) => p.expected.version === 3 && p.sourceAddress.includes('.'));
  if (packet === undefined) return t.fail('no v3 IPv4 capture');
  const bytes = fromHex(packet.vrrpHex);
  const elsewhere = { sourceAddress: ip(packet.sourceAddress), destinationAddress: ip('192.0.2.2') };
  t.deepEqual(decodeAdvertisement(bytes, elsewhere), { ok: false, reason: 'bad-checksum' });
  // The kernel verified it (IPV6_CHECKSUM style): the codec trusts the flag.
  t.true(decodeAdvertisement(bytes, { ...elsewhere, isChecksumVerified: true }).ok);
});

test('golden keepalived v2: the checksum does not depend on the IP addresses', (t) => {
  const packet = keepalivedCaptures().find((p) => p.expected.version === 2);
  if (packet === undefined) return t.fail('no v2 capture');
  const ctx = { sourceAddress: ip('198.51.100.9'), destinationAddress: ip('192.0.2.77') };
  t.true(decodeAdvertisement(fromHex(packet.vrrpHex), ctx).ok);
});

/** A valid v3 IPv4 advert (hand-built golden v3-ipv4-minimal) to mutate. */
const minimalHex = '31016401006405a3c0000264';
const minimalCtx: VrrpPacketContext = { sourceAddress: ip('192.0.2.2'), destinationAddress: ip('224.0.0.18') };

/** Rewrites bytes of `hex` and fixes the checksum, so that only the intended check fails. */
function mutated(hex: string, edit: (b: Uint8Array) => void): Uint8Array {
  return editWithChecksum(fromHex(hex), edit, minimalCtx);
}

const decodeDrops: [string, Uint8Array, VrrpPacketContext, VrrpDecodeDropReason][] = [
  ['shorter than the fixed header', fromHex('3101640100'), minimalCtx, 'bad-length'],
  ['version 1', mutated(minimalHex, (b) => (b[0] = 0x11)), minimalCtx, 'bad-version'],
  ['version 4', mutated(minimalHex, (b) => (b[0] = 0x41)), minimalCtx, 'bad-version'],
  ['version 2 over IPv6', fromHex('21016401000100000000000000000000000000000000000000000000000000000000000000000000'), v6ctx, 'bad-version'],
  ['type 2', mutated(minimalHex, (b) => (b[0] = 0x32)), minimalCtx, 'bad-type'],
  ['count says 2 addresses, 1 present', mutated(minimalHex, (b) => (b[3] = 2)), minimalCtx, 'bad-length'],
  ['a trailing byte', Uint8Array.from([...fromHex(minimalHex), 0]), minimalCtx, 'bad-length'],
  ['IPv4-sized address in an IPv6 packet', fromHex(minimalHex), v6ctx, 'bad-length'],
  ['one checksum bit flipped', fromHex('31016401006405a2c0000264'), minimalCtx, 'bad-checksum'],
  ['VRID 0', mutated(minimalHex, (b) => (b[1] = 0)), minimalCtx, 'bad-vrid'],
  ['max_adver_int 0', mutated(minimalHex, (b) => (b[5] = 0)), minimalCtx, 'bad-advert-interval'],
  ['v2 auth type 3', mutated('213364010001b865c00002640000000000000000', (b) => (b[4] = 3)), minimalCtx, 'bad-auth-type'],
  ['v2 adver_int 0', mutated('213364010001b865c00002640000000000000000', (b) => (b[5] = 0)), minimalCtx, 'bad-advert-interval'],
];

for (const [name, bytes, ctx, reason] of decodeDrops) {
  test(`decode drops ${name}: ${reason}`, (t) => {
    t.deepEqual(decodeAdvertisement(bytes, ctx), { ok: false, reason });
  });
}

test('rsvd bits of v3 are ignored on reception (RFC 5798 section 5.2.6)', (t) => {
  const decoded = decodeAdvertisement(mutated(minimalHex, (b) => (b[4] = 0xf0)), minimalCtx);
  t.true(decoded.ok && decoded.value.version === 3 && decoded.value.maxAdverIntervalCs === 100);
});

test('encode refuses values out of range (a caller bug): RangeError naming the field', (t) => {
  const good: VrrpAdvertisement = { version: 3, vrid: 1, priority: 100, ipAddresses: [ip('192.0.2.100')], maxAdverIntervalCs: 100 };
  t.notThrows(() => encodeAdvertisement(good, v4ctx));
  t.throws(() => encodeAdvertisement({ ...good, vrid: 0 }, v4ctx), { instanceOf: RangeError, message: /VRID 0/ });
  t.throws(() => encodeAdvertisement({ ...good, priority: 256 }, v4ctx), { instanceOf: RangeError, message: /priority 256/ });
  t.throws(() => encodeAdvertisement({ ...good, maxAdverIntervalCs: 4096 }, v4ctx), { instanceOf: RangeError, message: /max_adver_int/ });
  t.throws(() => encodeAdvertisement(good, v6ctx), { instanceOf: RangeError, message: /not IPv6/ });
  const v2: VrrpAdvertisement = { version: 2, vrid: 1, priority: 100, ipAddresses: [], authType: 'none', adverIntervalS: 1, authData: new Uint8Array(8) };
  t.throws(() => encodeAdvertisement({ ...v2, adverIntervalS: 256 }, v4ctx), { instanceOf: RangeError, message: /adver_int 256/ });
  t.throws(() => encodeAdvertisement({ ...v2, authData: new Uint8Array(7) }, v4ctx), { instanceOf: RangeError, message: /7 bytes/ });
  t.throws(() => encodeAdvertisement(v2, v6ctx), { instanceOf: RangeError, message: /IPv4 only/ });
});

test('simpleTextAuthData pads to 8 bytes like keepalived and refuses longer passwords', (t) => {
  t.deepEqual(simpleTextAuthData('lvsd123'), fromHex('6c76736431323300'));
  t.deepEqual(simpleTextAuthData(''), new Uint8Array(8));
  t.is(simpleTextAuthData('123456789'), undefined);
});

test('dump names the RFC fields with units', (t) => {
  const v3: VrrpAdvertisement = { version: 3, vrid: 51, priority: 150, ipAddresses: [ip('192.0.2.100'), ip('192.0.2.101')], maxAdverIntervalCs: 100 };
  t.is(dumpAdvertisement(v3), 'VRRPv3 ADVERTISEMENT vrid=51 priority=150 count=2 max_adver_int=100cs addrs=[192.0.2.100,192.0.2.101]');
  const v2: VrrpAdvertisement = { version: 2, vrid: 51, priority: 0, ipAddresses: [], authType: 'simple-text-password', adverIntervalS: 1, authData: new Uint8Array(8) };
  t.is(dumpAdvertisement(v2), 'VRRPv2 ADVERTISEMENT vrid=51 priority=0 count=0 auth_type=simple-text-password adver_int=1s addrs=[]');
  t.is(dumpBytes(fromHex('31330a')), '31 33 0a');
});

test('internetChecksum: RFC 1071 section 3 example, and odd-length parts join as one stream', (t) => {
  // RFC 1071 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, checksum ~ddf2 = 220d.
  t.is(internetChecksum([fromHex('0001f203f4f5f6f7')]), 0x220d);
  t.is(internetChecksum([fromHex('0001f2'), fromHex('03f4f5f6f7')]), 0x220d);
});

// ---- properties ----

const vrid = fc.integer({ min: 1, max: 255 });
const priority = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => ipFromBytes(b));
const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => ipFromBytes(b));
const addresses = (a: fc.Arbitrary<IpAddress>): fc.Arbitrary<IpAddress[]> => fc.array(a, { maxLength: 20 });

const v3Advert = (a: fc.Arbitrary<IpAddress>): fc.Arbitrary<VrrpAdvertisement> =>
  fc.record({
    version: fc.constant(3 as const),
    vrid,
    priority,
    ipAddresses: addresses(a),
    maxAdverIntervalCs: fc.integer({ min: 1, max: 4095 }),
  });
const v2Advert: fc.Arbitrary<VrrpAdvertisement> = fc.record({
  version: fc.constant(2 as const),
  vrid,
  priority,
  ipAddresses: addresses(ipv4),
  authType: fc.constantFrom('none' as const, 'simple-text-password' as const, 'ip-authentication-header' as const),
  adverIntervalS: fc.integer({ min: 1, max: 255 }),
  authData: fc.uint8Array({ minLength: 8, maxLength: 8 }),
});
const ctx4 = fc.record({ sourceAddress: ipv4, destinationAddress: ipv4 });
const ctx6 = fc.record({ sourceAddress: ipv6, destinationAddress: ipv6 });

const cases: [string, fc.Arbitrary<VrrpAdvertisement>, fc.Arbitrary<VrrpPacketContext>][] = [
  ['v3 IPv4', v3Advert(ipv4), ctx4],
  ['v3 IPv6', v3Advert(ipv6), ctx6],
  ['v2 IPv4', v2Advert, ctx4],
];

for (const [name, advert, ctx] of cases) {
  test(`property ${name}: decode(encode(x)) = x`, (t) => {
    fc.assert(
      fc.property(advert, ctx, (a, c) => {
        t.deepEqual(decodeAdvertisement(encodeAdvertisement(a, c), c), { ok: true, value: a });
      }),
    );
  });

  test(`property ${name}: any single-byte corruption is dropped`, (t) => {
    const corruption = fc.record({ index: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) });
    fc.assert(
      fc.property(advert, ctx, corruption, (a, c, { index, xor }) => {
        const bytes = encodeAdvertisement(a, c);
        const at = index % bytes.length;
        bytes[at] = (bytes[at] ?? 0) ^ xor;
        t.false(decodeAdvertisement(bytes, c).ok);
      }),
    );
  });
}

test('property: decode never throws on any bytes, and returns a result', (t) => {
  const anyCtx = fc.oneof(ctx4, ctx6, fc.record({ sourceAddress: ipv4, destinationAddress: ipv6 }));
  const anyBytes = fc.oneof(
    fc.uint8Array({ maxLength: 600 }),
    // Mostly-valid headers reach the deeper checks more often than uniform noise.
    fc.tuple(fc.constantFrom(0x21, 0x31), fc.uint8Array({ minLength: 0, maxLength: 300 })).map(([h, rest]) => Uint8Array.from([h, ...rest])),
  );
  fc.assert(
    fc.property(anyBytes, anyCtx, fc.boolean(), (bytes, c, isVerified) => {
      const r = decodeAdvertisement(bytes, { ...c, isChecksumVerified: isVerified });
      t.true(r.ok === true || typeof r.reason === 'string');
    }),
    { numRuns: 2000 },
  );
});

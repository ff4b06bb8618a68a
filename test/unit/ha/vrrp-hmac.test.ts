/**
 * lvsd's HMAC trailer (ha/vrrp-hmac.ts) with the node:crypto MAC (ha/hmac-sha256-mac.ts): the wire
 * layout, the checksum over the whole payload, what the MAC covers, the sequence start, key parsing,
 * and the receive filter's verdicts (accepted, forged, replayed, truncated, wrong key, no trailer).
 */
import test from 'ava';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { ipFromBytes, type IpAddress } from '../../../src/core/ip.js';
import { createHmacSha256Mac } from '../../../ha/hmac-sha256-mac.js';
import {
  HMAC_TRAILER_LENGTH,
  HmacReplayWindow,
  initialSequence,
  isTrailerAuthentic,
  parseHmacKey,
  readTrailer,
  sealAdvertisement,
} from '../../../ha/vrrp-hmac.js';
import { decodeAdvertisement, encodeAdvertisement, internetChecksum, vrrpPseudoHeader, writeChecksum, type VrrpAdvertisement } from '../../../ha/vrrp-packet.js';
import { filterAdvertisement, type ReceivedDatagram, type ReceiveFilterParams } from '../../../ha/vrrp-receive-filter.js';
import { fromHex, ip, toHex } from './support/vrrp-fixtures.js';

const KEY = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
const OTHER_KEY = fromHex('ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
const mac = createHmacSha256Mac(KEY);
const peer = ip('192.0.2.2');
const self = ip('192.0.2.1');
const group = ip('224.0.0.18');
const vips = [ip('192.0.2.100')];
const ctx = { sourceAddress: peer, destinationAddress: group };
const advert: VrrpAdvertisement = { version: 3, vrid: 51, priority: 150, ipAddresses: vips, maxAdverIntervalCs: 100 };
const SEQ = 0x0123_4567_89ab_cdefn;

const params: ReceiveFilterParams = {
  version: 3,
  vrid: 51,
  priority: 100,
  adverIntervalCs: 100,
  ipAddresses: vips,
  ownAddresses: [self],
  authentication: { type: 'hmac-sha256', mac },
  unicastPeers: [],
};

function datagram(bytes: Uint8Array, overrides: Partial<ReceivedDatagram> = {}): ReceivedDatagram {
  return { bytes, sourceAddress: peer, destinationAddress: group, ttl: 255, ...overrides };
}

test('wire layout: the advert as RFC 5798 has it, then the 64-bit sequence, then the HMAC-SHA256 over label, pseudo-header, advert (checksum as 0) and sequence', (t) => {
  const bytes = sealAdvertisement(advert, ctx, SEQ, mac);
  const plain = encodeAdvertisement(advert, ctx);
  t.is(bytes.length, plain.length + HMAC_TRAILER_LENGTH);
  t.is(toHex(bytes.subarray(0, 6)), toHex(plain.subarray(0, 6)), 'version/type, VRID, priority, count, max adver int unchanged');
  t.is(toHex(bytes.subarray(8, plain.length)), toHex(plain.subarray(8)), 'addresses unchanged');
  t.is(toHex(bytes.subarray(plain.length, plain.length + 8)), '0123456789abcdef');
  const unsummed = Uint8Array.from(bytes.subarray(0, plain.length + 8));
  unsummed[6] = 0;
  unsummed[7] = 0;
  const expected = createHmac('sha256', KEY)
    .update('lvsd-vrrp-hmac-sha256-v1')
    .update(vrrpPseudoHeader(ctx, bytes.length))
    .update(unsummed)
    .digest('hex');
  t.is(toHex(bytes.subarray(plain.length + 8)), expected);
  t.deepEqual(readTrailer(bytes), { sequence: SEQ, mac: bytes.subarray(plain.length + 8) });
});

test('the checksum covers the whole payload, trailer included (as the kernel computes it with IPV6_CHECKSUM)', (t) => {
  const bytes = sealAdvertisement(advert, ctx, SEQ, mac);
  t.is(internetChecksum([vrrpPseudoHeader(ctx, bytes.length), bytes]), 0);
  t.deepEqual(decodeAdvertisement(bytes, { ...ctx, trailerLength: HMAC_TRAILER_LENGTH }), { ok: true, value: advert });
  t.deepEqual(decodeAdvertisement(bytes, ctx), { ok: false, reason: 'bad-length' }, 'without the trailer length the codec refuses trailing bytes');
});

test('the MAC does not cover the checksum field: an IPv6 kernel that rewrites it after signing does not break it', (t) => {
  const v6ctx = { sourceAddress: ip('fe80::2'), destinationAddress: ip('ff02::12') };
  const v6: VrrpAdvertisement = { ...advert, ipAddresses: [ip('2001:db8::100')] };
  const bytes = sealAdvertisement(v6, v6ctx, SEQ, mac);
  bytes[6] = 0xab;
  bytes[7] = 0xcd;
  t.true(isTrailerAuthentic(bytes, v6ctx, mac));
  writeChecksum(bytes, v6ctx);
  t.true(isTrailerAuthentic(bytes, v6ctx, mac));
});

test('the sequence starts at the start time in ms x 2^20: a restart 1 ms later is above 1 048 575 adverts sent before it', (t) => {
  t.is(initialSequence(1_700_000_000_000), 1_700_000_000_000n * 1_048_576n);
  t.true(initialSequence(1_700_000_000_001) > initialSequence(1_700_000_000_000) + 1_048_575n);
  t.is(initialSequence(-5), 0n);
  t.throws(() => sealAdvertisement(advert, ctx, 1n << 64n, mac), { instanceOf: RangeError });
});

test('keys: hexadecimal with spaces and newlines ignored, at least 16 bytes', (t) => {
  t.deepEqual(parseHmacKey(' 00010203 04050607\n08090a0b0c0d0e0f\n'), { ok: true, value: fromHex('000102030405060708090a0b0c0d0e0f') });
  t.deepEqual(parseHmacKey('00010203'), { ok: false, error: 'the key has 4 bytes; at least 16 are needed (openssl rand -hex 32)' });
  t.false(parseHmacKey('zz0102030405060708090a0b0c0d0e0f').ok);
  t.false(parseHmacKey('0001020304050607080900a0b0c0d0e0f').ok, 'odd number of digits');
});

test('the replay window keeps the highest sequence per sender', (t) => {
  const w = new HmacReplayWindow();
  w.accept(peer, 10n);
  w.accept(peer, 7n);
  w.accept(ip('192.0.2.3'), 3n);
  t.is(w.highestOf(peer), 10n);
  t.is(w.highestOf(self), undefined);
  t.deepEqual(w.snapshot(), { '192.0.2.2': '10', '192.0.2.3': '3' });
});

// ---- the receive filter with HMAC ----

const sealed = sealAdvertisement(advert, ctx, SEQ, mac);
const none = (): undefined => undefined;

test('accepted: a sealed advert from a key holder, with its sequence for the replay window', (t) => {
  const r = filterAdvertisement(datagram(sealed), params, none);
  t.true(r.ok);
  if (r.ok) {
    t.is(r.value.sequence, SEQ);
    t.deepEqual(r.value.advertisement, advert);
  }
  t.true(filterAdvertisement(datagram(sealed), params, () => SEQ - 1n).ok, 'above the sender\'s mark');
});

test('replayed: a sequence at or below the sender\'s highest accepted one', (t) => {
  t.deepEqual(filterAdvertisement(datagram(sealed), params, () => SEQ), { ok: false, reason: 'replayed' });
  t.deepEqual(filterAdvertisement(datagram(sealed), params, () => SEQ + 1n), { ok: false, reason: 'replayed' });
  // Another sender's mark does not matter.
  t.true(filterAdvertisement(datagram(sealed), params, (s: IpAddress) => (s.text === '192.0.2.3' ? SEQ + 5n : undefined)).ok);
});

test('forged: any changed byte outside the checksum fails the MAC (checksum fixed up as a forger would)', (t) => {
  for (let i = 0; i < sealed.length; i++) {
    if (i === 6 || i === 7) continue;
    const copy = Uint8Array.from(sealed);
    copy[i] = (copy[i] ?? 0) ^ 0x01;
    writeChecksum(copy, ctx);
    const r = filterAdvertisement(datagram(copy), params, none);
    t.false(r.ok, `byte ${i}`);
    // A change in the VRRP header can also make the advert another router's; past that it is a forgery.
    if (i >= 8 && !r.ok) t.is(r.reason, 'hmac-mismatch', `byte ${i}`);
  }
  const priority255 = Uint8Array.from(sealed);
  priority255[2] = 255;
  writeChecksum(priority255, ctx);
  t.deepEqual(filterAdvertisement(datagram(priority255), params, none), { ok: false, reason: 'hmac-mismatch' });
});

test('wrong key, or a copy replayed from another source or to another destination: hmac-mismatch', (t) => {
  const otherKey = sealAdvertisement(advert, ctx, SEQ, createHmacSha256Mac(OTHER_KEY));
  t.deepEqual(filterAdvertisement(datagram(otherKey), params, none), { ok: false, reason: 'hmac-mismatch' });
  const fromOther = datagram(sealed, { sourceAddress: ip('192.0.2.3') });
  // The checksum covers the source too: recompute it as a forger re-sending from its own address would.
  const resent = Uint8Array.from(sealed);
  writeChecksum(resent, { sourceAddress: ip('192.0.2.3'), destinationAddress: group });
  t.deepEqual(filterAdvertisement({ ...fromOther, bytes: resent }, params, none), { ok: false, reason: 'hmac-mismatch' });
  const unicastParams: ReceiveFilterParams = { ...params, unicastPeers: [peer] };
  const toPeerB = sealAdvertisement(advert, { sourceAddress: peer, destinationAddress: ip('192.0.2.9') }, SEQ, mac);
  writeChecksum(toPeerB, { sourceAddress: peer, destinationAddress: self });
  t.deepEqual(filterAdvertisement(datagram(toPeerB, { destinationAddress: self }), unicastParams, none), { ok: false, reason: 'hmac-mismatch' });
});

test('truncated: a trailer cut short is a bad length; an advert without any trailer is hmac-missing', (t) => {
  for (const cut of [1, 8, 39]) {
    const short = Uint8Array.from(sealed.subarray(0, sealed.length - cut));
    writeChecksum(short, ctx);
    t.deepEqual(filterAdvertisement(datagram(short), params, none), { ok: false, reason: 'bad-length' }, `${cut} bytes cut`);
  }
  const plain = encodeAdvertisement(advert, ctx);
  t.deepEqual(filterAdvertisement(datagram(plain), params, none), { ok: false, reason: 'hmac-missing' });
});

test('other routers on the link stay what they are: another VRID is vrid-mismatch, a VRRPv2 keepalived advert version-mismatch', (t) => {
  const vrid52 = encodeAdvertisement({ ...advert, vrid: 52 }, ctx);
  t.deepEqual(filterAdvertisement(datagram(vrid52), params, none), { ok: false, reason: 'vrid-mismatch' });
  const v2 = encodeAdvertisement({ version: 2, vrid: 51, priority: 100, ipAddresses: vips, authType: 'none', adverIntervalS: 1, authData: new Uint8Array(8) }, ctx);
  t.deepEqual(filterAdvertisement(datagram(v2), params, none), { ok: false, reason: 'version-mismatch' });
});

test('without HMAC configured, a sealed advert is refused for its length, as keepalived refuses it', (t) => {
  t.deepEqual(filterAdvertisement(datagram(sealed), { ...params, authentication: { type: 'none' } }), { ok: false, reason: 'bad-length' });
});

// ---- properties ----

const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => ipFromBytes(b));
const sealedAdvert = fc.record({
  version: fc.constant(3 as const),
  vrid: fc.integer({ min: 1, max: 255 }),
  priority: fc.integer({ min: 0, max: 255 }),
  ipAddresses: fc.array(ipv4, { maxLength: 10 }),
  maxAdverIntervalCs: fc.integer({ min: 1, max: 4095 }),
});

test('property: decode(seal(x)) = x and the trailer verifies with its sequence', (t) => {
  fc.assert(
    fc.property(sealedAdvert, ipv4, ipv4, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (a, src, dst, seq) => {
      const c = { sourceAddress: src, destinationAddress: dst };
      const bytes = sealAdvertisement(a, c, seq, mac);
      t.deepEqual(decodeAdvertisement(bytes, { ...c, trailerLength: HMAC_TRAILER_LENGTH }), { ok: true, value: a });
      t.true(isTrailerAuthentic(bytes, c, mac));
      t.is(readTrailer(bytes)?.sequence, seq);
    }),
    { numRuns: 300 },
  );
});

test('property: the HMAC receive path never throws on any bytes, and never accepts what was not sealed with the key', (t) => {
  const anyBytes = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.constant(0x31), fc.uint8Array({ minLength: 0, maxLength: 200 })).map(([h, rest]) => Uint8Array.from([h, ...rest])),
    // A real sealed advert with random bytes changed.
    fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }).map(({ at, xor }) => {
      const copy = Uint8Array.from(sealed);
      const i = at % copy.length;
      copy[i] = (copy[i] ?? 0) ^ xor;
      return copy;
    }),
  );
  fc.assert(
    fc.property(anyBytes, (bytes) => {
      const r = filterAdvertisement(datagram(bytes), params, none);
      if (r.ok) t.is(toHex(bytes), toHex(sealed));
      else t.is(typeof r.reason, 'string');
    }),
    { numRuns: 2000 },
  );
});

import test from 'ava';
import fc from 'fast-check';
import { decodeIpv4Packet, encodeIpv4Header, IPV4_HEADER_LENGTH } from '../../../ha/ipv4-header.js';
import { ip, toHex } from './support/vrrp-fixtures.js';

test('encode: version/IHL, TOS 0xc0, total length, TTL 255, protocol 112, addresses; id and checksum left to the kernel', (t) => {
  const header = encodeIpv4Header({ source: ip('192.0.2.1'), destination: ip('224.0.0.18'), protocol: 112, ttl: 255, tos: 0xc0, payloadLength: 20 });
  t.is(toHex(header), '45c0002800000000ff700000c0000201e0000012');
});

test('decode: the fields of a captured advert and the payload after the header', (t) => {
  // keepalived's v3 advert from test/fixtures/vrrp behind a header as Linux delivers it: total length 36,
  // an identification and a header checksum (the decoder leaves checking it to the kernel, which drops bad ones).
  const payload = '3133960200641107c0000264c0000265';
  const bytes = Buffer.from('45c000245d2e0000ff70b3d4c0000201e0000012' + payload, 'hex');
  const r = decodeIpv4Packet(bytes, 112);
  if (!r.ok) throw new Error(r.reason);
  t.is(r.value.source.text, '192.0.2.1');
  t.is(r.value.destination.text, '224.0.0.18');
  t.is(r.value.ttl, 255);
  t.is(toHex(r.value.payload), payload);
});

test('decode: typed reasons for what is not a whole VRRP datagram', (t) => {
  const good = Uint8Array.from(Buffer.from('45c0002000000000ff700000c0000201e0000012' + '3133960200641107c0000264'.slice(0, 24), 'hex'));
  t.true(decodeIpv4Packet(good, 112).ok);
  const edit = (f: (b: Uint8Array) => void): Uint8Array => {
    const b = Uint8Array.from(good);
    f(b);
    return b;
  };
  t.like(decodeIpv4Packet(good.subarray(0, 10), 112), { ok: false, reason: 'truncated-ip-header' });
  t.like(decodeIpv4Packet(edit((b) => (b[0] = 0x65)), 112), { ok: false, reason: 'truncated-ip-header' });
  t.like(decodeIpv4Packet(edit((b) => (b[9] = 6)), 112), { ok: false, reason: 'not-vrrp-protocol' });
  t.like(decodeIpv4Packet(edit((b) => (b[6] = 0x20)), 112), { ok: false, reason: 'ip-fragment' });
  t.like(decodeIpv4Packet(edit((b) => (b[3] = 0x40)), 112), { ok: false, reason: 'bad-ip-length' });
});

test('property: decode never throws and round-trips what encode wrote', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      decodeIpv4Packet(bytes, 112);
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ maxLength: 60 }), fc.integer({ min: 0, max: 255 }), (src, payload, ttl) => {
      const source = ip(Array.from(src).join('.'));
      const header = encodeIpv4Header({ source, destination: ip('224.0.0.18'), protocol: 112, ttl, tos: 0xc0, payloadLength: payload.length });
      const r = decodeIpv4Packet(Uint8Array.from([...header, ...payload]), 112);
      return r.ok && r.value.source.text === source.text && r.value.ttl === ttl && toHex(r.value.payload) === toHex(payload);
    }),
  );
  t.is(IPV4_HEADER_LENGTH, 20);
});

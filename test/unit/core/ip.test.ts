import test from 'ava';
import fc from 'fast-check';
import { compareIp, ipFromBytes, isLinkLocal, isMulticast, parseIpAddress, parseIpPrefix, prefixContains } from '../../../src/core/ip.js';

const canonical: [string, string][] = [
  ['192.0.2.1', '192.0.2.1'],
  ['0.0.0.0', '0.0.0.0'],
  ['2001:db8::1', '2001:db8::1'],
  ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // RFC 5952 4.2.3: the first of two equal runs
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // RFC 5952 4.2.2: a single zero group stays
  ['::', '::'],
  ['::1', '::1'],
  ['fe80::1%eth0', 'fe80::1'],
  ['::ffff:192.0.2.1', '::ffff:c000:201'],
];

for (const [input, expected] of canonical) {
  test(`parses ${input} to canonical ${expected}`, (t) => {
    const r = parseIpAddress(input);
    t.true(r.ok);
    if (r.ok) t.is(r.value.text, expected);
  });
}

for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-4', '2001:db8::1::2', '1:2:3:4:5:6:7:8:9', 'gggg::1', '2001:db8::1%eth0', 'a.b.c.d', ' : ']) {
  test(`refuses ${JSON.stringify(bad)}`, (t) => {
    const r = parseIpAddress(bad);
    t.false(r.ok);
    if (!r.ok) t.regex(r.error, /is not an IPv[46] address/);
  });
}

test('prefixes: default host length, explicit length, bad length', (t) => {
  const host = parseIpPrefix('192.0.2.5');
  t.true(host.ok && host.value.prefixLength === 32);
  const net = parseIpPrefix('2001:db8::/32');
  t.true(net.ok && net.value.text === '2001:db8::/32');
  t.false(parseIpPrefix('192.0.2.0/33').ok);
  t.false(parseIpPrefix('192.0.2.0/', { requireLength: true }).ok);
  const noLen = parseIpPrefix('192.0.2.0', { requireLength: true });
  t.false(noLen.ok);
});

test('prefixContains respects family and bits', (t) => {
  const p = parseIpPrefix('192.0.2.0/25');
  const inside = parseIpAddress('192.0.2.127');
  const outside = parseIpAddress('192.0.2.128');
  const v6 = parseIpAddress('2001:db8::1');
  if (!p.ok || !inside.ok || !outside.ok || !v6.ok) return t.fail('parse failed');
  t.true(prefixContains(p.value, inside.value));
  t.false(prefixContains(p.value, outside.value));
  t.false(prefixContains(p.value, v6.value));
});

test('classification and ordering', (t) => {
  const a = (s: string) => {
    const r = parseIpAddress(s);
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };
  t.true(isLinkLocal(a('fe80::1')));
  t.true(isLinkLocal(a('169.254.1.1')));
  t.false(isLinkLocal(a('2001:db8::1')));
  t.true(isMulticast(a('224.0.0.18')));
  t.true(isMulticast(a('ff02::12')));
  t.true(compareIp(a('192.0.2.2'), a('192.0.2.10')) < 0);
  t.true(compareIp(a('192.0.2.10'), a('2001:db8::1')) < 0);
  t.is(compareIp(a('2001:db8::1'), a('2001:0db8::0001')), 0);
});

test('property: text form round-trips for any IPv4 and IPv6 bytes', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })), (bytes) => {
        const addr = ipFromBytes(bytes);
        const back = parseIpAddress(addr.text);
        return back.ok && back.value.text === addr.text && Buffer.from(back.value.bytes).equals(Buffer.from(bytes));
      }),
    ),
  );
});

test('property: the parser never throws', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseIpAddress(s);
        parseIpPrefix(s);
      }),
    ),
  );
});

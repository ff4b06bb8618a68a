/** c-parse.ts: the C library's spellings, as ipvsadm accepts and refuses them. */
import test from 'ava';
import fc from 'fast-check';
import {
  addressWords,
  atoi,
  formatIpv4Netmask,
  inetAton,
  inetNtop,
  ipv4FromNumber,
  netmaskPrefixLength,
  parseInet4,
  parseInet6,
  stringToNumber,
  strtoulHex32,
} from '../../../src/ipvsadm/c-parse.js';
import { ip } from '../ipvs/ipvs-test-values.js';

test('stringToNumber is strtol base 10 over the whole string, within the range', (t) => {
  const cases: [string, number | undefined][] = [
    ['80', 80],
    ['080', 80],
    ['+7', 7],
    [' 9', 9],
    ['-1', undefined],
    ['0x50', undefined],
    ['', undefined],
    ['5 ', undefined],
    ['65536', undefined],
    ['99999999999999999999999', undefined],
  ];
  for (const [text, want] of cases) t.is(stringToNumber(text, 0, 65535), want, JSON.stringify(text));
  t.is(stringToNumber('-5', -10, 10), -5);
});

test('atoi stops at the first non-digit', (t) => {
  t.is(atoi('64x'), 64);
  t.is(atoi(' 32'), 32);
  t.is(atoi('foo'), 0);
  t.is(atoi('-3'), -3);
});

test('inetAton takes the short, octal and hex forms', (t) => {
  const cases: [string, string | undefined][] = [
    ['192.0.2.1', '192.0.2.1'],
    ['0300.0.2.23', '192.0.2.23'],
    ['0xc0.0.2.1', '192.0.2.1'],
    ['24', '0.0.0.24'],
    ['10.1', '10.0.0.1'],
    ['10.1.258', '10.1.1.2'],
    ['255.255.255.0', '255.255.255.0'],
    ['256.0.0.1', undefined],
    ['1.2.3.4.5', undefined],
    ['1..2', undefined],
    ['08.1.1.1', undefined],
    ['foo', undefined],
    ['', undefined],
    ['4294967296', undefined],
  ];
  for (const [text, want] of cases) {
    const n = inetAton(text);
    t.is(n === undefined ? undefined : ipv4FromNumber(n).text, want, text);
  }
});

test('inet_pton forms: IPv4 strictly dotted, IPv6 without a zone', (t) => {
  t.is(parseInet4('192.0.2.1')?.text, '192.0.2.1');
  t.is(parseInet4('0300.0.2.1'), undefined);
  t.is(parseInet4('192.0.2'), undefined);
  t.is(parseInet6('2001:db8::1')?.text, '2001:db8::1');
  t.deepEqual(parseInet6('::ffff:192.0.2.1')?.bytes, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 192, 0, 2, 1));
  t.is(parseInet6('fe80::1%eth0'), undefined);
  t.is(parseInet6('192.0.2.1'), undefined);
});

test('inetNtop prints IPv6 as glibc does', (t) => {
  const cases: [string, string][] = [
    ['2001:db8::1', '2001:db8::1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::192.0.2.1', '::192.0.2.1'],
    ['::1', '::1'],
    ['::', '::'],
    ['::2', '::2'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['fe80::', 'fe80::'],
    ['2001:db8:1234:5678:9abc:def0:1234:5678', '2001:db8:1234:5678:9abc:def0:1234:5678'],
  ];
  for (const [text, want] of cases) t.is(inetNtop(ip(text)), want, text);
  t.is(inetNtop(ip('192.0.2.1')), '192.0.2.1');
});

test('strtoulHex32 reads /proc/net/ip_vs_conn addresses and stops at the first non-hex character', (t) => {
  t.is(strtoulHex32('C0000201'), 0xc0000201);
  t.is(strtoulHex32('2001:0db8'), 0x2001);
  t.is(strtoulHex32('FFFFFFFFFFFFFFFFFF'), 0xffffffff);
  t.is(strtoulHex32('zz'), 0);
});

test('netmasks: contiguous ones have a prefix length, others none', (t) => {
  t.is(netmaskPrefixLength(0xffffff00), 24);
  t.is(netmaskPrefixLength(0), 0);
  t.is(netmaskPrefixLength(0xffffffff), 32);
  t.is(netmaskPrefixLength(0xff00ff00), undefined);
  t.is(netmaskPrefixLength(24), undefined);
  fc.assert(fc.property(fc.integer({ min: 0, max: 32 }), (p) => netmaskPrefixLength(p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0) === p));
  t.is(formatIpv4Netmask(16), '255.255.0.0');
  t.is(formatIpv4Netmask(0), '0.0.0.0');
});

test('address words are nf_inet_addr in host order', (t) => {
  t.deepEqual(addressWords(ip('192.0.2.1')), [0xc0000201, 0, 0, 0]);
  t.deepEqual(addressWords(ip('2001:db8::1')), [0x20010db8, 0, 0, 1]);
});

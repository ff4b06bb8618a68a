import test from 'ava';
import type { InterfaceAddress } from '../../../ha/address-manager.js';
import { choosePrimaryAddress } from '../../../ha/primary-address.js';
import { parseIpPrefix } from '../../../src/core/ip.js';
import { ip } from './support/vrrp-fixtures.js';

function list(...texts: string[]): InterfaceAddress[] {
  return texts.map((text) => {
    const r = parseIpPrefix(text);
    if (!r.ok) throw new Error(r.error);
    return { address: r.value };
  });
}

test('IPv4: the first address that is not a VIP (a VIP left over from a crash may come first)', (t) => {
  const addresses = list('192.0.2.50/32', '192.0.2.11/24', '192.0.2.12/24', 'fe80::1/64');
  t.is(choosePrimaryAddress(addresses, 4, [ip('192.0.2.50')])?.text, '192.0.2.11');
  t.is(choosePrimaryAddress(list('169.254.1.1/16', '192.0.2.11/24'), 4, [])?.text, '192.0.2.11');
  t.is(choosePrimaryAddress(list('fe80::1/64'), 4, []), undefined);
});

test('IPv6: the link-local address, whatever global addresses come first', (t) => {
  t.is(choosePrimaryAddress(list('2001:db8::50/128', '2001:db8::11/64', 'fe80::ff:fe00:11/64'), 6, [ip('2001:db8::50')])?.text, 'fe80::ff:fe00:11');
  t.is(choosePrimaryAddress(list('2001:db8::11/64'), 6, []), undefined);
});

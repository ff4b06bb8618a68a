import test from 'ava';
import { encodeUnsolicitedNa } from '../../../ha/raw-icmpv6-na-sender.js';
import { ip, toHex } from './support/vrrp-fixtures.js';

test('unsolicited NA: type 136, Override flag, the VIP as target, the MAC in a Target Link-Layer Address option', (t) => {
  const na = encodeUnsolicitedNa(ip('2001:db8::100'), Uint8Array.from([0x02, 0, 0, 0, 0, 0x01]));
  t.is(toHex(na), '88000000' + '20000000' + '20010db8000000000000000000000100' + '0201020000000001');
});

import test from 'ava';
import { toReceivedDatagram } from '../../../ha/vrrp-datagram-assumptions.js';
import {
  advertDestinations,
  buildAdvertisement,
  describeInvalidSettings,
  toFilterParams,
  vipAssignments,
  VRRP_SETTINGS_DEFAULTS,
  type VrrpInstanceSettings,
} from '../../../ha/vrrp-instance-settings.js';
import { simpleTextAuthData } from '../../../ha/vrrp-packet.js';
import { parseIpPrefix } from '../../../src/core/ip.js';
import { ip } from './support/vrrp-fixtures.js';

function prefix(text: string) {
  const r = parseIpPrefix(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const base: VrrpInstanceSettings = {
  ...VRRP_SETTINGS_DEFAULTS,
  name: 'VI_1',
  interfaceName: 'eth0',
  vrid: 51,
  primaryAddress: ip('192.0.2.1'),
  vips: [{ address: prefix('192.0.2.100/32'), label: 'eth0:vip' }],
};

test('valid settings have no problems; derived params follow them', (t) => {
  t.deepEqual(describeInvalidSettings(base), []);
  const filter = toFilterParams({ ...base, ownAddresses: [ip('192.0.2.50')] });
  t.deepEqual(filter.ipAddresses.map((a) => a.text), ['192.0.2.100']);
  t.deepEqual(filter.ownAddresses.map((a) => a.text), ['192.0.2.1', '192.0.2.50']);
  t.deepEqual(advertDestinations(base).map((a) => a.text), ['224.0.0.18']);
  t.deepEqual(advertDestinations({ ...base, unicastPeers: [ip('192.0.2.2'), ip('192.0.2.3')] }).map((a) => a.text), ['192.0.2.2', '192.0.2.3']);
});

test('VIPs and excluded VIPs are managed on their interfaces; only VIPs go in adverts', (t) => {
  const s: VrrpInstanceSettings = { ...base, excludedVips: [{ address: prefix('2001:db8::100/128'), interfaceName: 'eth1' }] };
  t.deepEqual(describeInvalidSettings(s), []);
  t.deepEqual(
    vipAssignments(s).map((v) => `${v.address.text}@${v.interfaceName}${v.label === undefined ? '' : `:${v.label}`}`),
    ['192.0.2.100/32@eth0:eth0:vip', '2001:db8::100/128@eth1'],
  );
  t.deepEqual(buildAdvertisement(s, 150).ipAddresses.map((a) => a.text), ['192.0.2.100']);
});

test('v2 adverts carry whole seconds and the password', (t) => {
  const authData = simpleTextAuthData('secret') ?? new Uint8Array();
  const advert = buildAdvertisement({ ...base, version: 2, adverIntervalCs: 200, authentication: { type: 'simple-text-password', authData } }, 100);
  t.like(advert, { version: 2, adverIntervalS: 2, authType: 'simple-text-password', priority: 100 });
});

test('table of refusals, each named', (t) => {
  const cases: [Partial<VrrpInstanceSettings>, string][] = [
    [{ version: 2, primaryAddress: ip('fe80::1'), vips: [{ address: prefix('2001:db8::1/128') }] }, 'VRRPv2 is IPv4 only (RFC 3768); use version 3 for IPv6'],
    [{ vips: [{ address: prefix('2001:db8::1/128') }] }, 'VIPs carried in adverts must all be IPv4 like the primary address; put others in excludedVips'],
    [{ unicastPeers: [ip('192.0.2.1')] }, 'a unicast peer is our own primary address'],
    [{ primaryAddress: ip('2001:db8::1'), vips: [{ address: prefix('2001:db8::100/128') }] }, 'IPv6 multicast adverts come from the link-local address (RFC 5798 section 5.1.2.1): primaryAddress must be it'],
    [{ authentication: { type: 'simple-text-password', authData: new Uint8Array(8) } }, 'VRRPv3 has no authentication (RFC 5798 section 9)'],
    [{ vips: [{ address: prefix('192.0.2.100/32'), label: 'a-label-far-too-long' }] }, 'label "a-label-far-too-long" of 192.0.2.100/32: IPv4 only, at most 15 characters'],
    [{ interfaceName: 'an-interface-name-too-long' }, 'interface "an-interface-name-too-long" is not an interface name'],
    [{ downTimerAdverts: 0 }, 'downTimerAdverts 0 is not 1-100'],
    [{ adverIntervalCs: 4096 }, 'max_adver_int 4096 cs is not 1-4095'],
    [{ adverIntervalCs: 5 }, 'handoverReleaseDelayMs 100 is not 0-50 (one advert interval)'],
  ];
  for (const [override, problem] of cases) t.deepEqual(describeInvalidSettings({ ...base, ...override }), [problem], problem);
});

test('what the transport could not see is assumed and counted', (t) => {
  const counts = { ttl: 0, destination: 0 };
  const seen = toReceivedDatagram({ bytes: new Uint8Array(0), source: ip('192.0.2.2'), destination: ip('224.0.0.18'), ttlOrHopLimit: 254, interface: 'eth0' }, base, counts);
  t.like(seen, { ttl: 254 });
  t.deepEqual(counts, { ttl: 0, destination: 0 });
  const v6 = toReceivedDatagram({ bytes: new Uint8Array(0), source: ip('fe80::2'), isChecksumVerified: true, interface: 'eth0' }, { primaryAddress: ip('fe80::1'), unicastPeers: [] }, counts);
  t.is(v6.destinationAddress.text, 'ff02::12');
  t.is(v6.ttl, 255);
  t.is(v6.isChecksumVerified, true);
  const udp = toReceivedDatagram({ bytes: new Uint8Array(0), source: ip('192.0.2.2'), destination: ip('192.0.2.1'), interface: 'eth0' }, { ...base, unicastPeers: [ip('192.0.2.2')] }, counts);
  t.is(udp.destinationAddress.text, '192.0.2.1');
  t.deepEqual(counts, { ttl: 2, destination: 1 });
});

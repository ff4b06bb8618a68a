import test from 'ava';
import { parseYamlConfig } from '../../../config/yaml-source.js';
import { validateConfig } from '../../../config/validate.js';
import type { LvsdConfig } from '../../../config/schema.js';
import { parseIpPrefix, type IpPrefix } from '../../../src/core/ip.js';
import { chooseVirtualMacLinkLocal, choosePrimaryAddress, toVrrpSettings, virtualMacOf } from '../../../src/vrrp/vrrp-settings.js';
import { describeInvalidSettings } from '../../../ha/vrrp-instance-settings.js';

function config(yaml: string): LvsdConfig {
  const r = validateConfig(parseYamlConfig(yaml, 't.yaml'));
  if (r.config === undefined) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

const prefix = (text: string): IpPrefix => {
  const r = parseIpPrefix(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

const ONE = `vrrp:
  instances:
    - { name: VI_1, interface: eth0, vrid: 51, vips: [192.0.2.50/32] }
`;

test('keepalived defaults: priority 100 (255 with initialState master), v2, 1 s adverts, keepalived GARP', (t) => {
  const c = config(ONE);
  const vi = c.vrrp.instances[0];
  if (vi === undefined) return t.fail();
  const primary = prefix('192.0.2.11/24').address;
  const s = toVrrpSettings(vi, c.vrrp, primary, [primary]);
  t.like(s, { name: 'VI_1', interfaceName: 'eth0', vrid: 51, version: 2, priority: 100, adverIntervalCs: 100, preemptMode: 'preempt', preemptDelayMs: 0 });
  t.like(s.garp, { masterRepeat: 5, masterDelayMs: 5000, lowerPrioRepeat: 5, lowerPrioDelayMs: 5000 });
  t.deepEqual(describeInvalidSettings(s), [], 'the settings are runnable');
  const master = config(ONE.replace('vrid: 51,', 'vrid: 51, initialState: master,')).vrrp.instances[0];
  if (master === undefined) return t.fail();
  t.is(toVrrpSettings(master, c.vrrp, primary, []).priority, 255);
});

test('GARP: instance settings over vrrp.defaults over keepalived; lower-priority ones default to the master ones', (t) => {
  const c = config(`vrrp:
  defaults: { version: 3, garp: { masterDelay: 2s, masterRepeat: 3 } }
  instances:
    - { name: VI_1, interface: eth0, vrid: 51, advertInterval: 100ms, vips: [192.0.2.50/32], garp: { masterRepeat: 7 }, authentication: null }
`.replace(', authentication: null', ''));
  const vi = c.vrrp.instances[0];
  if (vi === undefined) return t.fail();
  const s = toVrrpSettings(vi, c.vrrp, prefix('192.0.2.11').address, []);
  t.is(s.version, 3);
  t.is(s.adverIntervalCs, 10);
  t.like(s.garp, { masterRepeat: 7, masterDelayMs: 2000, lowerPrioRepeat: 7, lowerPrioDelayMs: 2000, masterRefreshMs: 0 });
});

test('v2 PASS authentication becomes 8 bytes of auth data', (t) => {
  const c = config(ONE.replace('vips: [192.0.2.50/32] }', 'vips: [192.0.2.50/32], authentication: { type: pass, password: secret } }'));
  const vi = c.vrrp.instances[0];
  if (vi === undefined) return t.fail();
  const s = toVrrpSettings(vi, c.vrrp, prefix('192.0.2.11').address, []);
  t.is(s.authentication.type, 'simple-text-password');
  if (s.authentication.type === 'simple-text-password') t.deepEqual([...s.authentication.authData], [...Buffer.from('secret\0\0')]);
});

test('HMAC-SHA256: the inline key, or the key read from the key file, becomes the settings\' key bytes; the settings run', (t) => {
  const key = '00112233445566778899aabbccddeeff';
  const inline = config(ONE.replace('vips: [192.0.2.50/32] }', `vips: [192.0.2.50/32], version: 3, authentication: { type: hmac-sha256, key: "${key}" } }`)).vrrp;
  const vi = inline.instances[0];
  if (vi === undefined) return t.fail();
  const s = toVrrpSettings(vi, inline, prefix('192.0.2.11').address, []);
  t.deepEqual(s.authentication, { type: 'hmac-sha256', key: Uint8Array.from(Buffer.from(key, 'hex')) });
  t.deepEqual(describeInvalidSettings(s), []);
  const fromFile = config(ONE.replace('vips: [192.0.2.50/32] }', 'vips: [192.0.2.50/32], version: 3, authentication: { type: hmac-sha256, keyFile: /etc/lvsd/k } }')).vrrp;
  const vf = fromFile.instances[0];
  if (vf === undefined) return t.fail();
  const loaded = new Uint8Array(32).fill(7);
  t.deepEqual(toVrrpSettings(vf, fromFile, prefix('192.0.2.11').address, [], loaded).authentication, { type: 'hmac-sha256', key: loaded });
  t.throws(() => toVrrpSettings(vf, fromFile, prefix('192.0.2.11').address, []), { message: /hmac-sha256 without a loaded key/ });
});

test('the primary address: unicast source, else the first non-VIP address of the family, link-local for IPv6', (t) => {
  const v4 = config(ONE).vrrp.instances[0];
  const v6 = config(ONE.replace('192.0.2.50/32', '"2001:db8::50/64"')).vrrp.instances[0];
  const uni = config(ONE.replace('vips: [192.0.2.50/32] }', 'vips: [192.0.2.50/32], unicast: { source: 192.0.2.99, peers: [192.0.2.12] } }')).vrrp.instances[0];
  if (v4 === undefined || v6 === undefined || uni === undefined) return t.fail();
  const addrs = ['192.0.2.50/32', '2001:db8::1/64', '192.0.2.11/24', 'fe80::1/64'].map((a) => ({ address: prefix(a) }));
  t.is(choosePrimaryAddress(v4, addrs)?.text, '192.0.2.11');
  t.is(choosePrimaryAddress(v6, addrs)?.text, 'fe80::1');
  t.is(choosePrimaryAddress(uni, addrs)?.text, '192.0.2.99');
  t.is(choosePrimaryAddress(v4, [{ address: prefix('192.0.2.50/32') }]), undefined, 'a VIP is never the primary address');
});

test('virtualMac on an IPv6 instance: 00:00:5e:00:02:VRID\'s macvlan with the instance\'s link-local source (keepalived\'s choice)', (t) => {
  const c = config(`vrrp:
  instances:
    - { name: VI_6, interface: eth0, vrid: 52, vips: ["2001:db8::50/64"], virtualMac: true }
`);
  const [v6] = c.vrrp.instances;
  if (v6 === undefined) return t.fail();
  const ll = prefix('fe80::1').address;
  t.deepEqual(virtualMacOf(v6, ll), {
    baseInterfaceName: 'eth0',
    interfaceName: 'vrrp.52',
    vrid: 52,
    family: 6,
    mode: 'private',
    linkLocalAddress: ll,
  });
  t.throws(() => virtualMacOf(v6), { message: /without its link-local address/ });
  t.is(toVrrpSettings(v6, c.vrrp, ll, []).interfaceName, 'vrrp.52', 'adverts and NAs from the macvlan');
  const base = [{ address: prefix('2001:db8::11/64') }, { address: prefix('fe80::2/64') }];
  t.is(chooseVirtualMacLinkLocal(ll, base), ll, 'the instance\'s link-local source');
  t.is(chooseVirtualMacLinkLocal(prefix('2001:db8::11').address, base)?.text, 'fe80::2', 'a global unicast source: the base interface\'s link-local');
  t.is(chooseVirtualMacLinkLocal(prefix('2001:db8::11').address, [{ address: prefix('2001:db8::11/64') }]), undefined, 'none: the caller makes one from the MAC');
});

test('virtualMac (keepalived use_vmac): a private macvlan "vrrp.VRID" or the configured name carries the VIPs, adverts and GARPs', (t) => {
  const c = config(`vrrp:
  instances:
    - { name: VI_1, interface: eth0, vrid: 51, vips: [192.0.2.50/32, { address: 192.0.2.60/32, interface: eth1 }], virtualMac: true }
    - { name: VI_2, interface: eth0, vrid: 52, vips: [192.0.2.51/32], virtualMac: { interface: vmac52 } }
    - { name: VI_3, interface: eth0, vrid: 53, vips: [192.0.2.52/32] }
`);
  const [v1, v2, v3] = c.vrrp.instances;
  if (v1 === undefined || v2 === undefined || v3 === undefined) return t.fail();
  t.deepEqual(virtualMacOf(v1), { baseInterfaceName: 'eth0', interfaceName: 'vrrp.51', vrid: 51, family: 4, mode: 'private' });
  t.is(virtualMacOf(v2)?.interfaceName, 'vmac52');
  t.is(virtualMacOf(v3), undefined);
  const s1 = toVrrpSettings(v1, c.vrrp, prefix('192.0.2.11').address, []);
  t.is(s1.interfaceName, 'vrrp.51');
  t.deepEqual(s1.vips.map((v) => v.interfaceName ?? s1.interfaceName), ['vrrp.51', 'eth1'], 'a VIP with its own interface stays there');
  t.is(toVrrpSettings(v3, c.vrrp, prefix('192.0.2.11').address, []).interfaceName, 'eth0');
});

test('short advert intervals run: the handover release delay stays within one advert interval', (t) => {
  for (const interval of ['10ms', '50ms', '100ms', '1s']) {
    const c = config(ONE.replace('vrid: 51,', `vrid: 51, version: 3, advertInterval: ${interval},`));
    const vi = c.vrrp.instances[0];
    if (vi === undefined) return t.fail();
    const s = toVrrpSettings(vi, c.vrrp, prefix('192.0.2.11').address, []);
    t.deepEqual(describeInvalidSettings(s), [], `advertInterval ${interval}`);
    t.true(s.handoverReleaseDelayMs <= s.adverIntervalCs * 10);
  }
});

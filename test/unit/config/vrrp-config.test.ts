import test from 'ava';
import { parseYamlConfig } from '../../../config/yaml-source.js';
import { validateConfig } from '../../../config/validate.js';
import { formatIssue } from '../../../config/issues.js';
import { instanceVersion } from '../../../config/rules-vrrp.js';

const check = (text: string) => validateConfig(parseYamlConfig(text, 'lvsd.yaml'));

const BASE = `vrrp:
  instances:
    - name: VI_1
      interface: eth0
      vrid: 51
      priority: 150
      vips: [192.0.2.50/24]
`;

test('a minimal instance gets keepalived\'s defaults, and VIPs become parsed prefixes', (t) => {
  const r = check(BASE);
  t.deepEqual(r.issues, []);
  const vi = r.config?.vrrp.instances[0];
  t.is(vi?.vrid, 51);
  t.is(vi?.advertInterval, 1000);
  t.true(vi?.preempt);
  t.is(vi?.preemptDelay, 0);
  t.is(vi?.initialState, 'backup');
  t.is(vi?.transport, 'ip');
  t.is(vi?.vips[0]?.address.text, '192.0.2.50/24');
  t.is(vi?.vips[0]?.address.address.family, 4);
  if (vi !== undefined && r.config !== undefined) t.is(instanceVersion(vi, r.config.vrrp.defaults), 2);
});

test('a full instance with trackers, unicast, GARP settings and a sync group validates', (t) => {
  const r = check(`vrrp:
  defaults: { version: 3, garp: { masterDelay: 2s, masterRepeat: 3 } }
  scripts:
    - { name: chk_http, command: "/usr/bin/curl -sf http://127.0.0.1/", interval: 2s, weight: -20, rise: 2, fall: 3 }
  trackFiles:
    - { name: maint, path: /run/lvsd/maint, weight: -50 }
  instances:
    - name: VI_1
      interface: eth0
      vrid: 51
      advertInterval: 100ms
      preemptDelay: 10s
      unicast: { source: 192.0.2.11, peers: [192.0.2.12, 192.0.2.13] }
      vips: [192.0.2.50, { address: 192.0.2.51/24, label: "eth0:vip" }]
      excludedVips: ["2001:db8::50/64"]
      garp: { masterRefresh: 60s }
      notify: { master: "/etc/lvsd/notify.sh master", any: /etc/lvsd/notify.sh }
      trackInterfaces: [{ interface: eth1, weight: -10 }]
      trackScripts: [{ script: chk_http }]
      trackFiles: [{ file: maint }]
    - name: VI_6
      interface: eth0
      vrid: 52
      vips: ["2001:db8::60/64"]
  syncGroups:
    - { name: G1, members: [VI_1, VI_6], isTrackingWeighted: true }
`);
  t.deepEqual(r.issues.map(formatIssue), []);
  const [v4, v6] = r.config?.vrrp.instances ?? [];
  t.is(v4?.advertInterval, 100);
  t.deepEqual(v4?.unicast?.peers.map((p) => p.text), ['192.0.2.12', '192.0.2.13']);
  t.is(v4?.vips[1]?.label, 'eth0:vip');
  t.is(v6?.vips[0]?.address.text, '2001:db8::60/64');
});

// Each row: what is added or changed, and the exact issue lines expected.
const invalid: [string, string, string[]][] = [
  ['IPv6 VIP on a v2 instance', BASE.replace('vips: [192.0.2.50/24]', 'version: 2\n      vips: ["2001:db8::1"]'), ['lvsd.yaml:7:7: error: VRRP version 2 has no IPv6 (RFC 3768): use version 3 [vrrp.instances[0].version]']],
  ['mixed families', BASE.replace('[192.0.2.50/24]', '[192.0.2.50/24, "2001:db8::1"]'), ['lvsd.yaml:7:29: error: 2001:db8::1/128 is IPv6, the instance\'s first VIP is IPv4: an instance carries one family (use excludedVips for the other) [vrrp.instances[0].vips[1]]']],
  ['v2 sub-second advert', `${BASE}      advertInterval: 500ms\n`, ['lvsd.yaml:8:7: error: VRRPv2 adverts are whole seconds from 1s to 255s, not 500 ms [vrrp.instances[0].advertInterval]']],
  ['v3 advert too long', `${BASE}      version: 3\n      advertInterval: 41s\n`, ['lvsd.yaml:9:7: error: VRRPv3 adverts are 10 ms steps from 10ms to 40.95s, not 41000 ms [vrrp.instances[0].advertInterval]']],
  ['bad VIP', BASE.replace('192.0.2.50/24', '192.0.2.500'), ['lvsd.yaml:7:14: error: "192.0.2.500" is not an IPv4 address [vrrp.instances[0].vips[0]]']],
  ['VRID out of range', BASE.replace('vrid: 51', 'vrid: 256'), ['lvsd.yaml:5:7: error: Too big: expected number to be <=255 (got 256) [vrrp.instances[0].vrid]']],
  ['interface name too long', BASE.replace('interface: eth0', 'interface: averyveryverylongname'), ['lvsd.yaml:4:7: error: expected an interface name (at most 15 characters; letters, digits, "_", ".", "-", "@") (got "averyveryverylongname") [vrrp.instances[0].interface]']],
  ['duplicate VRID on one interface', `${BASE}    - { name: VI_2, interface: eth0, vrid: 51, vips: [192.0.2.60] }\n`, ['lvsd.yaml:8:38: error: VRID 51 on eth0 is already used by instance "VI_1" [vrrp.instances[1].vrid]']],
  ['IPv4 and IPv6 instances with VRID 51 and virtual MACs: both want vrrp.51', `${BASE}      virtualMac: true\n    - { name: VI_6, interface: eth0, vrid: 51, vips: ["2001:db8::50/128"], virtualMac: true }\n`, ['lvsd.yaml:9:76: error: the virtual MAC\'s macvlan vrrp.51 is already instance "VI_1"\'s: name one (virtualMac: { interface: NAME }) [vrrp.instances[1].virtualMac]']],
  ['a virtual MAC named like an instance\'s interface', `${BASE}      virtualMac: { interface: eth0 }\n`, ['lvsd.yaml:8:7: error: the virtual MAC\'s macvlan eth0 would be named like an instance\'s interface [vrrp.instances[0].virtualMac]']],
  ['duplicate name', `${BASE}    - { name: VI_1, interface: eth1, vrid: 52, vips: [192.0.2.60] }\n`, ['lvsd.yaml:8:9: error: "VI_1" is already the name of instances[0] [vrrp.instances[1].name]']],
  ['unknown tracked script', `${BASE}      trackScripts: [{ script: nope }]\n`, ['lvsd.yaml:8:24: error: no script named "nope" in vrrp.scripts [vrrp.instances[0].trackScripts[0].script]']],
  ['owner without preempt', BASE.replace('priority: 150', 'priority: 255\n      preempt: false'), ['lvsd.yaml:7:7: error: the address owner (priority 255) always preempts [vrrp.instances[0].preempt]']],
  ['nopreempt with initial master', `${BASE}      preempt: false\n      initialState: master\n`, ['lvsd.yaml:8:7: error: preempt false needs initialState backup (as keepalived\'s nopreempt needs state BACKUP) [vrrp.instances[0].preempt]']],
  ['PASS authentication on v3', `${BASE}      version: 3\n      authentication: { type: pass, password: secret }\n`, ['lvsd.yaml:9:7: error: VRRPv3 has no authentication field (RFC 5798): PASS needs version 2; between lvsd directors use hmac-sha256 [vrrp.instances[0].authentication]']],
  ['HMAC on v2 (the default version)', `${BASE}      authentication: { type: hmac-sha256, keyFile: /etc/lvsd/vrrp.key }\n`, ['lvsd.yaml:8:7: error: hmac-sha256 authenticates VRRPv3 adverts between lvsd directors (keepalived drops them): set version 3 [vrrp.instances[0].authentication]']],
  ['HMAC with both a key file and a key', `${BASE}      version: 3\n      authentication: { type: hmac-sha256, keyFile: /k, key: ${'ab'.repeat(16)} }\n`, ['lvsd.yaml:9:7: error: hmac-sha256 needs exactly one of keyFile and key [vrrp.instances[0].authentication]']],
  ['HMAC with neither', `${BASE}      version: 3\n      authentication: { type: hmac-sha256 }\n`, ['lvsd.yaml:9:7: error: hmac-sha256 needs exactly one of keyFile and key [vrrp.instances[0].authentication]']],
  ['HMAC key too short', `${BASE}      version: 3\n      authentication: { type: hmac-sha256, key: "00112233" }\n`, ['lvsd.yaml:9:44: error: expected at least 16 bytes in hexadecimal (openssl rand -hex 32) (got "00112233") [vrrp.instances[0].authentication.key]']],
  ['HMAC key unquoted, read by YAML as a number', `${BASE}      version: 3\n      authentication: { type: hmac-sha256, key: 00112233 }\n`, ['lvsd.yaml:9:44: error: expected the key as a quoted string of hexadecimal digits (got 112233) [vrrp.instances[0].authentication.key]']],
  ['HMAC key file not absolute', `${BASE}      version: 3\n      authentication: { type: hmac-sha256, keyFile: vrrp.key }\n`, ['lvsd.yaml:9:44: error: expected an absolute path (got "vrrp.key") [vrrp.instances[0].authentication.keyFile]']],
  ['password too long', `${BASE}      authentication: { type: pass, password: "123456789" }\n`, ['lvsd.yaml:8:37: error: Too big: expected string to have <=8 characters (got "123456789") [vrrp.instances[0].authentication.password]']],
  ['udp without peers', `${BASE}      transport: udp\n`, ['lvsd.yaml:8:7: error: the udp transport sends to unicast peers: set unicast.peers [vrrp.instances[0].transport]']],
  ['peer of the wrong family, source among peers', `${BASE}      unicast: { source: 192.0.2.11, peers: [192.0.2.11, "2001:db8::2"] }\n`, [
    'lvsd.yaml:8:18: error: source 192.0.2.11 is also listed as a peer [vrrp.instances[0].unicast.source]',
    'lvsd.yaml:8:58: error: peer 2001:db8::2 is IPv6, the instance is IPv4 [vrrp.instances[0].unicast.peers[1]]',
  ]],
  ['sync group with an unknown member', `${BASE}  syncGroups: [{ name: G, members: [VI_1, VI_9] }]\n`, ['lvsd.yaml:8:43: error: no instance named "VI_9" in vrrp.instances [vrrp.syncGroups[0].members[1]]']],
];

for (const [name, text, expected] of invalid) {
  test(`invalid: ${name}`, (t) => {
    const r = check(text);
    t.is(r.config, undefined);
    t.deepEqual(r.issues.map(formatIssue), expected);
  });
}

test('sync group members\' own weighted trackers: warned with what keepalived does to each; the group\'s own keep their weights', (t) => {
  const r = check(`vrrp:
  scripts: [{ name: s0, command: /bin/true }, { name: s20, command: /bin/true, weight: -20 }]
  trackFiles: [{ name: f1, path: /run/f1 }, { name: f5, path: /run/f5, weight: -5 }]
  instances:
    - { name: A, interface: eth0, vrid: 1, vips: [192.0.2.1], trackInterfaces: [{ interface: eth1, weight: -10 }, { interface: eth2 }], trackScripts: [{ script: s0 }, { script: s20 }], trackFiles: [{ file: f1 }, { file: f5 }] }
    - { name: B, interface: eth0, vrid: 2, vips: [192.0.2.2] }
  syncGroups:
    - { name: G, members: [A, B], trackScripts: [{ script: s20 }] }
`);
  t.truthy(r.config);
  t.deepEqual(r.issues.map((i) => `${i.path}: ${i.message}`), [
    'vrrp.instances[0].trackInterfaces[0]: in sync group "G" this tracker\'s weight -10 counts as 0 (a failure puts the group in FAULT), as keepalived does; set isTrackingWeighted on the group to keep weights',
    'vrrp.instances[0].trackScripts[1]: in sync group "G" this tracker is ignored (weight -20), as keepalived does; set isTrackingWeighted on the group to keep weights',
    'vrrp.instances[0].trackFiles[0]: in sync group "G" this tracker\'s weight 1 counts as 0 (a failure puts the group in FAULT), as keepalived does; set isTrackingWeighted on the group to keep weights',
    'vrrp.instances[0].trackFiles[1]: in sync group "G" this tracker is ignored (weight -5), as keepalived does; set isTrackingWeighted on the group to keep weights',
  ]);
});

test('warnings: no VIPs, a preemptDelay without preempt', (t) => {
  const r = check(BASE.replace('vips: [192.0.2.50/24]', 'vips: []\n      preempt: false\n      preemptDelay: 5s'));
  t.truthy(r.config);
  t.deepEqual(r.issues.map((i) => `${i.severity} ${i.path}`), ['warning vrrp.instances[0].vips', 'warning vrrp.instances[0].preemptDelay']);
});

test('HMAC-SHA256 on a VRRPv3 instance: a key file, or an inline hexadecimal key with spaces removed', (t) => {
  const fromFile = check(`${BASE}      version: 3\n      authentication: { type: hmac-sha256, keyFile: /etc/lvsd/vrrp.key }\n`);
  t.deepEqual(fromFile.issues, []);
  t.deepEqual(fromFile.config?.vrrp.instances[0]?.authentication, { type: 'hmac-sha256', keyFile: '/etc/lvsd/vrrp.key' });
  const inline = check(`${BASE}      version: 3\n      authentication: { type: hmac-sha256, key: "0011 2233 4455 6677 8899 aabb ccdd eeff" }\n`);
  t.deepEqual(inline.issues, []);
  t.deepEqual(inline.config?.vrrp.instances[0]?.authentication, { type: 'hmac-sha256', key: '00112233445566778899aabbccddeeff' });
});

test('an IPv6 instance runs version 3 even when the default is 2', (t) => {
  const r = check(BASE.replace('[192.0.2.50/24]', '["2001:db8::50/64"]'));
  const vi = r.config?.vrrp.instances[0];
  t.deepEqual(r.issues, []);
  if (vi !== undefined && r.config !== undefined) t.is(instanceVersion(vi, r.config.vrrp.defaults), 3);
});

import test from 'ava';
import { parseYamlConfig } from '../../../config/yaml-source.js';
import { parseKeepalivedConfig } from '../../../config/keepalived/keepalived-source.js';
import { createMemorySourceReader } from '../../../config/keepalived/memory-source-reader.js';
import { dottedMaskLength } from '../../../config/keepalived/ipvs-handlers.js';
import { validateConfig } from '../../../config/validate.js';
import { formatIssue } from '../../../config/issues.js';

const yaml = (text: string) => validateConfig(parseYamlConfig(text, 'lvsd.yaml'));
const keepalived = (text: string) => parseKeepalivedConfig(text, 'keepalived.conf', createMemorySourceReader({}));

const BASE = `ipvs:
  virtualServers:
    - address: 192.0.2.50
      port: 80
      realServers:
        - { address: 192.0.2.21 }
`;

test('defaults are ipvsadm\'s and keepalived\'s: wlc, NAT, weight 1, no thresholds', (t) => {
  const r = yaml(BASE);
  t.deepEqual(r.issues, []);
  const vs = r.config?.ipvs.virtualServers[0];
  t.is(vs?.scheduler, 'wlc');
  t.is(vs?.forwarding, 'nat');
  t.is(vs?.protocol, 'tcp');
  t.like(vs?.realServers[0], { weight: 1, upperThreshold: 0, lowerThreshold: 0 });
  t.is(vs?.realServers[0]?.address.text, '192.0.2.21');
});

const invalid: [string, string, string[]][] = [
  ['address and fwmark together', BASE.replace('port: 80', 'port: 80\n      fwmark: 7'), ['lvsd.yaml:3:7: error: a virtual server is exactly one of: address and port, fwmark, or group [ipvs.virtualServers[0]]']],
  ['address without port', BASE.replace('      port: 80\n', ''), ['lvsd.yaml:3:7: error: an address service needs a port (0 for all ports, with persistence) [ipvs.virtualServers[0].port]']],
  ['port 0 without persistence', BASE.replace('port: 80', 'port: 0'), ['lvsd.yaml:4:7: error: port 0 (all ports) needs persistence, as ipvsadm requires [ipvs.virtualServers[0].port]']],
  ['unknown scheduler', `${BASE}      scheduler: random\n`, ['lvsd.yaml:7:7: error: Invalid option: expected one of "rr"|"wrr"|"lc"|"wlc"|"lblc"|"lblcr"|"sh"|"dh"|"sed"|"nq"|"mh"|"fo"|"ovf" (got "random") [ipvs.virtualServers[0].scheduler]']],
  ['sh flag on rr', `${BASE}      scheduler: rr\n      schedulerFlags: [sh-port]\n`, ['lvsd.yaml:8:24: error: sh-port is a flag of the sh scheduler, not of rr [ipvs.virtualServers[0].schedulerFlags[0]]']],
  ['IPv6 real server on an IPv4 NAT service', BASE.replace('192.0.2.21', '"2001:db8::21"'), ['lvsd.yaml:6:13: error: 2001:db8::21 is IPv6, the service IPv4: mixed families need tunnel forwarding [ipvs.virtualServers[0].realServers[0].address]']],
  ['duplicate real server', `${BASE}        - { address: 192.0.2.21, port: 80 }\n`, ['lvsd.yaml:7:11: error: real server 192.0.2.21:80 is listed twice (first at realServers[0]) [ipvs.virtualServers[0].realServers[1]]']],
  ['duplicate service', `${BASE}    - { address: 192.0.2.50, port: 80 }\n`, ['lvsd.yaml:7:7: error: tcp 192.0.2.50:80 is already virtualServers[0] [ipvs.virtualServers[1]]']],
  ['thresholds reversed', BASE.replace('{ address: 192.0.2.21 }', '{ address: 192.0.2.21, upperThreshold: 10, lowerThreshold: 20 }'), ['lvsd.yaml:6:54: error: the lower threshold is above the upper one (the kernel refuses it) [ipvs.virtualServers[0].realServers[0].lowerThreshold]']],
  ['IPv4 netmask over 32', `${BASE}      persistence: { timeout: 300s, netmaskPrefixLength: 33 }\n`, ['lvsd.yaml:7:37: error: an IPv4 netmask is at most /32 [ipvs.virtualServers[0].persistence.netmaskPrefixLength]']],
  ['unknown group', `ipvs:\n  virtualServers:\n    - { group: web }\n`, ['lvsd.yaml:3:9: error: no virtual server group named "web" [ipvs.virtualServers[0].group]']],
];

for (const [name, text, expected] of invalid) {
  test(`invalid: ${name}`, (t) => {
    const r = yaml(text);
    t.is(r.config, undefined);
    t.deepEqual(r.issues.map(formatIssue), expected);
  });
}

test('direct routing to another port is a warning: DR cannot change the port', (t) => {
  const r = yaml(BASE.replace('{ address: 192.0.2.21 }', '{ address: 192.0.2.21, port: 8080 }').replace('port: 80\n', 'port: 80\n      forwarding: dr\n'));
  t.truthy(r.config);
  t.deepEqual(r.issues.map(formatIssue), ['lvsd.yaml:7:34: warning: dr forwarding cannot change the port: traffic reaches 192.0.2.21 on port 80 [ipvs.virtualServers[0].realServers[0].port]']);
});

test('keepalived virtual_server, real_server, group and lvs_timeouts translate into the model (golden)', (t) => {
  const raw = keepalived(`global_defs {
  lvs_timeouts tcp 900 tcpfin 120 udp 300
}
virtual_server_group web {
  192.0.2.100 80
  192.0.2.101-110 443
  fwmark 7
}
virtual_server 192.0.2.50 80 {
  lb_algo sh
  sh-port
  lb_kind DR
  persistence_timeout 300
  persistence_granularity 255.255.255.0
  protocol TCP
  sorry_server 192.0.2.200 80
  real_server 192.0.2.21 80 {
    weight 3
    uthreshold 100
    lthreshold 50
  }
  real_server 192.0.2.22 80 {
    lvs_method TUN type gue port 6080 csum
  }
}
virtual_server fwmark 7 {
  ip_family inet6
  lvs_sched rr
  ops
  real_server 2001:db8::21 {
  }
}
virtual_server group web {
  lb_algo wlc
}
`);
  t.deepEqual(raw.issues.map(formatIssue), []);
  t.deepEqual(raw.data, {
    ipvs: {
      timeouts: { tcp: '900s', tcpFin: '120s', udp: '300s' },
      virtualServerGroups: [{ name: 'web', members: [{ address: '192.0.2.100', port: 80 }, { address: '192.0.2.101', lastAddress: '192.0.2.110', port: 443 }, { fwmark: 7 }] }],
      virtualServers: [
        {
          address: '192.0.2.50',
          port: 80,
          scheduler: 'sh',
          schedulerFlags: ['sh-port'],
          forwarding: 'dr',
          persistence: { timeout: '300s', netmaskPrefixLength: 24 },
          protocol: 'tcp',
          sorryServer: { address: '192.0.2.200', port: 80 },
          realServers: [
            { address: '192.0.2.21', port: 80, weight: 3, upperThreshold: 100, lowerThreshold: 50 },
            { address: '192.0.2.22', port: 80, forwarding: 'tun', tunnel: { type: 'gue', port: 6080, checksum: 'csum' } },
          ],
        },
        { fwmark: 7, family: 6, scheduler: 'rr', isOnePacket: true, realServers: [{ address: '2001:db8::21' }] },
        { group: 'web', scheduler: 'wlc' },
      ],
    },
  });
  const r = validateConfig(raw);
  t.deepEqual(r.issues.map(formatIssue), []);
  t.is(r.config?.ipvs.timeouts?.tcp, 900_000);
});

test('keepalived LVS syntax errors are reported at their word', (t) => {
  const raw = keepalived('virtual_server 192.0.2.50 http {\n  lb_kind FULLNAT\n  persistence_granularity 255.0.255.0\n}\n');
  t.deepEqual(raw.issues.map(formatIssue), [
    'keepalived.conf:1:27: error: expected a port number (0-65535), got "http" [virtual_server]',
    'keepalived.conf:2:11: error: lb_kind is NAT, DR or TUN, got "FULLNAT" [virtual_server.lb_kind]',
    'keepalived.conf:3:27: error: persistence_granularity takes a netmask such as 255.255.255.0 or a prefix length, got "255.0.255.0" [virtual_server.persistence_granularity]',
  ]);
});

test('dotted netmasks become prefix lengths; holes are refused', (t) => {
  t.is(dottedMaskLength('255.255.255.255'), 32);
  t.is(dottedMaskLength('255.255.255.0'), 24);
  t.is(dottedMaskLength('255.255.240.0'), 20);
  t.is(dottedMaskLength('0.0.0.0'), 0);
  t.is(dottedMaskLength('255.0.255.0'), undefined);
  t.is(dottedMaskLength('255.255.255'), undefined);
});

import test from 'ava';
import { parseKeepalivedConfig } from '../../../config/keepalived/keepalived-source.js';
import { createMemorySourceReader } from '../../../config/keepalived/memory-source-reader.js';
import { validateConfig } from '../../../config/validate.js';
import { formatIssue } from '../../../config/issues.js';

const read = (text: string) => parseKeepalivedConfig(text, 'keepalived.conf', createMemorySourceReader({}));
const validate = (text: string) => validateConfig(read(text));

const FULL = `global_defs {
  vrrp_version 3
  vrrp_garp_master_delay 2
  vrrp_garp_master_repeat 3
}
vrrp_script chk_http {
  script "/usr/bin/curl -sf http://127.0.0.1/"
  interval 2
  timeout 1.5
  weight -20 reverse
  rise 2
  fall 3
  user nobody
  init_fail
}
track_file maint {
  file /run/lvsd/maint
  weight -50
  init_file 0
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 0.1
  nopreempt
  preempt_delay 10
  unicast_src_ip 192.0.2.11
  unicast_peer {
    192.0.2.12
    192.0.2.13
  }
  virtual_ipaddress {
    192.0.2.50
    192.0.2.51/24 dev eth0 label eth0:vip
  }
  virtual_ipaddress_excluded {
    2001:db8::50/64
  }
  use_vmac
  garp_master_refresh 60
  track_interface {
    eth1 weight -10
  }
  track_script {
    chk_http
  }
  track_file {
    maint weight -5
  }
  notify_master "/etc/lvsd/notify.sh master"
  notify /etc/lvsd/notify.sh
}
vrrp_instance VI_2 {
  interface eth0
  dont_track_primary
  virtual_router_id 52
  virtual_ipaddress {
    192.0.2.60
  }
}
vrrp_sync_group G1 {
  group {
    VI_1 VI_2
  }
  notify_backup "/etc/lvsd/group.sh backup"
}
`;

test('a full keepalived VRRP configuration translates into the native model (golden)', (t) => {
  const raw = read(FULL);
  t.deepEqual(raw.issues.map(formatIssue), []);
  t.deepEqual(raw.data, {
    vrrp: {
      defaults: { version: 3, garp: { masterDelay: '2s', masterRepeat: 3 } },
      scripts: [{ name: 'chk_http', command: '/usr/bin/curl -sf http://127.0.0.1/', interval: '2s', timeout: '1500ms', weight: -20, isReversed: true, rise: 2, fall: 3, user: 'nobody', isInitiallyFailed: true }],
      trackFiles: [{ name: 'maint', path: '/run/lvsd/maint', weight: -50, initialValue: 0 }],
      instances: [
        {
          name: 'VI_1',
          initialState: 'master',
          interface: 'eth0',
          vrid: 51,
          priority: 150,
          advertInterval: '100ms',
          preempt: false,
          preemptDelay: '10s',
          unicast: { source: '192.0.2.11', peers: ['192.0.2.12', '192.0.2.13'] },
          vips: ['192.0.2.50', { address: '192.0.2.51/24', interface: 'eth0', label: 'eth0:vip' }],
          excludedVips: ['2001:db8::50/64'],
          virtualMac: true,
          garp: { masterRefresh: '60s' },
          trackInterfaces: [{ interface: 'eth1', weight: -10 }],
          trackScripts: [{ script: 'chk_http' }],
          trackFiles: [{ file: 'maint', weight: -5 }],
          notify: { master: '/etc/lvsd/notify.sh master', any: '/etc/lvsd/notify.sh' },
        },
        { name: 'VI_2', interface: 'eth0', isPrimaryTracked: false, vrid: 52, vips: ['192.0.2.60'] },
      ],
      syncGroups: [{ name: 'G1', members: ['VI_1', 'VI_2'], notify: { backup: '/etc/lvsd/group.sh backup' } }],
    },
  });
});

test('the translated model validates except where keepalived itself would object (nopreempt with state MASTER)', (t) => {
  const r = validate(FULL);
  t.deepEqual(r.issues.map(formatIssue), [
    "keepalived.conf:27:3: error: preempt false needs initialState backup (as keepalived's nopreempt needs state BACKUP) [vrrp.instances[0].preempt]",
    'keepalived.conf:28:17: warning: preemptDelay has no effect when preempt is false [vrrp.instances[0].preemptDelay]',
    'keepalived.conf:44:5: warning: in sync group "G1" this tracker\'s weight -10 counts as 0 (a failure puts the group in FAULT), as keepalived does; set isTrackingWeighted on the group to keep weights [vrrp.instances[0].trackInterfaces[0]]',
    'keepalived.conf:47:5: warning: in sync group "G1" this tracker is ignored (weight -20), as keepalived does; set isTrackingWeighted on the group to keep weights [vrrp.instances[0].trackScripts[0]]',
    'keepalived.conf:50:5: warning: in sync group "G1" this tracker is ignored (weight -5), as keepalived does; set isTrackingWeighted on the group to keep weights [vrrp.instances[0].trackFiles[0]]',
  ]);
  const fixed = validate(FULL.replace('  state MASTER\n', '  state BACKUP\n').replace('  preempt_delay 10\n', ''));
  // VI_1's weighted trackers, as keepalived treats those of a sync group member without sync_group_tracking_weight.
  t.deepEqual(fixed.issues.map(formatIssue), [
    'keepalived.conf:43:5: warning: in sync group "G1" this tracker\'s weight -10 counts as 0 (a failure puts the group in FAULT), as keepalived does; set isTrackingWeighted on the group to keep weights [vrrp.instances[0].trackInterfaces[0]]',
    'keepalived.conf:46:5: warning: in sync group "G1" this tracker is ignored (weight -20), as keepalived does; set isTrackingWeighted on the group to keep weights [vrrp.instances[0].trackScripts[0]]',
    'keepalived.conf:49:5: warning: in sync group "G1" this tracker is ignored (weight -5), as keepalived does; set isTrackingWeighted on the group to keep weights [vrrp.instances[0].trackFiles[0]]',
  ]);
  t.deepEqual(validate(FULL.replace('  state MASTER\n', '  state BACKUP\n').replace('  preempt_delay 10\n', '').replace('    VI_1 VI_2\n  }\n', '    VI_1 VI_2\n  }\n  sync_group_tracking_weight\n')).issues, []);
  const vi = fixed.config?.vrrp.instances[0];
  t.is(vi?.advertInterval, 100);
  t.is(vi?.vips[1]?.label, 'eth0:vip');
  t.is(fixed.config?.vrrp.scripts[0]?.timeout, 1500);
});

// keepalived syntax problems (argument shapes) and schema errors, each at its keepalived line.
const invalid: [string, string, string[]][] = [
  ['priority out of range', 'vrrp_instance V {\n  interface eth0\n  virtual_router_id 1\n  priority 300\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n', ['keepalived.conf:4:12: error: Too big: expected number to be <=255 (got 300) [vrrp.instances[0].priority]']],
  ['state neither MASTER nor BACKUP', 'vrrp_instance V {\n  state PRIMARY\n  interface eth0\n  virtual_router_id 1\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n', ['keepalived.conf:2:9: error: state is MASTER or BACKUP, got "PRIMARY" [vrrp_instance.state]']],
  ['non-numeric advert_int', 'vrrp_instance V {\n  advert_int fast\n  interface eth0\n  virtual_router_id 1\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n', ['keepalived.conf:2:14: error: "advert_int" takes a number of seconds (advert_int SECONDS), got "fast" [vrrp_instance.advert_int]']],
  ['bad VIP', 'vrrp_instance V {\n  interface eth0\n  virtual_router_id 1\n  virtual_ipaddress {\n    192.0.2.300/24\n  }\n}\n', ['keepalived.conf:5:5: error: "192.0.2.300" is not an IPv4 address [vrrp.instances[0].vips[0]]']],
  ['missing interface', 'vrrp_instance V {\n  virtual_router_id 1\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n', ['keepalived.conf:1:1: error: "vrrp.instances[0].interface" is required [vrrp.instances[0].interface]']],
  ['AH authentication', 'vrrp_instance V {\n  interface eth0\n  virtual_router_id 1\n  authentication {\n    auth_type AH\n    auth_pass x\n  }\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n', ['keepalived.conf:5:5: warning: auth_type AH (IPsec AH) is not supported; ignored [vrrp_instance.authentication]']],
];

for (const [name, text, expected] of invalid) {
  test(`keepalived VRRP: ${name}`, (t) => {
    t.deepEqual(validate(text).issues.map(formatIssue), expected);
  });
}

test('unsupported VIP and unicast options are warned at their word; the rest is translated', (t) => {
  const raw = read('vrrp_instance V {\n  interface eth0\n  virtual_router_id 1\n  unicast_peer {\n    192.0.2.2 min_ttl 250\n  }\n  virtual_ipaddress {\n    192.0.2.1/24 brd 192.0.2.255 scope global no_track\n  }\n}\n');
  t.deepEqual(raw.issues.map(formatIssue), [
    'keepalived.conf:5:15: warning: unicast peer options "min_ttl 250" not supported yet; ignored [vrrp_instance.unicast_peer]',
    'keepalived.conf:8:18: warning: address options "brd 192.0.2.255 scope global no_track" not supported yet; ignored [vrrp_instance.virtual_ipaddress]',
  ]);
  t.like(raw.data, { vrrp: { instances: [{ unicast: { peers: ['192.0.2.2'] }, vips: ['192.0.2.1/24'] }] } });
});

test('vrrp_sync_group: members, trackers, notify scripts, sync_group_tracking_weight and its deprecated global_tracking', (t) => {
  const conf = (extra: string): string =>
    'vrrp_script chk {\n  script /bin/true\n}\n' +
    'vrrp_instance A {\n  interface eth0\n  virtual_router_id 1\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n' +
    'vrrp_instance B {\n  interface eth0\n  virtual_router_id 2\n  virtual_ipaddress {\n    192.0.2.2\n  }\n}\n' +
    `vrrp_sync_group G {\n  group {\n    A\n    B\n  }\n  track_script {\n    chk weight -30\n  }\n  track_interface {\n    eth1\n  }\n  notify_master "/g.sh master"\n  notify_backup /g.sh\n  notify_fault "/g.sh fault"\n  notify_stop "/g.sh stop"\n  notify /g-any.sh\n${extra}}\n`;
  const plain = validate(conf(''));
  t.deepEqual(plain.issues, []);
  t.deepEqual(plain.config?.vrrp.syncGroups, [
    {
      name: 'G',
      members: ['A', 'B'],
      notify: { master: '/g.sh master', backup: '/g.sh', fault: '/g.sh fault', stop: '/g.sh stop', any: '/g-any.sh' },
      isTrackingWeighted: false,
      trackInterfaces: [{ interface: 'eth1', weight: 0, isReversed: false }],
      trackScripts: [{ script: 'chk', weight: -30, isReversed: false }],
      trackFiles: [],
    },
  ]);
  t.true(validate(conf('  sync_group_tracking_weight\n')).config?.vrrp.syncGroups[0]?.isTrackingWeighted);
  const old = validate(conf('  global_tracking\n'));
  t.true(old.config?.vrrp.syncGroups[0]?.isTrackingWeighted);
  t.deepEqual(old.issues.map(formatIssue), [
    'keepalived.conf:34:3: warning: global_tracking is deprecated (keepalived: "Use track_interface/script/file on the sync group"); read as sync_group_tracking_weight [vrrp_sync_group.global_tracking]',
  ]);
  t.deepEqual(validate(conf('  smtp_alert\n')).issues.map((i) => `${i.severity} ${i.path}`), ['warning vrrp_sync_group.smtp_alert']);
});

test('vrrp_sync_group of one instance, and of owners mixed with non-owners: warned as keepalived warns', (t) => {
  const inst = (name: string, vrid: number, priority: number): string => `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  priority ${priority}\n  virtual_ipaddress {\n    192.0.2.${vrid}\n  }\n}\n`;
  t.deepEqual(validate(`${inst('A', 1, 100)}vrrp_sync_group G {\n  group {\n    A\n  }\n}\n`).issues.map(formatIssue), [
    'keepalived.conf:11:5: warning: a sync group of one instance changes nothing (keepalived: "this probably isn\'t what you want") [vrrp.syncGroups[0].members]',
  ]);
  t.deepEqual(validate(`${inst('A', 1, 255)}${inst('B', 2, 100)}vrrp_sync_group G {\n  group {\n    A B\n  }\n}\n`).issues.map(formatIssue), [
    'keepalived.conf:19:5: warning: some members are address owners (priority 255) and some are not: they cannot move together (keepalived: "This won\'t work") [vrrp.syncGroups[0].members]',
  ]);
});

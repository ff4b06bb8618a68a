/**
 * planRealServerSetup / planRealServerUndo, table-driven: what a DR or TUN real server needs, in
 * which order, what is held for undo, what is left alone, and the refusals.
 */
import test from 'ava';
import { parseIpAddress, parseIpPrefix, type IpAddress, type IpPrefix } from '../../../src/core/ip.js';
import {
  planRealServerSetup,
  planRealServerUndo,
  setupObservationNeeds,
  undoObservationNeeds,
  type DeviceObservation,
  type RealServerChange,
  type RealServerObservation,
  type RealServerParams,
} from '../../../src/realserver/realserver-plan.js';
import type { RealServerErrorCode } from '../../../src/realserver/realserver-error.js';
import { EMPTY_REALSERVER_STATE, type RealServerState } from '../../../src/realserver/realserver-state.js';
import { describeRealServerChange } from '../../../src/realserver/setup-realserver.js';

const ip = (text: string): IpAddress => {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const prefix = (text: string): IpPrefix => {
  const r = parseIpPrefix(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

const VIP = ip('192.0.2.50');
const VIP2 = ip('192.0.2.51');

/** A fresh host: every sysctl 0, lo and eth0 up without the VIP, no tunl0. */
function host(overrides: { sysctls?: Record<string, string>; devices?: Record<string, DeviceObservation | undefined>; vipHolders?: RealServerObservation['vipHolders'] } = {}): RealServerObservation {
  const sysctls = new Map<string, string | undefined>();
  for (const dev of ['all', 'default', 'lo', 'eth0']) for (const key of ['arp_ignore', 'arp_announce', 'rp_filter']) sysctls.set(`net/ipv4/conf/${dev}/${key}`, '0');
  for (const [k, v] of Object.entries(overrides.sysctls ?? {})) sysctls.set(k, v);
  const devices = new Map<string, DeviceObservation | undefined>([
    ['lo', { isUp: true, addresses: [prefix('127.0.0.1/8')] }],
    ['eth0', { isUp: true, addresses: [prefix('192.0.2.21/24')] }],
    ['tunl0', undefined],
  ]);
  for (const [k, v] of Object.entries(overrides.devices ?? {})) devices.set(k, v);
  return { sysctls, devices, vipHolders: overrides.vipHolders ?? [] };
}

const lines = (changes: readonly RealServerChange[]): string[] => changes.map(describeRealServerChange);

function setup(params: RealServerParams, observed = host(), state: RealServerState = EMPTY_REALSERVER_STATE) {
  const r = planRealServerSetup(params, observed, state);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

const setupCases: { title: string; params: RealServerParams; observed?: RealServerObservation; changes: string[] }[] = [
  {
    title: 'DR, IPv4: ARP sysctls on all, then the VIP /32 on lo',
    params: { vip: VIP, method: 'dr' },
    changes: ['set net.ipv4.conf.all.arp_ignore 0 -> 1', 'set net.ipv4.conf.all.arp_announce 0 -> 2', 'add 192.0.2.50/32 on lo'],
  },
  {
    title: 'DR with --interface: the interface gets the ARP sysctls too',
    params: { vip: VIP, method: 'dr', interfaceName: 'eth0' },
    changes: [
      'set net.ipv4.conf.all.arp_ignore 0 -> 1',
      'set net.ipv4.conf.all.arp_announce 0 -> 2',
      'set net.ipv4.conf.eth0.arp_ignore 0 -> 1',
      'set net.ipv4.conf.eth0.arp_announce 0 -> 2',
      'add 192.0.2.50/32 on lo',
    ],
  },
  {
    title: 'DR, IPv6: no ARP sysctls, the VIP /128 on lo',
    params: { vip: ip('2001:db8::50'), method: 'dr', interfaceName: 'eth0' },
    changes: ['add 2001:db8::50/128 on lo'],
  },
  {
    title: 'DR on a host where lo is down: lo comes up before the VIP goes on',
    params: { vip: VIP, method: 'dr' },
    observed: host({ sysctls: { 'net/ipv4/conf/all/arp_ignore': '1', 'net/ipv4/conf/all/arp_announce': '2' }, devices: { lo: { isUp: false, addresses: [] } } }),
    changes: ['bring lo up', 'add 192.0.2.50/32 on lo'],
  },
  {
    title: 'TUN without tunl0: load ipip first; tunl0 inherits conf/default rp_filter, which becomes loose',
    params: { vip: VIP, method: 'tun' },
    observed: host({ sysctls: { 'net/ipv4/conf/default/rp_filter': '1' } }),
    changes: [
      'load module ipip (creates tunl0)',
      'set net.ipv4.conf.all.arp_ignore 0 -> 1',
      'set net.ipv4.conf.all.arp_announce 0 -> 2',
      'set net.ipv4.conf.tunl0.rp_filter 1 -> 2',
      'bring tunl0 up',
      'add 192.0.2.50/32 on tunl0',
    ],
  },
  {
    title: 'TUN with tunl0 present and down: no module, rp_filter from tunl0 itself',
    params: { vip: VIP, method: 'tun' },
    observed: host({ sysctls: { 'net/ipv4/conf/tunl0/rp_filter': '0', 'net/ipv4/conf/default/rp_filter': '1' }, devices: { tunl0: { isUp: false, addresses: [] } } }),
    changes: ['set net.ipv4.conf.all.arp_ignore 0 -> 1', 'set net.ipv4.conf.all.arp_announce 0 -> 2', 'set net.ipv4.conf.tunl0.rp_filter 0 -> 2', 'bring tunl0 up', 'add 192.0.2.50/32 on tunl0'],
  },
  {
    title: 'everything already as wanted: no change',
    params: { vip: VIP, method: 'dr' },
    observed: host({
      sysctls: { 'net/ipv4/conf/all/arp_ignore': '1', 'net/ipv4/conf/all/arp_announce': '2' },
      devices: { lo: { isUp: true, addresses: [prefix('192.0.2.50/32')] } },
      vipHolders: [{ device: 'lo', address: prefix('192.0.2.50/32') }],
    }),
    changes: [],
  },
  {
    title: 'arp_ignore 2 is not 1: set exactly what the method needs',
    params: { vip: VIP, method: 'dr' },
    observed: host({ sysctls: { 'net/ipv4/conf/all/arp_ignore': '2', 'net/ipv4/conf/all/arp_announce': '2' } }),
    changes: ['set net.ipv4.conf.all.arp_ignore 2 -> 1', 'add 192.0.2.50/32 on lo'],
  },
];
for (const c of setupCases) {
  test(`setup: ${c.title}`, (t) => {
    t.deepEqual(lines(setup(c.params, c.observed).changes), c.changes);
  });
}

test('setup records the previous values and the VIP as holder; what was already right is not held', (t) => {
  const plan = setup({ vip: VIP, method: 'dr' }, host({ sysctls: { 'net/ipv4/conf/all/arp_announce': '2' } }));
  t.deepEqual(plan.state.setups, [{ vip: '192.0.2.50', method: 'dr', device: 'lo' }]);
  t.deepEqual(plan.state.held, [
    { kind: 'sysctl', name: 'net/ipv4/conf/all/arp_ignore', previous: '0', applied: '1', holders: ['192.0.2.50'] },
    { kind: 'address', device: 'lo', address: '192.0.2.50/32', holders: ['192.0.2.50'] },
  ]);
});

test('setup planned against its own result changes nothing and keeps the state', (t) => {
  const first = setup({ vip: VIP, method: 'dr', interfaceName: 'eth0' });
  const after = host({
    sysctls: { 'net/ipv4/conf/all/arp_ignore': '1', 'net/ipv4/conf/all/arp_announce': '2', 'net/ipv4/conf/eth0/arp_ignore': '1', 'net/ipv4/conf/eth0/arp_announce': '2' },
    devices: { lo: { isUp: true, addresses: [prefix('127.0.0.1/8'), prefix('192.0.2.50/32')] } },
    vipHolders: [{ device: 'lo', address: prefix('192.0.2.50/32') }],
  });
  const second = setup({ vip: VIP, method: 'dr', interfaceName: 'eth0' }, after, first.state);
  t.deepEqual(second.changes, []);
  t.deepEqual(second.state, first.state);
});

test('a second VIP shares the sysctls the first one changed: held by both, previous value kept', (t) => {
  const first = setup({ vip: VIP, method: 'dr' });
  const after = host({
    sysctls: { 'net/ipv4/conf/all/arp_ignore': '1', 'net/ipv4/conf/all/arp_announce': '2' },
    devices: { lo: { isUp: true, addresses: [prefix('192.0.2.50/32')] } },
  });
  const second = setup({ vip: VIP2, method: 'dr' }, after, first.state);
  t.deepEqual(lines(second.changes), ['add 192.0.2.51/32 on lo']);
  t.deepEqual(
    second.state.held.map((h) => `${h.kind} ${h.kind === 'sysctl' ? `${h.name} previous=${h.previous}` : h.device} ${h.holders.join(',')}`),
    [
      'sysctl net/ipv4/conf/all/arp_ignore previous=0 192.0.2.50,192.0.2.51',
      'sysctl net/ipv4/conf/all/arp_announce previous=0 192.0.2.50,192.0.2.51',
      'address lo 192.0.2.50',
      'address lo 192.0.2.51',
    ],
  );
});

test('a sysctl reverted behind our back is set again; the original previous value is kept', (t) => {
  const first = setup({ vip: VIP, method: 'dr' });
  const reverted = host({ sysctls: { 'net/ipv4/conf/all/arp_ignore': '0', 'net/ipv4/conf/all/arp_announce': '2' }, devices: { lo: { isUp: true, addresses: [prefix('192.0.2.50/32')] } } });
  const again = setup({ vip: VIP, method: 'dr' }, reverted, first.state);
  t.deepEqual(lines(again.changes), ['set net.ipv4.conf.all.arp_ignore 0 -> 1']);
  t.deepEqual(again.state, first.state);
});

const refusals: { title: string; params: RealServerParams; observed?: RealServerObservation; state?: RealServerState; code: RealServerErrorCode; message: RegExp }[] = [
  {
    title: 'the VIP already on eth0 (it would answer ARP)',
    params: { vip: VIP, method: 'dr' },
    observed: host({ vipHolders: [{ device: 'eth0', address: prefix('192.0.2.50/24') }] }),
    code: 'ERR_REALSERVER_CONFLICT',
    message: /192\.0\.2\.50\/24 on eth0/,
  },
  {
    title: 'the VIP on lo with another prefix length',
    params: { vip: VIP, method: 'dr' },
    observed: host({ vipHolders: [{ device: 'lo', address: prefix('192.0.2.50/24') }] }),
    code: 'ERR_REALSERVER_CONFLICT',
    message: /as 192\.0\.2\.50\/32 on lo only/,
  },
  {
    title: 'set up for DR, now asked for TUN',
    params: { vip: VIP, method: 'tun' },
    state: { version: 1, setups: [{ vip: '192.0.2.50', method: 'dr', device: 'lo' }], held: [] },
    code: 'ERR_REALSERVER_CONFLICT',
    message: /set up for dr on lo: run --undo first/,
  },
  { title: 'an interface that does not exist', params: { vip: VIP, method: 'dr', interfaceName: 'eth9' }, code: 'ERR_REALSERVER_NO_SUCH_INTERFACE', message: /no interface eth9/ },
  { title: '--interface all', params: { vip: VIP, method: 'dr', interfaceName: 'all' }, code: 'ERR_REALSERVER_INVALID', message: /not "all"/ },
  { title: 'an interface name with a slash', params: { vip: VIP, method: 'dr', interfaceName: '../x' }, code: 'ERR_REALSERVER_INVALID', message: /not an interface name/ },
  { title: 'TUN with an IPv6 VIP', params: { vip: ip('2001:db8::50'), method: 'tun' }, code: 'ERR_REALSERVER_INVALID', message: /ip6tnl0/ },
];
for (const c of refusals) {
  test(`setup refuses: ${c.title}`, (t) => {
    const r = planRealServerSetup(c.params, c.observed ?? host(), c.state ?? EMPTY_REALSERVER_STATE);
    if (r.ok) return t.fail('planned');
    t.is(r.error.code, c.code);
    t.regex(r.error.message, c.message);
  });
}

test('observation needs: the sysctls the plan compares, conf/default for a tunl0 to be created', (t) => {
  t.deepEqual(setupObservationNeeds({ vip: VIP, method: 'tun', interfaceName: 'eth0' }), {
    sysctls: [
      'net/ipv4/conf/all/arp_ignore',
      'net/ipv4/conf/all/arp_announce',
      'net/ipv4/conf/eth0/arp_ignore',
      'net/ipv4/conf/eth0/arp_announce',
      'net/ipv4/conf/tunl0/rp_filter',
      'net/ipv4/conf/default/rp_filter',
    ],
    devices: ['tunl0'],
  });
});

/** The host after `setup` was applied to `host()`. */
function applied(params: RealServerParams, extra: Record<string, string> = {}): { observed: RealServerObservation; state: RealServerState } {
  const plan = setup(params);
  const sysctls: Record<string, string> = { ...extra };
  const devices: Record<string, DeviceObservation> = {};
  for (const c of plan.changes) {
    if (c.kind === 'set-sysctl') sysctls[c.name] = c.to;
    if (c.kind === 'add-address') devices[c.device] = { isUp: true, addresses: [c.address] };
  }
  return { observed: host({ sysctls, devices }), state: plan.state };
}

function undo(vip: IpAddress, observed: RealServerObservation, state: RealServerState) {
  const r = planRealServerUndo(vip, observed, state);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

test('undo walks back: the address first, then the sysctls to their previous values; the state empties', (t) => {
  const { observed, state } = applied({ vip: VIP, method: 'dr', interfaceName: 'eth0' });
  const plan = undo(VIP, observed, state);
  t.deepEqual(lines(plan.changes), [
    'remove 192.0.2.50/32 from lo',
    'set net.ipv4.conf.eth0.arp_announce 2 -> 0',
    'set net.ipv4.conf.eth0.arp_ignore 1 -> 0',
    'set net.ipv4.conf.all.arp_announce 2 -> 0',
    'set net.ipv4.conf.all.arp_ignore 1 -> 0',
  ]);
  t.deepEqual(plan.state, EMPTY_REALSERVER_STATE);
  t.deepEqual(undoObservationNeeds(VIP, state).devices, ['lo']);
});

test('undo of one VIP keeps what another VIP still holds; the last one restores it', (t) => {
  const first = setup({ vip: VIP, method: 'dr' });
  const both = host({
    sysctls: { 'net/ipv4/conf/all/arp_ignore': '1', 'net/ipv4/conf/all/arp_announce': '2' },
    devices: { lo: { isUp: true, addresses: [prefix('192.0.2.50/32'), prefix('192.0.2.51/32')] } },
  });
  const afterFirst = host({
    sysctls: { 'net/ipv4/conf/all/arp_ignore': '1', 'net/ipv4/conf/all/arp_announce': '2' },
    devices: { lo: { isUp: true, addresses: [prefix('192.0.2.50/32')] } },
  });
  const second = setup({ vip: VIP2, method: 'dr' }, afterFirst, first.state);
  const undoFirst = undo(VIP, both, second.state);
  t.deepEqual(lines(undoFirst.changes), ['remove 192.0.2.50/32 from lo']);
  const left = host({
    sysctls: { 'net/ipv4/conf/all/arp_ignore': '1', 'net/ipv4/conf/all/arp_announce': '2' },
    devices: { lo: { isUp: true, addresses: [prefix('192.0.2.51/32')] } },
  });
  const undoSecond = undo(VIP2, left, undoFirst.state);
  t.deepEqual(lines(undoSecond.changes), ['remove 192.0.2.51/32 from lo', 'set net.ipv4.conf.all.arp_announce 2 -> 0', 'set net.ipv4.conf.all.arp_ignore 1 -> 0']);
  t.deepEqual(undoSecond.state, EMPTY_REALSERVER_STATE);
});

test('undo leaves a sysctl someone changed since, and says so', (t) => {
  const { state } = applied({ vip: VIP, method: 'dr' });
  const changed = host({ sysctls: { 'net/ipv4/conf/all/arp_ignore': '2', 'net/ipv4/conf/all/arp_announce': '2' }, devices: { lo: { isUp: true, addresses: [] } } });
  const plan = undo(VIP, changed, state);
  t.deepEqual(lines(plan.changes), ['set net.ipv4.conf.all.arp_announce 2 -> 0']);
  t.deepEqual(plan.notes, ['left net.ipv4.conf.all.arp_ignore at 2: lvsd set 1 (was 0) and it has been changed since']);
});

test('undo of TUN brings tunl0 down again and restores its rp_filter; the module stays', (t) => {
  const plan = setup({ vip: VIP, method: 'tun' });
  const after = host({
    sysctls: { 'net/ipv4/conf/all/arp_ignore': '1', 'net/ipv4/conf/all/arp_announce': '2', 'net/ipv4/conf/tunl0/rp_filter': '2' },
    devices: { tunl0: { isUp: true, addresses: [prefix('192.0.2.50/32')] } },
  });
  t.deepEqual(lines(undo(VIP, after, plan.state).changes), [
    'remove 192.0.2.50/32 from tunl0',
    'bring tunl0 down',
    'set net.ipv4.conf.tunl0.rp_filter 2 -> 0',
    'set net.ipv4.conf.all.arp_announce 2 -> 0',
    'set net.ipv4.conf.all.arp_ignore 1 -> 0',
  ]);
});

test('undo of a VIP that was never set up changes nothing; with the wrong method it is refused', (t) => {
  const none = undo(VIP, host(), EMPTY_REALSERVER_STATE);
  t.deepEqual(none.changes, []);
  t.regex(none.notes[0] ?? '', /nothing to undo/);
  const { observed, state } = applied({ vip: VIP, method: 'dr' });
  const wrong = planRealServerUndo(VIP, observed, state, 'tun');
  t.like(wrong, { ok: false, error: { code: 'ERR_REALSERVER_CONFLICT' } });
});

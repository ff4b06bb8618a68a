import test from 'ava';
import type { CommandResult, CommandRunner, CommandSpec } from '../../../src/core/command-runner.js';
import { createMemoryLogger } from '../../../src/core/logger.js';
import { createMacvlanVirtualMac, type SysctlStore } from '../../../ha/macvlan-virtual-mac.js';
import { parseIpAddress, type IpAddress } from '../../../src/core/ip.js';
import { defaultVirtualMacName, describeForeignLink, describeVirtualMacSpecProblem, linkLocalFromMac, planBaseSysctls, planVirtualMac, virtualMacAddress, type VirtualMacSpec } from '../../../ha/virtual-mac.js';
import { isVrrpError } from '../../../ha/vrrp-error.js';

const SPEC: VirtualMacSpec = { baseInterfaceName: 'eth0', interfaceName: 'vrrp.51', vrid: 51, family: 4, mode: 'private' };

function ip6(text: string): IpAddress {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(text);
  return r.value;
}

const SPEC6: VirtualMacSpec = { baseInterfaceName: 'eth0', interfaceName: 'vrrp.51', vrid: 51, family: 6, mode: 'private', linkLocalAddress: ip6('fe80::a8c1:abff:fe12:3456') };

test('RFC 5798 section 7.3: 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID} for IPv6, the VRID in hex', (t) => {
  t.is(virtualMacAddress(51, 4), '00:00:5e:00:01:33');
  t.is(virtualMacAddress(1, 4), '00:00:5e:00:01:01');
  t.is(virtualMacAddress(255, 6), '00:00:5e:00:02:ff');
  t.is(defaultVirtualMacName(51), 'vrrp.51');
});

test('the plan: a private macvlan with the virtual MAC on the base interface, keepalived\'s sysctls on both', (t) => {
  const plan = planVirtualMac(SPEC);
  t.deepEqual(plan.createArgs, ['link', 'add', 'link', 'eth0', 'name', 'vrrp.51', 'address', '00:00:5e:00:01:33', 'type', 'macvlan', 'mode', 'private']);
  t.deepEqual(plan.upArgs, ['link', 'set', 'dev', 'vrrp.51', 'up']);
  t.deepEqual(plan.deleteArgs, ['link', 'delete', 'dev', 'vrrp.51']);
  t.deepEqual(plan.virtualSysctls.map((s) => `${s.path}=${s.value}`), [
    'net/ipv4/conf/vrrp.51/arp_ignore=1',
    'net/ipv4/conf/vrrp.51/accept_local=1',
    'net/ipv4/conf/vrrp.51/rp_filter=0',
    'net/ipv4/conf/vrrp.51/promote_secondaries=1',
    'net/ipv4/conf/vrrp.51/drop_gratuitous_arp=1',
  ]);
  t.deepEqual(plan.baseSysctls.map((s) => `${s.path}=${s.value}`), ['net/ipv4/conf/eth0/arp_ignore=1', 'net/ipv4/conf/eth0/arp_filter=1', 'net/ipv4/conf/eth0/arp_announce=2']);
  t.deepEqual(plan.noLinkLocalArgs, ['link', 'set', 'dev', 'vrrp.51', 'addrgenmode', 'none']);
  t.false(plan.isNoLinkLocalRequired, 'IPv4: best effort (a kernel without IPv6)');
  t.is(plan.linkLocalArgs, undefined, 'IPv4: no IPv6 address at all');
});

test('the IPv6 plan: MAC 00:00:5e:00:02:VRID, no link-local made from it, the given link-local without DAD, no router solicitations, nothing on the base interface', (t) => {
  const plan = planVirtualMac(SPEC6);
  t.deepEqual(plan.createArgs, ['link', 'add', 'link', 'eth0', 'name', 'vrrp.51', 'address', '00:00:5e:00:02:33', 'type', 'macvlan', 'mode', 'private']);
  t.deepEqual(plan.noLinkLocalArgs, ['link', 'set', 'dev', 'vrrp.51', 'addrgenmode', 'none']);
  t.true(plan.isNoLinkLocalRequired, 'RFC 5798 section 7.4: no interface identifier from the virtual MAC');
  t.deepEqual(plan.linkLocalArgs, ['-6', 'address', 'replace', 'fe80::a8c1:abff:fe12:3456/64', 'dev', 'vrrp.51', 'nodad']);
  t.deepEqual(plan.virtualSysctls.map((s) => `${s.path}=${s.value}`), [
    'net/ipv4/conf/vrrp.51/arp_ignore=1',
    'net/ipv4/conf/vrrp.51/accept_local=1',
    'net/ipv4/conf/vrrp.51/rp_filter=0',
    'net/ipv4/conf/vrrp.51/promote_secondaries=1',
    'net/ipv4/conf/vrrp.51/drop_gratuitous_arp=1',
    'net/ipv6/conf/vrrp.51/accept_ra=0',
  ]);
  t.deepEqual(plan.baseSysctls, [], 'neighbour discovery answers only for the receiving interface\'s addresses');
  t.deepEqual(planBaseSysctls(plan, []), { apply: [], restore: [] });
});

test('RFC 4291 appendix A: the link-local address of a MAC (modified EUI-64), keepalived\'s fallback', (t) => {
  t.is(linkLocalFromMac(Uint8Array.from([0xaa, 0xc1, 0xab, 0x12, 0x34, 0x56])).text, 'fe80::a8c1:abff:fe12:3456');
  t.is(linkLocalFromMac(Uint8Array.from([0x00, 0x00, 0x5e, 0x00, 0x02, 0x33])).text, 'fe80::200:5eff:fe00:233', 'the universal/local bit flipped');
  t.throws(() => linkLocalFromMac(Uint8Array.from([1, 2, 3])), { instanceOf: RangeError });
});

test('a spec that cannot be planned is named: a VRID out of range, an IPv6 macvlan address that is not link-local', (t) => {
  t.is(describeVirtualMacSpecProblem(SPEC), undefined);
  t.is(describeVirtualMacSpecProblem(SPEC6), undefined);
  t.is(describeVirtualMacSpecProblem({ ...SPEC, vrid: 256 }), 'VRID 256 is not 1-255');
  t.is(describeVirtualMacSpecProblem({ ...SPEC6, linkLocalAddress: ip6('2001:db8::11') }), 'the macvlan\'s address 2001:db8::11 is not an IPv6 link-local address');
  const err = t.throws(() => createMacvlanVirtualMac({ ...SPEC6, linkLocalAddress: ip6('2001:db8::11') }, { runner: fakeIp().runner, logger: createMemoryLogger(), sysctl: fakeSysctl({}) }));
  t.true(isVrrpError(err, 'ERR_VRRP_VIRTUAL_MAC'), String(err));
});

test('base sysctls: only those not already set are written, and only those are put back', (t) => {
  const plan = planVirtualMac(SPEC);
  t.deepEqual(planBaseSysctls(plan, [0, 0, 0]), {
    apply: [{ path: 'net/ipv4/conf/eth0/arp_ignore', value: 1 }, { path: 'net/ipv4/conf/eth0/arp_filter', value: 1 }, { path: 'net/ipv4/conf/eth0/arp_announce', value: 2 }],
    restore: [{ path: 'net/ipv4/conf/eth0/arp_ignore', value: 0 }, { path: 'net/ipv4/conf/eth0/arp_filter', value: 0 }, { path: 'net/ipv4/conf/eth0/arp_announce', value: 0 }],
  });
  t.deepEqual(planBaseSysctls(plan, [2, 1, 2]), { apply: [{ path: 'net/ipv4/conf/eth0/arp_ignore', value: 1 }], restore: [{ path: 'net/ipv4/conf/eth0/arp_ignore', value: 2 }] });
  t.deepEqual(planBaseSysctls(plan, [1, 1, 2]), { apply: [], restore: [] });
});

test('an existing link is reused only when it is the same macvlan', (t) => {
  const ours = { ifname: 'vrrp.51', link: 'eth0', address: '00:00:5e:00:01:33', linkinfo: { info_kind: 'macvlan' } };
  t.is(describeForeignLink(SPEC, ours), undefined);
  t.is(describeForeignLink(SPEC, { ...ours, linkinfo: { info_kind: 'vlan' } }), 'not a macvlan (vlan)');
  t.is(describeForeignLink(SPEC, { ...ours, address: '02:00:00:00:00:01' }), 'MAC 02:00:00:00:00:01, not 00:00:5e:00:01:33');
  t.is(describeForeignLink(SPEC, { ...ours, link: 'eth1' }), 'on eth1, not eth0');
  t.is(describeForeignLink(SPEC, undefined), 'unreadable link');
});

/** A working fake of `ip` for links: add (File exists when present), show -j, set up, delete. */
function fakeIp(existing: Record<string, unknown> = {}, options: { hasIpv6?: boolean } = {}) {
  const links = new Map<string, { up: boolean; info: unknown; addrGenMode?: string; addresses?: string[] }>(Object.entries(existing).map(([k, v]) => [k, { up: false, info: v }]));
  const calls: string[] = [];
  const result = (exitCode: number, stdout = '', stderr = ''): CommandResult => ({ exitCode, signal: null, stdout, stderr, isTimedOut: false, isAborted: false, isOutputTruncated: false, durationMs: 1 });
  const runner: CommandRunner = {
    run(spec: CommandSpec) {
      const a = spec.args;
      calls.push(`${spec.file} ${a.join(' ')}`);
      if (a[0] === 'link' && a[1] === 'add') {
        const name = a[5] ?? '';
        if (links.has(name)) return Promise.resolve(result(2, '', 'RTNETLINK answers: File exists\n'));
        links.set(name, { up: false, info: { ifname: name, link: a[3], address: a[7], linkinfo: { info_kind: 'macvlan' } } });
        return Promise.resolve(result(0));
      }
      if (a[0] === '-6') {
        const link = links.get(a[5] ?? '');
        if (link === undefined || options.hasIpv6 === false) return Promise.resolve(result(2, '', 'RTNETLINK answers: Permission denied\n'));
        link.addresses = [...new Set([...(link.addresses ?? []), `${a[3] ?? ''} ${a[6] ?? ''}`])]; // replace: idempotent
        return Promise.resolve(result(0));
      }
      const dev = a[0] === '-d' ? a[5] : a[3];
      const link = links.get(dev ?? '');
      if (link === undefined) return Promise.resolve(result(1, '', 'Cannot find device\n'));
      if (a[4] === 'addrgenmode') {
        if (options.hasIpv6 === false) return Promise.resolve(result(2, '', 'Error: ipv6: IPv6 is disabled on this device.\n'));
        link.addrGenMode = a[5] ?? '';
        return Promise.resolve(result(0));
      }
      if (a[0] === '-d') return Promise.resolve(result(0, JSON.stringify([link.info])));
      if (a[1] === 'set' && a[4] === 'up') link.up = true;
      if (a[1] === 'delete') links.delete(dev ?? '');
      return Promise.resolve(result(0));
    },
  };
  return { runner, links, calls };
}

function fakeSysctl(initial: Record<string, number>): SysctlStore & { values: Map<string, number> } {
  const values = new Map(Object.entries(initial));
  return {
    values,
    read: (path) => Promise.resolve(values.get(path) ?? Number.NaN),
    write: (path, value) => {
      values.set(path, value);
      return Promise.resolve();
    },
  };
}

test('up creates the macvlan, sets the sysctls and brings it up; down deletes it and puts the base sysctls back', async (t) => {
  const ip = fakeIp();
  const sysctl = fakeSysctl({ 'net/ipv4/conf/eth0/arp_ignore': 0, 'net/ipv4/conf/eth0/arp_filter': 0, 'net/ipv4/conf/eth0/arp_announce': 1 });
  const vmac = createMacvlanVirtualMac(SPEC, { runner: ip.runner, logger: createMemoryLogger(), sysctl });
  await vmac.up(new AbortController().signal);
  await vmac.up(new AbortController().signal);
  t.deepEqual(ip.links.get('vrrp.51'), { up: true, addrGenMode: 'none', info: { ifname: 'vrrp.51', link: 'eth0', address: '00:00:5e:00:01:33', linkinfo: { info_kind: 'macvlan' } } });
  t.is(ip.calls.filter((c) => c.startsWith('ip link add')).length, 1, 'idempotent');
  t.is(sysctl.values.get('net/ipv4/conf/eth0/arp_ignore'), 1);
  t.is(sysctl.values.get('net/ipv4/conf/eth0/arp_filter'), 1);
  t.is(sysctl.values.get('net/ipv4/conf/eth0/arp_announce'), 2);
  t.is(sysctl.values.get('net/ipv4/conf/vrrp.51/arp_ignore'), 1);
  t.is(sysctl.values.get('net/ipv4/conf/vrrp.51/rp_filter'), 0);
  t.deepEqual(vmac.snapshot(), { interface: 'vrrp.51', baseInterface: 'eth0', macAddress: '00:00:5e:00:01:33', isUp: true, wasReused: false });
  await vmac.down();
  await vmac.down();
  t.false(ip.links.has('vrrp.51'));
  t.is(ip.calls.filter((c) => c.startsWith('ip link delete')).length, 1, 'idempotent');
  t.is(sysctl.values.get('net/ipv4/conf/eth0/arp_ignore'), 0);
  t.is(sysctl.values.get('net/ipv4/conf/eth0/arp_filter'), 0);
  t.is(sysctl.values.get('net/ipv4/conf/eth0/arp_announce'), 1);
});

test('a macvlan left by a crashed run is reused; a foreign link of that name is refused and left alone', async (t) => {
  const leftover = fakeIp({ 'vrrp.51': { ifname: 'vrrp.51', link: 'eth0', address: '00:00:5e:00:01:33', linkinfo: { info_kind: 'macvlan' } } });
  const reused = createMacvlanVirtualMac(SPEC, { runner: leftover.runner, logger: createMemoryLogger(), sysctl: fakeSysctl({}) });
  await reused.up(new AbortController().signal);
  t.true(reused.snapshot().wasReused);
  t.true(leftover.links.get('vrrp.51')?.up);

  const foreign = fakeIp({ 'vrrp.51': { ifname: 'vrrp.51', link: 'eth0', address: '52:54:00:00:00:01', linkinfo: { info_kind: 'veth' } } });
  const refused = createMacvlanVirtualMac(SPEC, { runner: foreign.runner, logger: createMemoryLogger(), sysctl: fakeSysctl({}) });
  const err = await t.throwsAsync(refused.up(new AbortController().signal));
  t.true(isVrrpError(err, 'ERR_VRRP_VIRTUAL_MAC'), String(err));
  t.regex(err?.message ?? '', /name is taken: not a macvlan \(veth\)/);
  await refused.down();
  t.true(foreign.links.has('vrrp.51'), 'not ours: not deleted');
});

test('IPv6: up turns off link-local generation and adds the given link-local without DAD before the macvlan goes up; no base sysctls', async (t) => {
  const ip = fakeIp();
  const sysctl = fakeSysctl({ 'net/ipv4/conf/eth0/arp_ignore': 0 });
  const vmac = createMacvlanVirtualMac(SPEC6, { runner: ip.runner, logger: createMemoryLogger(), sysctl });
  await vmac.up(new AbortController().signal);
  const link = ip.links.get('vrrp.51');
  t.is(link?.addrGenMode, 'none');
  t.deepEqual(link?.addresses, ['fe80::a8c1:abff:fe12:3456/64 nodad']);
  t.true(link?.up);
  const order = ip.calls.map((c) => (c.includes('addrgenmode') ? 'addrgenmode' : c.includes('address replace') ? 'link-local' : c.endsWith(' up') ? 'up' : 'other'));
  t.true(order.indexOf('addrgenmode') < order.indexOf('link-local') && order.indexOf('link-local') < order.indexOf('up'), ip.calls.join('\n'));
  t.is(sysctl.values.get('net/ipv6/conf/vrrp.51/accept_ra'), 0);
  t.is(sysctl.values.get('net/ipv4/conf/eth0/arp_ignore'), 0, 'the base interface untouched');
  t.deepEqual(vmac.snapshot(), { interface: 'vrrp.51', baseInterface: 'eth0', macAddress: '00:00:5e:00:02:33', isUp: true, wasReused: false, linkLocalAddress: 'fe80::a8c1:abff:fe12:3456' });
  await vmac.down();
  t.false(ip.links.has('vrrp.51'));
});

test('without IPv6 on the macvlan an IPv6 virtual MAC fails and is deleted, an IPv4 one comes up anyway', async (t) => {
  const ip6Less = fakeIp({}, { hasIpv6: false });
  const vmac6 = createMacvlanVirtualMac(SPEC6, { runner: ip6Less.runner, logger: createMemoryLogger(), sysctl: fakeSysctl({}) });
  const err = await t.throwsAsync(vmac6.up(new AbortController().signal));
  t.true(isVrrpError(err, 'ERR_VRRP_VIRTUAL_MAC'), String(err));
  t.regex(err?.message ?? '', /addrgenmode none failed: Error: ipv6: IPv6 is disabled/);
  await vmac6.down();
  t.false(ip6Less.links.has('vrrp.51'), 'the half-made macvlan is deleted');

  const ip4 = fakeIp({}, { hasIpv6: false });
  const vmac4 = createMacvlanVirtualMac(SPEC, { runner: ip4.runner, logger: createMemoryLogger(), sysctl: fakeSysctl({}) });
  await vmac4.up(new AbortController().signal);
  t.true(ip4.links.get('vrrp.51')?.up);
});

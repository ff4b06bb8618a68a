/**
 * The rtnetlink AddressManager over a fake session that answers like the kernel does: EEXIST for a
 * duplicate add and EADDRNOTAVAIL for removing an absent address (both observed from this host's kernel
 * in a namespace), ENODEV for an interface index that no longer exists.
 */
import test from 'ava';
import type { rt } from 'netlink';
import { createAddressManagerOn } from '../../../ha/rtnetlink-address-manager.js';
import type { RtnetlinkSession } from '../../../ha/rtnetlink-session.js';
import { isVrrpError } from '../../../ha/vrrp-error.js';
import { parseIpPrefix } from '../../../src/core/ip.js';

function prefix(text: string) {
  const r = parseIpPrefix(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

class FakeKernel implements RtnetlinkSession {
  links = new Map<string, number>([['eth0', 7]]);
  readonly addresses: { index: number; family: number; prefixlen: number; bytes: string; label?: string; nodad: boolean }[] = [];
  readonly requests: string[] = [];

  newAddress(data: rt.Address, attrs: rt.AddressAttrs, flags: number) {
    this.requests.push(`new ${data.index ?? -1} flags=${flags}`);
    if (![...this.links.values()].includes(data.index ?? -1)) return Promise.resolve({ errno: 19 });
    const bytes = attrs.local?.toString('hex') ?? '';
    if (this.addresses.some((a) => a.index === data.index && a.bytes === bytes)) return Promise.resolve({ errno: 17 });
    this.addresses.push({
      index: data.index ?? -1,
      family: data.family ?? 0,
      prefixlen: data.prefixlen ?? 0,
      bytes,
      nodad: attrs.flags?.nodad === true,
      ...(attrs.label === undefined ? {} : { label: attrs.label }),
    });
    return Promise.resolve({ errno: 0 });
  }

  delAddress(data: rt.Address, attrs: rt.AddressAttrs) {
    this.requests.push(`del ${data.index ?? -1}`);
    const bytes = attrs.local?.toString('hex') ?? '';
    const i = this.addresses.findIndex((a) => a.index === data.index && a.bytes === bytes && a.prefixlen === data.prefixlen);
    if (i < 0) return Promise.resolve({ errno: 99 });
    this.addresses.splice(i, 1);
    return Promise.resolve({ errno: 0 });
  }

  getAddresses() {
    return Promise.resolve(
      this.addresses.map((a): rt.AddressMessage => ({
        kind: 'address',
        data: { family: a.family, prefixlen: a.prefixlen, index: a.index },
        attrs: { address: Buffer.from(a.bytes, 'hex'), ...(a.family === 2 ? { local: Buffer.from(a.bytes, 'hex') } : {}), ...(a.label === undefined ? {} : { label: a.label }) },
      })),
    );
  }

  /** Interface name -> its flags in link dumps (default: up and running). */
  readonly flags = new Map<string, rt.DeviceFlags>();

  getLinks() {
    this.requests.push('links');
    return Promise.resolve(
      [...this.links].map(([name, index]): rt.LinkMessage => ({ kind: 'link', data: { index, flags: this.flags.get(name) ?? { up: true, running: true } }, attrs: { ifname: name, address: Buffer.from('020000000001', 'hex') } })),
    );
  }

  close() {}
}

test('add, add again, list, remove, remove again: outcomes, not errors; labels for IPv4, NODAD for IPv6', async (t) => {
  const kernel = new FakeKernel();
  const manager = createAddressManagerOn(kernel);
  const v4 = { address: prefix('192.0.2.100/32'), interfaceName: 'eth0', label: 'eth0:vip' };
  const v6 = { address: prefix('2001:db8::100/128'), interfaceName: 'eth0', label: 'ignored' };
  t.is(await manager.add(v4), 'added');
  t.is(await manager.add(v4), 'already-present');
  t.is(await manager.add(v6), 'added');
  t.deepEqual(
    (await manager.list('eth0')).map((a) => `${a.address.text}${a.label === undefined ? '' : ` ${a.label}`}`),
    ['192.0.2.100/32 eth0:vip', '2001:db8::100/128'],
  );
  t.deepEqual(kernel.addresses.map((a) => a.nodad), [false, true]);
  t.is(await manager.remove(v4), 'removed');
  t.is(await manager.remove(v4), 'absent');
  t.is(kernel.requests.filter((r) => r === 'links').length, 2, 'the index is cached (list refreshes it)');
  t.true(kernel.requests.includes('new 7 flags=1536'), 'NLM_F_CREATE|NLM_F_EXCL');
});

test('an interface recreated with a new index: ENODEV refreshes the index once and the add succeeds', async (t) => {
  const kernel = new FakeKernel();
  const manager = createAddressManagerOn(kernel);
  const vip = { address: prefix('192.0.2.100/32'), interfaceName: 'eth0' };
  t.is((await manager.lookup('eth0')).index, 7);
  kernel.links = new Map([['eth0', 12]]);
  t.is(await manager.add(vip), 'added');
  t.deepEqual(kernel.requests, ['links', 'new 7 flags=1536', 'links', 'new 12 flags=1536']);
});

test('typed errors: no such interface, label too long', async (t) => {
  const manager = createAddressManagerOn(new FakeKernel());
  const missing = await t.throwsAsync(manager.add({ address: prefix('192.0.2.100/32'), interfaceName: 'eth9' }));
  t.true(isVrrpError(missing, 'ERR_VRRP_NO_SUCH_INTERFACE'));
  const label = await t.throwsAsync(manager.add({ address: prefix('192.0.2.100/32'), interfaceName: 'eth0', label: 'sixteen-chars-xx' }));
  t.true(isVrrpError(label, 'ERR_VRRP_ADDRESS'));
  const info = await manager.lookup('eth0');
  t.deepEqual(Array.from(info.macAddress), [2, 0, 0, 0, 0, 1]);
});

test('lookup answers the link as it is now: up needs administratively up and running (carrier), as keepalived', async (t) => {
  const kernel = new FakeKernel();
  const manager = createAddressManagerOn(kernel);
  t.true((await manager.lookup('eth0')).isUp);
  kernel.flags.set('eth0', { up: true }); // no carrier: the peer of a veth went down, a cable was pulled
  t.false((await manager.lookup('eth0')).isUp);
  kernel.flags.set('eth0', {}); // ip link set eth0 down
  t.false((await manager.lookup('eth0')).isUp);
  kernel.flags.delete('eth0');
  t.true((await manager.lookup('eth0')).isUp);
});

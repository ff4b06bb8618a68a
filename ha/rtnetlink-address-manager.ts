/**
 * AddressManager and LinkLookup over rtnetlink (RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR / RTM_GETLINK),
 * proven in shared/reference/node-building-blocks.md section 4: 0.3-0.5 ms per change.
 *
 * IPv4 VIPs get their label (at most 15 characters, keepalived's `label`); IPv6 VIPs are added with
 * IFA_F_NODAD: a VIP that moves between directors must answer at once, not after duplicate address
 * detection. Adding a present address (EEXIST) and removing an absent one (EADDRNOTAVAIL) are outcomes,
 * as the AddressManager contract says. The interface index is looked up by name and cached; a miss or
 * ENODEV refreshes the cache once (the interface may have been recreated with a new index).
 */
import { FlagsNew, type rt } from 'netlink';
import { ipFromBytes, type IpAddress } from '../src/core/ip.js';
import type { AddOutcome, AddressManager, InterfaceAddress, RemoveOutcome, VipAssignment } from './address-manager.js';
import type { InterfaceInfo, LinkLookup } from './link-lookup.js';
import { createRtnetlinkSession, type RtnetlinkSession, type RtnetlinkSessionOptions } from './rtnetlink-session.js';
import { VrrpError } from './vrrp-error.js';

const AF_INET = 2;
const AF_INET6 = 10;
const EEXIST = 17;
const ENODEV = 19;
const EADDRNOTAVAIL = 99;
const MAX_LABEL_LENGTH = 15;

export type RtnetlinkAddressManager = AddressManager & LinkLookup;

/** Opens its own rtnetlink socket; share one per daemon between instances. `close()` closes it. */
export function createRtnetlinkAddressManager(options: RtnetlinkSessionOptions = {}): RtnetlinkAddressManager {
  return createAddressManagerOn(createRtnetlinkSession(options));
}

/** The same over a given session (tests pass a recording session). */
export function createAddressManagerOn(session: RtnetlinkSession): RtnetlinkAddressManager {
  const indexCache = new Map<string, InterfaceInfo>();

  const lookup = async (interfaceName: string, signal?: AbortSignal, isRefresh = false): Promise<InterfaceInfo> => {
    const cached = indexCache.get(interfaceName);
    if (cached !== undefined && !isRefresh) return cached;
    const links = await session.getLinks(signal);
    indexCache.clear();
    for (const link of links) {
      const name = link.attrs.ifname;
      const index = link.data.index;
      if (name === undefined || index === undefined) continue;
      const mac = link.attrs.address;
      indexCache.set(name, {
        name,
        index,
        macAddress: mac === undefined ? new Uint8Array(6) : Uint8Array.from(mac),
        // keepalived's IF_ISUP: administratively up and running (carrier; RFC 2863 OPER_UP).
        isUp: link.data.flags?.up === true && link.data.flags.running === true,
      });
    }
    const info = indexCache.get(interfaceName);
    if (info === undefined) throw new VrrpError('ERR_VRRP_NO_SUCH_INTERFACE', `no interface named ${interfaceName}`, { details: { interfaceName } });
    return info;
  };

  /** Runs `attempt` with the interface's index; on ENODEV refreshes the index and tries once more. */
  const withIndex = async (interfaceName: string, signal: AbortSignal | undefined, attempt: (index: number) => Promise<number>): Promise<number> => {
    const errno = await attempt((await lookup(interfaceName, signal)).index);
    if (errno !== ENODEV) return errno;
    return attempt((await lookup(interfaceName, signal, true)).index);
  };

  return {
    // Always fresh: trackers poll the link's state through this (a cached answer never went down).
    lookup: (interfaceName, signal) => lookup(interfaceName, signal, true),

    async add(vip: VipAssignment, signal?: AbortSignal): Promise<AddOutcome> {
      const errno = await withIndex(vip.interfaceName, signal, async (index) => {
        const { data, attrs } = addressMessage(vip, index);
        const flags = FlagsNew.CREATE | FlagsNew.EXCL;
        return (await session.newAddress(data, attrs, flags, signal)).errno;
      });
      if (errno === 0) return 'added';
      if (errno === EEXIST) return 'already-present';
      throw addressError('add', vip, errno);
    },

    async remove(vip: VipAssignment, signal?: AbortSignal): Promise<RemoveOutcome> {
      const errno = await withIndex(vip.interfaceName, signal, async (index) => {
        const { data, attrs } = addressMessage(vip, index);
        return (await session.delAddress(data, { local: attrs.local, address: attrs.address }, signal)).errno;
      });
      if (errno === 0) return 'removed';
      if (errno === EADDRNOTAVAIL) return 'absent';
      throw addressError('remove', vip, errno);
    },

    async list(interfaceName: string, signal?: AbortSignal): Promise<InterfaceAddress[]> {
      const { index } = await lookup(interfaceName, signal, true);
      const messages = await session.getAddresses(signal);
      const out: InterfaceAddress[] = [];
      for (const m of messages) {
        if (m.data.index !== index) continue;
        const address = toIpAddress(m.attrs.local ?? m.attrs.address);
        if (address === undefined) continue;
        const prefixLength = m.data.prefixlen ?? (address.family === 4 ? 32 : 128);
        const label = m.attrs.label;
        out.push({ address: { address, prefixLength, text: `${address.text}/${prefixLength}` }, ...(label === undefined ? {} : { label }) });
      }
      return out;
    },

    close: () => session.close(),
  };
}

function addressMessage(vip: VipAssignment, index: number): { data: rt.Address; attrs: rt.AddressAttrs & { local: Buffer; address: Buffer } } {
  const family = vip.address.address.family;
  const bytes = Buffer.from(vip.address.address.bytes);
  const data: rt.Address = { family: family === 4 ? AF_INET : AF_INET6, prefixlen: vip.address.prefixLength, index, scope: 0 };
  if (family === 6) return { data, attrs: { local: bytes, address: bytes, flags: { nodad: true } } };
  const label = vip.label;
  if (label !== undefined && label.length > MAX_LABEL_LENGTH) {
    throw new VrrpError('ERR_VRRP_ADDRESS', `label "${label}" is longer than ${MAX_LABEL_LENGTH} characters`, { details: { vip: vip.address.text } });
  }
  return { data, attrs: { local: bytes, address: bytes, ...(label === undefined ? {} : { label }) } };
}

function addressError(op: 'add' | 'remove', vip: VipAssignment, errno: number): VrrpError {
  const code = errno === ENODEV ? 'ERR_VRRP_NO_SUCH_INTERFACE' : 'ERR_VRRP_ADDRESS';
  return new VrrpError(code, `${op} ${vip.address.text} on ${vip.interfaceName}: kernel error ${errno}`, {
    errno,
    details: { vip: vip.address.text, iface: vip.interfaceName },
  });
}

function toIpAddress(bytes: Buffer | undefined): IpAddress | undefined {
  if (bytes === undefined || (bytes.length !== 4 && bytes.length !== 16)) return undefined;
  return ipFromBytes(bytes);
}

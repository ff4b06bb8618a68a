/**
 * The VRRP virtual MAC (RFC 5798 section 7.3) as keepalived's `use_vmac` does it, planned without I/O:
 * a macvlan on top of the instance's interface with the MAC 00-00-5E-00-01-{VRID} (IPv4) or
 * 00-00-5E-00-02-{VRID} (IPv6), named "vrrp.VRID" unless configured, in macvlan mode private
 * (keepalived's default). The instance's VIPs, adverts and gratuitous ARPs (IPv6: unsolicited neighbour
 * advertisements) use it, so the MAC that clients learn for a VIP is the same on every director, and a
 * takeover needs no ARP or neighbour cache update.
 *
 * Sysctls, as keepalived's `set_interface_parameters` (vrrp_if_config.c):
 * - on the macvlan: arp_ignore 1, accept_local 1, rp_filter 0, promote_secondaries 1;
 * - on the base interface (IPv4 instances): arp_ignore 1 and arp_filter 1, so that the base interface
 *   does not answer ARP for the VIPs with its own MAC (only the macvlan holding the VIP answers, on the
 *   master); these previous values are saved and put back when the macvlan goes (`planBaseSysctls`).
 * Beyond keepalived: arp_announce 2 on the base interface too. The master's replies from a VIP leave by
 * the base interface (the subnet's route is there); without it, the ARP request it sends there to
 * resolve a client carries the VIP as sender with the base interface's MAC, and the client's entry for
 * the VIP switches to that MAC (seen in the netns test: the client ended with the base MAC).
 * Beyond keepalived too: drop_gratuitous_arp 1 on the macvlan. In private mode a frame whose source MAC
 * is a local macvlan's is delivered to that macvlan, so a master in a planned handover (still holding the
 * VIP) got the new master's GARP and answered it from the virtual MAC, moving the bridge's entry back to
 * itself just before it let the VIP go: the client's next packets were lost until the new master's next
 * advert (seen in the netns test).
 * Beyond keepalived too: an IPv4 instance's macvlan gets `addrgenmode none` where the kernel has IPv6: no IPv6 link-local
 * address, so a backup never sends DAD, router or MLD packets from the shared MAC (which would move
 * the bridge's MAC entry to the backup).
 *
 * IPv6 instances, as keepalived's `netlink_link_add_vmac` (vrrp_vmac.c):
 * - `addrgenmode none` before it goes up (RFC 5798 section 7.4: no interface identifier from the virtual
 *   MAC), and then one link-local address given to it: the instance's link-local source (keepalived: the
 *   configured source, else the base interface's link-local, else one made from the base interface's
 *   MAC, `linkLocalFromMac`). The adverts leave the macvlan from that address (IPV6_PKTINFO wants a
 *   link-local source on the sending interface) and the unsolicited NAs from it too.
 * - Beyond keepalived: that address is added without DAD (`nodad`). It is the base interface's own
 *   address on the same link (DAD from the macvlan could only find the base interface), and a DAD probe
 *   from a backup's macvlan would carry the shared MAC (keepalived's DAD does).
 * - Beyond keepalived: accept_ra 0 on the macvlan: no router solicitation from the shared MAC (the kernel
 *   sends them once the link-local is ready) and no address autoconfigured on it from an advertisement.
 * - The macvlan's IPv4 sysctls as for IPv4 (arp_ignore 1 keeps it from answering ARP for the host's
 *   IPv4 addresses with the virtual MAC); nothing on the base interface. Neighbour discovery needs no
 *   arp_ignore/arp_announce: the kernel answers a solicitation only for an address of the receiving
 *   interface, and solicits from the VIP only on the interface that holds it.
 */
import { ipFromBytes, isLinkLocal, type IpAddress, type IpFamily } from '../src/core/ip.js';

export type MacvlanMode = 'private' | 'bridge';

interface VirtualMacCommon {
  /** The instance's interface, the macvlan's lower device. */
  readonly baseInterfaceName: string;
  /** The macvlan's name: "vrrp.VRID" by default (`defaultVirtualMacName`). */
  readonly interfaceName: string;
  readonly vrid: number;
  /** keepalived's default: private. */
  readonly mode: MacvlanMode;
}

export type VirtualMacSpec =
  | (VirtualMacCommon & { readonly family: 4 })
  /** `linkLocalAddress`: the macvlan's one link-local address, the source of the instance's adverts and NAs. */
  | (VirtualMacCommon & { readonly family: 6; readonly linkLocalAddress: IpAddress });

/** A value under /proc/sys, the path relative to it ("net/ipv4/conf/eth0/arp_ignore"). */
export interface SysctlSetting {
  readonly path: string;
  readonly value: number;
}

export interface VirtualMacPlan {
  /** `ip` arguments (argv, no shell): create the macvlan. */
  readonly createArgs: readonly string[];
  /** `ip` arguments: show it in detail, as JSON (to recognise one left by an earlier run). */
  readonly showArgs: readonly string[];
  /**
   * `ip` arguments, before it goes up: no IPv6 link-local address made from the virtual MAC. IPv4: best
   * effort (a kernel without IPv6 refuses it, and then sends nothing IPv6 anyway); IPv6: required.
   */
  readonly noLinkLocalArgs: readonly string[];
  readonly isNoLinkLocalRequired: boolean;
  /** `ip` arguments, IPv6 only, before it goes up: its link-local address, without DAD (idempotent: replace). */
  readonly linkLocalArgs: readonly string[] | undefined;
  /** `ip` arguments: bring it up, after the sysctls. */
  readonly upArgs: readonly string[];
  /** `ip` arguments: delete it (its addresses go with it). */
  readonly deleteArgs: readonly string[];
  /** Written on the macvlan, unconditionally. */
  readonly virtualSysctls: readonly SysctlSetting[];
  /** Set on the base interface unless already at the value; the old value is put back at the end. */
  readonly baseSysctls: readonly SysctlSetting[];
}

/** RFC 5798 section 7.3: 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID} for IPv6. */
export function virtualMacAddress(vrid: number, family: IpFamily): string {
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return `00:00:5e:00:${hex(family === 4 ? 1 : 2)}:${hex(vrid)}`;
}

/** keepalived's default name of the macvlan: "vrrp." and the VRID in decimal. */
export function defaultVirtualMacName(vrid: number): string {
  return `vrrp.${vrid}`;
}

/**
 * RFC 4291 appendix A: the link-local address with the modified EUI-64 interface identifier of a MAC
 * (fe80::, the MAC's first three bytes with the universal/local bit flipped, ff:fe, its last three).
 * keepalived's fallback for an IPv6 virtual MAC whose base interface has no link-local address.
 */
export function linkLocalFromMac(mac: Uint8Array): IpAddress {
  if (mac.length !== 6) throw new RangeError(`a MAC has 6 bytes, not ${mac.length}`);
  const at = (i: number): number => mac[i] ?? 0;
  return ipFromBytes(Uint8Array.from([0xfe, 0x80, 0, 0, 0, 0, 0, 0, at(0) ^ 0x02, at(1), at(2), 0xff, 0xfe, at(3), at(4), at(5)]));
}

/** Why the spec cannot be planned (a bug of the caller: config validation comes first), or undefined. */
export function describeVirtualMacSpecProblem(spec: VirtualMacSpec): string | undefined {
  if (!Number.isInteger(spec.vrid) || spec.vrid < 1 || spec.vrid > 255) return `VRID ${spec.vrid} is not 1-255`;
  if (spec.family === 6 && (spec.linkLocalAddress.family !== 6 || !isLinkLocal(spec.linkLocalAddress))) {
    return `the macvlan's address ${spec.linkLocalAddress.text} is not an IPv6 link-local address`;
  }
  return undefined;
}

export function planVirtualMac(spec: VirtualMacSpec): VirtualMacPlan {
  const name = spec.interfaceName;
  const conf = (iface: string, key: string, value: number): SysctlSetting => ({ path: `net/ipv4/conf/${iface}/${key}`, value });
  const conf6 = (iface: string, key: string, value: number): SysctlSetting => ({ path: `net/ipv6/conf/${iface}/${key}`, value });
  const ipv4Virtual = [conf(name, 'arp_ignore', 1), conf(name, 'accept_local', 1), conf(name, 'rp_filter', 0), conf(name, 'promote_secondaries', 1), conf(name, 'drop_gratuitous_arp', 1)];
  return {
    createArgs: [
      'link', 'add', 'link', spec.baseInterfaceName, 'name', name,
      'address', virtualMacAddress(spec.vrid, spec.family),
      'type', 'macvlan', 'mode', spec.mode,
    ],
    showArgs: ['-d', '-j', 'link', 'show', 'dev', name],
    noLinkLocalArgs: ['link', 'set', 'dev', name, 'addrgenmode', 'none'],
    isNoLinkLocalRequired: spec.family === 6,
    linkLocalArgs: spec.family === 6 ? ['-6', 'address', 'replace', `${spec.linkLocalAddress.text}/64`, 'dev', name, 'nodad'] : undefined,
    upArgs: ['link', 'set', 'dev', name, 'up'],
    deleteArgs: ['link', 'delete', 'dev', name],
    virtualSysctls: spec.family === 4 ? ipv4Virtual : [...ipv4Virtual, conf6(name, 'accept_ra', 0)],
    baseSysctls:
      spec.family === 4 ? [conf(spec.baseInterfaceName, 'arp_ignore', 1), conf(spec.baseInterfaceName, 'arp_filter', 1), conf(spec.baseInterfaceName, 'arp_announce', 2)] : [],
  };
}

/**
 * Which base sysctls to write now (those not already at the value), and what to write back at the end
 * (their previous values). `current` holds what was read, in the order of `plan.baseSysctls`.
 */
export function planBaseSysctls(plan: VirtualMacPlan, current: readonly number[]): { apply: SysctlSetting[]; restore: SysctlSetting[] } {
  const apply: SysctlSetting[] = [];
  const restore: SysctlSetting[] = [];
  plan.baseSysctls.forEach((setting, i) => {
    const old = current[i];
    if (old === setting.value) return;
    apply.push(setting);
    if (old !== undefined) restore.push({ path: setting.path, value: old });
  });
  return { apply, restore };
}

/**
 * Whether an existing link (one element of `ip -d -j link show`) is the macvlan this spec would create:
 * then it is reused (left by a run that crashed); anything else of that name is not ours to touch.
 */
export function describeForeignLink(spec: VirtualMacSpec, link: unknown): string | undefined {
  if (typeof link !== 'object' || link === null) return 'unreadable link';
  const l = link as { link?: unknown; address?: unknown; linkinfo?: { info_kind?: unknown } };
  const text = (v: unknown): string => (typeof v === 'string' ? v : 'none');
  const mac = virtualMacAddress(spec.vrid, spec.family);
  if (l.linkinfo?.info_kind !== 'macvlan') return `not a macvlan (${text(l.linkinfo?.info_kind)})`;
  if (l.address !== mac) return `MAC ${text(l.address)}, not ${mac}`;
  if (l.link !== spec.baseInterfaceName) return `on ${text(l.link)}, not ${spec.baseInterfaceName}`;
  return undefined;
}

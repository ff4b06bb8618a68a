/**
 * The IPVS domain: virtual services, real servers (destinations), statistics, connection timeouts,
 * the connection-sync daemon and the module info, in the vocabulary of ipvsadm(8) and
 * `<linux/ip_vs.h>`. Pure data and pure helpers; the netlink wire structs live in genl-*.ts.
 */
import type { IpAddress, IpFamily } from '../core/ip.js';

export type IpvsProtocol = 'tcp' | 'udp' | 'sctp';

/**
 * A virtual service is identified by protocol + virtual address + port, or by a firewall mark and an
 * address family (`ipvsadm -f MARK [-6]`). A port of 0 is allowed (persistent "all ports" services).
 */
export type IpvsServiceKey =
  | { readonly kind: 'inet'; readonly protocol: IpvsProtocol; readonly address: IpAddress; readonly port: number }
  | { readonly kind: 'fwmark'; readonly fwmark: number; readonly family: IpFamily };

/** Every scheduler of the Linux 6.1 tree (`ip_vs_<name>.ko`), as ipvsadm -s spells them. */
export const IPVS_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'sh', 'dh', 'sed', 'nq', 'mh', 'fo', 'ovf'] as const;
export type IpvsScheduler = (typeof IPVS_SCHEDULERS)[number];

/**
 * Scheduler flags (`ipvsadm -b`). The kernel has three anonymous bits (IP_VS_SVC_F_SCHED1..3); their
 * meaning depends on the scheduler: sh and mh read SCHED1 as "fallback" and SCHED2 as "port".
 * For other schedulers ipvsadm prints them as flag-1..flag-3 (no scheduler of 6.1 reads them).
 */
export type IpvsSchedulerFlag = 'sh-fallback' | 'sh-port' | 'mh-fallback' | 'mh-port' | 'flag-1' | 'flag-2' | 'flag-3';

/** Flag names in bit order (SCHED1, SCHED2, SCHED3) for a scheduler. */
export function schedulerFlagNames(scheduler: IpvsScheduler): readonly [IpvsSchedulerFlag, IpvsSchedulerFlag, IpvsSchedulerFlag] {
  if (scheduler === 'sh') return ['sh-fallback', 'sh-port', 'flag-3'];
  if (scheduler === 'mh') return ['mh-fallback', 'mh-port', 'flag-3'];
  return ['flag-1', 'flag-2', 'flag-3'];
}

/**
 * Persistence (`ipvsadm -p TIMEOUT -M NETMASK`): clients of the same network (address masked with
 * the netmask) go to the same real server for `timeoutS` seconds after their last connection.
 * The netmask is a prefix length: 0-32 for IPv4 (ipvsadm prints it as a dotted mask), 1-128 for IPv6.
 */
export interface IpvsPersistence {
  readonly timeoutS: number;
  /** Clients of one network stick together: IPv6 a prefix length, IPv4 a contiguous mask's length. */
  readonly netmaskPrefixLength: number;
  /**
   * IPv4 only, and only for a mask that is not contiguous (ipvsadm and the kernel accept any mask,
   * `ipvsadm -M 255.0.255.0`): the mask itself, a.b.c.d as (a << 24 | b << 16 | c << 8 | d) >>> 0.
   * netmaskPrefixLength then counts its one bits.
   */
  readonly ipv4Netmask?: number;
}

/** The one bits of an IPv4 mask (the prefix length of a contiguous one). */
export function countIpv4MaskBits(mask: number): number {
  let n = 0;
  for (let v = mask >>> 0; v !== 0; v = (v & (v - 1)) >>> 0) n++;
  return n;
}

/** Ones then zeros (255.255.255.0), as opposed to a mask with holes (255.0.255.0). */
export function isContiguousIpv4Mask(mask: number): boolean {
  const hostPart = (~mask >>> 0) + 1; // 2^(32-prefix) for a contiguous mask
  return (hostPart & (hostPart - 1)) === 0;
}

export interface IpvsService {
  readonly key: IpvsServiceKey;
  readonly scheduler: IpvsScheduler;
  /** Canonical: no duplicates, in bit order, names matching the scheduler (see schedulerFlagNames). */
  readonly schedulerFlags: readonly IpvsSchedulerFlag[];
  /** Absent: not persistent. */
  readonly persistence?: IpvsPersistence;
  /** One-packet scheduling (`-o`, keepalived `ops`): every UDP datagram is scheduled on its own. */
  readonly isOnePacket: boolean;
  /** Persistence engine (`--pe`), e.g. "sip". */
  readonly persistenceEngine?: string;
}

export type IpvsTunnelType = 'ipip' | 'gue' | 'gre';
/** Tunnel checksum option (--tun-nocsum, --tun-csum, --tun-remcsum); GUE and GRE only. */
export type IpvsTunnelChecksum = 'nocsum' | 'csum' | 'remcsum';

export type IpvsTunnel =
  | { readonly type: 'ipip' }
  | { readonly type: 'gue'; readonly port: number; readonly checksum: IpvsTunnelChecksum }
  | { readonly type: 'gre'; readonly checksum: IpvsTunnelChecksum };

/**
 * Forwarding method (`-m` masquerading/NAT, `-g` gatewaying/direct routing, `-i` IP-in-IP tunnel).
 * The kernel's LOCALNODE and BYPASS methods cannot be requested by ipvsadm and are not modelled.
 */
export type IpvsForwarding =
  | { readonly method: 'masq' }
  | { readonly method: 'route' }
  | { readonly method: 'tunnel'; readonly tunnel: IpvsTunnel };

export interface IpvsDestinationKey {
  /** May differ in family from the service only with tunnel forwarding. */
  readonly address: IpAddress;
  /** 0 for firewall-mark services that keep the client's port. */
  readonly port: number;
}

export interface IpvsDestination {
  readonly key: IpvsDestinationKey;
  readonly forwarding: IpvsForwarding;
  /** 0 = quiescent: no new connections (used for draining). */
  readonly weight: number;
  /** Upper connection threshold (`-x`); 0 = no limit. */
  readonly upperThreshold: number;
  /** Lower connection threshold (`-y`); 0 = none. The kernel refuses lower > upper. */
  readonly lowerThreshold: number;
}

/** Counters since the last zeroing, and rates (per second, estimated by the kernel every 2 s). */
export interface IpvsStats {
  readonly connections: bigint;
  readonly inPackets: bigint;
  readonly outPackets: bigint;
  readonly inBytes: bigint;
  readonly outBytes: bigint;
  readonly connectionsPerSecond: bigint;
  readonly inPacketsPerSecond: bigint;
  readonly outPacketsPerSecond: bigint;
  readonly inBytesPerSecond: bigint;
  readonly outBytesPerSecond: bigint;
}

export const ZERO_STATS: IpvsStats = {
  connections: 0n,
  inPackets: 0n,
  outPackets: 0n,
  inBytes: 0n,
  outBytes: 0n,
  connectionsPerSecond: 0n,
  inPacketsPerSecond: 0n,
  outPacketsPerSecond: 0n,
  inBytesPerSecond: 0n,
  outBytesPerSecond: 0n,
};

/** A service as the kernel reports it. */
export interface IpvsServiceEntry {
  readonly service: IpvsService;
  readonly stats: IpvsStats;
}

/** A destination as the kernel reports it. */
export interface IpvsDestinationEntry {
  readonly destination: IpvsDestination;
  readonly activeConnections: number;
  readonly inactiveConnections: number;
  /** Persistence templates pointing at this destination. */
  readonly persistentConnections: number;
  readonly stats: IpvsStats;
}

/** Connection timeouts (`ipvsadm --set tcp tcpfin udp`), in seconds; 0 on set means "leave unchanged". */
export interface IpvsTimeouts {
  readonly tcpS: number;
  readonly tcpFinS: number;
  readonly udpS: number;
}

export type IpvsSyncState = 'master' | 'backup';

/** A connection-sync daemon (`ipvsadm --start-daemon`); one master and one backup may run together. */
export interface IpvsSyncDaemon {
  readonly state: IpvsSyncState;
  readonly interfaceName: string;
  /** 0-255; a backup with 0 accepts every sync id. */
  readonly syncId: number;
  /** UDP payload size of sync messages. */
  readonly maxLength?: number;
  /** Multicast group, IPv4 or IPv6 (default 224.0.0.81). */
  readonly group?: IpAddress;
  /** UDP port (default 8848). */
  readonly port?: number;
  /** Multicast TTL (default 1). */
  readonly ttl?: number;
}

export interface IpvsInfo {
  /** IP_VS_VERSION_CODE, e.g. 0x010201. */
  readonly versionCode: number;
  /** Connection hash table size (entries). */
  readonly connectionTableSize: number;
}

/** "1.2.1" for 0x010201, as ipvsadm prints it. */
export function formatIpvsVersion(versionCode: number): string {
  return `${(versionCode >> 16) & 0xff}.${(versionCode >> 8) & 0xff}.${versionCode & 0xff}`;
}

export function ipFamilyOfServiceKey(key: IpvsServiceKey): IpFamily {
  return key.kind === 'inet' ? key.address.family : key.family;
}

/** Stable text for maps, logs and messages: "tcp 192.0.2.1:80", "udp [2001:db8::1]:53", "fwmark 42 ipv6". */
export function formatServiceKey(key: IpvsServiceKey): string {
  if (key.kind === 'fwmark') return `fwmark ${key.fwmark}${key.family === 6 ? ' ipv6' : ''}`;
  return `${key.protocol} ${formatEndpoint(key.address, key.port)}`;
}

export function formatDestinationKey(key: IpvsDestinationKey): string {
  return formatEndpoint(key.address, key.port);
}

export function formatEndpoint(address: IpAddress, port: number): string {
  return address.family === 6 ? `[${address.text}]:${port}` : `${address.text}:${port}`;
}

export function serviceKeyEquals(a: IpvsServiceKey, b: IpvsServiceKey): boolean {
  return formatServiceKey(a) === formatServiceKey(b);
}

export function destinationKeyEquals(a: IpvsDestinationKey, b: IpvsDestinationKey): boolean {
  return formatDestinationKey(a) === formatDestinationKey(b);
}

/** The default persistence netmask: the full host (ipvsadm's default for -M). */
export function fullNetmaskPrefixLength(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

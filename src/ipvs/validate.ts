/**
 * Range and consistency checks of IPVS model values, before anything is encoded or sent (STYLE 10:
 * reject, don't guess). Pure. Each check returns the list of problems; empty means valid.
 * The limits are the kernel's (ip_vs_ctl.c, Linux 6.1) or, where stricter, ipvsadm 1.31's.
 */
import { isMulticast, type IpFamily } from '../core/ip.js';
import {
  countIpv4MaskBits,
  isContiguousIpv4Mask,
  type IpvsDestination,
  type IpvsService,
  type IpvsServiceKey,
  type IpvsSyncDaemon,
  type IpvsTimeouts,
  ipFamilyOfServiceKey,
  schedulerFlagNames,
} from './model.js';

export interface IpvsProblem {
  /** The field, e.g. "persistence.timeoutS", "destination.weight". */
  readonly field: string;
  readonly message: string;
}

/** The kernel keeps timeouts as seconds * HZ in 32 bits; ipvsadm refuses more than this too. */
export const MAX_TIMEOUT_S = 2_147_483;
const NAME_RE = /^[A-Za-z0-9_.:-]{1,15}$/; // IFNAMSIZ / IP_VS_*_MAXLEN minus the NUL

const isInt = (n: number, min: number, max: number): boolean => Number.isInteger(n) && n >= min && n <= max;

export function checkServiceKey(key: IpvsServiceKey): IpvsProblem[] {
  const problems: IpvsProblem[] = [];
  if (key.kind === 'fwmark') {
    if (!isInt(key.fwmark, 1, 0xffffffff)) problems.push({ field: 'fwmark', message: 'a firewall mark is 1-4294967295' });
  } else if (!isInt(key.port, 0, 65535)) {
    problems.push({ field: 'port', message: 'a port is 0-65535' });
  }
  return problems;
}

export function checkService(service: IpvsService): IpvsProblem[] {
  const problems = checkServiceKey(service.key);
  const allowed = schedulerFlagNames(service.scheduler);
  let lastIndex = -1;
  for (const flag of service.schedulerFlags) {
    const index = allowed.indexOf(flag);
    if (index < 0) problems.push({ field: 'schedulerFlags', message: `flag ${flag} does not belong to scheduler ${service.scheduler}` });
    else if (index <= lastIndex) problems.push({ field: 'schedulerFlags', message: 'flags must be unique and in bit order' });
    lastIndex = Math.max(lastIndex, index);
  }
  const family = ipFamilyOfServiceKey(service.key);
  if (service.persistence !== undefined) {
    if (!isInt(service.persistence.timeoutS, 1, MAX_TIMEOUT_S)) {
      problems.push({ field: 'persistence.timeoutS', message: `a persistence timeout is 1-${MAX_TIMEOUT_S} s` });
    }
    const [min, max] = family === 4 ? [0, 32] : [1, 128];
    if (!isInt(service.persistence.netmaskPrefixLength, min, max)) {
      problems.push({ field: 'persistence.netmaskPrefixLength', message: `an IPv${family} persistence netmask is /${min}-/${max}` });
    }
    const holes = service.persistence.ipv4Netmask;
    if (holes !== undefined && !isIpv4MaskWithHoles(holes, family, service.persistence.netmaskPrefixLength)) {
      problems.push({ field: 'persistence.ipv4Netmask', message: 'an IPv4 netmask given as a mask has holes (a contiguous one is a prefix length), and netmaskPrefixLength counts its one bits' });
    }
  }
  // The kernel accepts the flag anywhere but honours it only for UDP packets. ipvsadm 1.31 refuses it
  // for TCP and SCTP services and accepts it for firewall marks (a mark may carry only UDP), and so
  // do -S and -R: `ipvsadm -A -f 9 -o` lists as "FWM  9 wlc ops" and saves as "-A -f 9 -s wlc -o".
  if (service.isOnePacket && service.key.kind === 'inet' && service.key.protocol !== 'udp') {
    problems.push({ field: 'isOnePacket', message: 'one-packet scheduling is only for UDP services and firewall marks (as in ipvsadm)' });
  }
  if (service.persistenceEngine !== undefined && !/^[a-z0-9_]{1,15}$/.test(service.persistenceEngine)) {
    problems.push({ field: 'persistenceEngine', message: 'a persistence engine name is 1-15 of [a-z0-9_]' });
  }
  return problems;
}

export function checkDestination(service: IpvsServiceKey, dest: IpvsDestination): IpvsProblem[] {
  const problems: IpvsProblem[] = [];
  if (!isInt(dest.key.port, 0, 65535)) problems.push({ field: 'destination.port', message: 'a port is 0-65535' });
  if (!isInt(dest.weight, 0, 2147483647)) problems.push({ field: 'destination.weight', message: 'a weight is 0-2147483647' });
  if (!isInt(dest.upperThreshold, 0, 0xffffffff)) {
    problems.push({ field: 'destination.upperThreshold', message: 'a threshold is 0-4294967295' });
  }
  if (!isInt(dest.lowerThreshold, 0, 0xffffffff)) {
    problems.push({ field: 'destination.lowerThreshold', message: 'a threshold is 0-4294967295' });
  }
  if (dest.lowerThreshold > dest.upperThreshold) {
    // ip_vs_add_dest/ip_vs_edit_dest answer -ERANGE, even when the upper threshold is 0 (none).
    problems.push({ field: 'destination.lowerThreshold', message: 'the lower threshold must not exceed the upper threshold' });
  }
  if (dest.key.address.family !== ipFamilyOfServiceKey(service) && dest.forwarding.method !== 'tunnel') {
    problems.push({ field: 'destination.address', message: 'a destination of another address family needs tunnel forwarding' });
  }
  const tunnel = dest.forwarding.method === 'tunnel' ? dest.forwarding.tunnel : undefined;
  if (tunnel?.type === 'gue' && !isInt(tunnel.port, 1, 65535)) {
    problems.push({ field: 'destination.tunnel.port', message: 'a GUE tunnel needs a port 1-65535' });
  }
  return problems;
}

export function checkTimeouts(timeouts: Partial<IpvsTimeouts>): IpvsProblem[] {
  const problems: IpvsProblem[] = [];
  for (const field of ['tcpS', 'tcpFinS', 'udpS'] as const) {
    const value = timeouts[field];
    if (value !== undefined && !isInt(value, 0, MAX_TIMEOUT_S)) problems.push({ field, message: `a timeout is 0-${MAX_TIMEOUT_S} s` });
  }
  return problems;
}

export function checkDaemon(daemon: IpvsSyncDaemon): IpvsProblem[] {
  const problems: IpvsProblem[] = [];
  if (!NAME_RE.test(daemon.interfaceName)) problems.push({ field: 'interfaceName', message: 'an interface name is 1-15 characters' });
  if (!isInt(daemon.syncId, 0, 255)) problems.push({ field: 'syncId', message: 'a sync id is 0-255' });
  if (daemon.maxLength !== undefined && !isInt(daemon.maxLength, 1, 65535)) {
    problems.push({ field: 'maxLength', message: 'a sync message length is 1-65535' });
  }
  if (daemon.port !== undefined && !isInt(daemon.port, 1, 65535)) problems.push({ field: 'port', message: 'a port is 1-65535' });
  if (daemon.ttl !== undefined && !isInt(daemon.ttl, 1, 255)) problems.push({ field: 'ttl', message: 'a TTL is 1-255' });
  if (daemon.group !== undefined && !isMulticast(daemon.group)) {
    problems.push({ field: 'group', message: 'the sync group must be a multicast address' });
  }
  return problems;
}

/** Canonical form of a mask with holes: IPv4, a u32 that is not ones-then-zeros, its one bits counted. */
function isIpv4MaskWithHoles(mask: number, family: IpFamily, prefixLength: number): boolean {
  return family === 4 && isInt(mask, 0, 0xffffffff) && !isContiguousIpv4Mask(mask) && countIpv4MaskBits(mask) === prefixLength;
}

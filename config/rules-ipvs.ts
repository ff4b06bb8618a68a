/**
 * Cross-field rules of the `ipvs` section: what ipvsadm and the kernel would refuse, found before
 * anything is applied. Pure.
 */
import { compareIp, type IpFamily } from '../src/core/ip.js';
import type { RuleFinding } from './rule-finding.js';
import type { IpvsConfig, RealServerConfig, VirtualServerConfig } from './schema-ipvs.js';

type Report = (path: (string | number)[], message: string) => void;

/** The service's family: its address's, or `family` for marks and groups. */
export function virtualServerFamily(vs: VirtualServerConfig): IpFamily {
  return vs.address?.family ?? vs.family;
}

/** One line naming the service, for messages and logs. */
export function describeVirtualServer(vs: VirtualServerConfig): string {
  if (vs.group !== undefined) return `group ${vs.group}`;
  if (vs.fwmark !== undefined) return `fwmark ${vs.fwmark}${vs.family === 6 ? ' ipv6' : ''}`;
  const host = vs.address === undefined ? '?' : vs.address.family === 6 ? `[${vs.address.text}]` : vs.address.text;
  return `${vs.protocol} ${host}:${vs.port ?? '?'}`;
}

export function checkIpvsRules(ipvs: IpvsConfig): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const error: Report = (path, message) => findings.push({ path: ['ipvs', ...path], code: 'conflict', severity: 'error', message });
  const warn: Report = (path, message) => findings.push({ path: ['ipvs', ...path], code: 'conflict', severity: 'warning', message });
  const groups = new Set(ipvs.virtualServerGroups.map((g) => g.name));
  const seen = new Map<string, number>();
  ipvs.virtualServers.forEach((vs, i) => {
    const at = ['virtualServers', i];
    checkIdentity(vs, at, groups, error);
    const name = describeVirtualServer(vs);
    const first = seen.get(name);
    if (first !== undefined) error(at, `${name} is already virtualServers[${first}]`);
    else seen.set(name, i);
    checkScheduling(vs, at, error);
    const realServerKeys = new Map<string, number>();
    vs.realServers.forEach((rs, r) => {
      const key = `${rs.address.text}:${rs.port ?? vs.port ?? 0}`;
      const dup = realServerKeys.get(key);
      if (dup !== undefined) error([...at, 'realServers', r], `real server ${key} is listed twice (first at realServers[${dup}])`);
      else realServerKeys.set(key, r);
      checkRealServer(vs, rs, [...at, 'realServers', r], error, warn);
    });
    if (vs.sorryServer !== undefined) checkRealServer(vs, vs.sorryServer, [...at, 'sorryServer'], error, warn);
  });
  ipvs.virtualServerGroups.forEach((group, g) => {
    group.members.forEach((member, m) => {
      if (!('address' in member) || member.lastAddress === undefined) return;
      const first = member.address;
      const last = member.lastAddress;
      const isSameRange = first.family === last.family && first.bytes.slice(0, -1).every((b, k) => b === last.bytes[k]);
      if (!isSameRange || compareIp(first, last) > 0) {
        error(['virtualServerGroups', g, 'members', m], `range ${first.text}-${last.text} must vary only in the last part and go upwards`);
      }
    });
  });
  return findings;
}

function checkIdentity(vs: VirtualServerConfig, at: (string | number)[], groups: Set<string>, error: Report): void {
  const kinds = [vs.address !== undefined, vs.fwmark !== undefined, vs.group !== undefined].filter(Boolean).length;
  if (kinds !== 1) {
    error(at, 'a virtual server is exactly one of: address and port, fwmark, or group');
    return;
  }
  if (vs.address !== undefined && vs.port === undefined) error([...at, 'port'], 'an address service needs a port (0 for all ports, with persistence)');
  if (vs.address !== undefined && vs.port === 0 && vs.persistence === undefined) {
    error([...at, 'port'], 'port 0 (all ports) needs persistence, as ipvsadm requires');
  }
  if (vs.group !== undefined && !groups.has(vs.group)) error([...at, 'group'], `no virtual server group named "${vs.group}"`);
}

function checkScheduling(vs: VirtualServerConfig, at: (string | number)[], error: Report): void {
  vs.schedulerFlags.forEach((flag, f) => {
    const owner = flag.split('-')[0];
    if ((owner === 'sh' || owner === 'mh') && owner !== vs.scheduler) {
      error([...at, 'schedulerFlags', f], `${flag} is a flag of the ${owner} scheduler, not of ${vs.scheduler}`);
    }
  });
  const maxPrefix = virtualServerFamily(vs) === 4 ? 32 : 128;
  const netmask = vs.persistence?.netmaskPrefixLength;
  if (netmask !== undefined && netmask > maxPrefix) {
    error([...at, 'persistence', 'netmaskPrefixLength'], `an IPv${virtualServerFamily(vs)} netmask is at most /${maxPrefix}`);
  }
  if (vs.persistence !== undefined && vs.persistence.timeout < 1000) error([...at, 'persistence', 'timeout'], 'persistence timeout is at least 1s');
}

function checkRealServer(vs: VirtualServerConfig, rs: RealServerConfig, at: (string | number)[], error: Report, warn: Report): void {
  const forwarding = rs.forwarding ?? vs.forwarding;
  if (rs.address.family !== virtualServerFamily(vs) && forwarding !== 'tun') {
    error([...at, 'address'], `${rs.address.text} is IPv${rs.address.family}, the service IPv${virtualServerFamily(vs)}: mixed families need tunnel forwarding`);
  }
  if (rs.upperThreshold > 0 && rs.lowerThreshold > rs.upperThreshold) {
    error([...at, 'lowerThreshold'], 'the lower threshold is above the upper one (the kernel refuses it)');
  }
  if (rs.tunnel !== undefined && forwarding !== 'tun') error([...at, 'tunnel'], 'tunnel settings need forwarding tun');
  if (forwarding !== 'nat' && rs.port !== undefined && vs.port !== undefined && rs.port !== vs.port && vs.fwmark === undefined) {
    warn([...at, 'port'], `${forwarding} forwarding cannot change the port: traffic reaches ${rs.address.text} on port ${vs.port}`);
  }
}

/**
 * The desired IPVS table from the configuration and the health of its real servers (pure): every
 * virtual server (a group expands to one service per member) with its real servers. A real server
 * without checks is always in; one with checks is in when its health says so, with the weight its
 * health gives (inhibit_on_failure: weight 0; slowstart: ramping; agent: reported).
 *
 * Quorum (quorum.ts): a service without quorum that has a sorry server gets the sorry server instead
 * of its live real servers, as keepalived does (`perform_quorum_state`): the live ones leave (drained
 * by the planner, their connections finish), failed ones go at once, and those with
 * inhibit_on_failure stay with weight 0. Without a sorry server, losing quorum changes nothing in the
 * table (only the scripts run). A sorry server with isInhibitedOnFailure (keepalived
 * sorry_server_inhibit) stays in the table with weight 0 while the service has quorum.
 */
import { ipFromBytes, type IpAddress } from '../core/ip.js';
import type { IpvsConfig, RealServerConfig, VirtualServerConfig } from '../../config/schema-ipvs.js';
import { describeVirtualServer, virtualServerFamily } from '../../config/rules-ipvs.js';
import { formatDestinationKey, formatServiceKey, schedulerFlagNames, type IpvsDestination, type IpvsDestinationKey, type IpvsForwarding, type IpvsService, type IpvsServiceKey } from './model.js';
import type { DesiredIpvsService } from './plan.js';
import { stepQuorum } from './quorum.js';

/** Upper bound on one group range, so that a typo cannot ask for millions of services. */
const MAX_RANGE = 256;

/** A real server's health: up (all checks), and what its IPVS destination should be. */
export interface RealServerHealth {
  readonly isUp: boolean;
  readonly isPresent: boolean;
  readonly weight: number;
}

/** What the health checks say of a real server; undefined while unknown (it then counts as configured and up). */
export type HealthView = (realServerId: string) => RealServerHealth | undefined;

/** Whether a virtual server (named by describeVirtualServer) has quorum; undefined: no memory, judge afresh. */
export type QuorumView = (virtualServer: string) => boolean | undefined;

/** A real server's identity, shared by the health plan and the table: "tcp 192.0.2.50:80 -> 192.0.2.21:80". */
export function realServerId(service: IpvsServiceKey, rs: RealServerConfig): string {
  const port = rs.port ?? (service.kind === 'inet' ? service.port : 0);
  return `${formatServiceKey(service)} -> ${formatDestinationKey({ address: rs.address, port })}`;
}

/** A real server as the quorum sees it: live (keepalived ISALIVE) and the weight it adds. */
export function realServerLiveness(key: IpvsServiceKey, rs: RealServerConfig, health: HealthView | undefined): { readonly isLive: boolean; readonly weight: number } {
  const verdict = rs.healthChecks.length === 0 ? undefined : health?.(realServerId(key, rs));
  if (verdict === undefined) return { isLive: true, weight: rs.weight };
  return { isLive: verdict.isUp, weight: verdict.isUp ? verdict.weight : 0 };
}

/** keepalived `weigh_live_realservers`: the sum of the live real servers' weights, for one service. */
export function liveWeightOf(vs: VirtualServerConfig, key: IpvsServiceKey, health: HealthView | undefined): number {
  let sum = 0;
  for (const rs of vs.realServers) sum += realServerLiveness(key, rs, health).weight;
  return sum;
}

export function desiredIpvsTable(config: IpvsConfig, health?: HealthView, quorum?: QuorumView): DesiredIpvsService[] {
  const table: DesiredIpvsService[] = [];
  for (const vs of config.virtualServers) {
    const keys = serviceKeysOf(vs, config);
    const first = keys[0];
    if (first === undefined) continue;
    const hasQuorum = quorum?.(describeVirtualServer(vs)) ?? stepQuorum(undefined, liveWeightOf(vs, first, health), vs.quorum).hasQuorum;
    for (const key of keys) table.push(desiredService(vs, key, health, hasQuorum || vs.sorryServer === undefined));
  }
  return table;
}

function desiredService(vs: VirtualServerConfig, key: IpvsServiceKey, health: HealthView | undefined, isServingRealServers: boolean): DesiredIpvsService {
  const destinations: IpvsDestination[] = [];
  const failed: IpvsDestinationKey[] = [];
  const sorry = vs.sorryServer === undefined ? undefined : toDestination(vs, vs.sorryServer, key);
  const sorryKey = sorry === undefined ? undefined : formatDestinationKey(sorry.key);
  for (const rs of vs.realServers) {
    const verdict = rs.healthChecks.length === 0 ? undefined : health?.(realServerId(key, rs));
    const destination = toDestination(vs, rs, key);
    if (!isServingRealServers && formatDestinationKey(destination.key) === sorryKey) continue; // the sorry server's entry wins
    if (verdict?.isPresent === false) failed.push(destination.key);
    else if (isServingRealServers) destinations.push({ ...destination, weight: verdict?.weight ?? rs.weight });
    else if (rs.isInhibitedOnFailure ?? vs.isInhibitedOnFailure) destinations.push({ ...destination, weight: 0 });
  }
  if (sorry !== undefined && !isServingRealServers) destinations.push(sorry);
  else if (sorry !== undefined && vs.sorryServer?.isInhibitedOnFailure === true && !destinations.some((d) => formatDestinationKey(d.key) === sorryKey)) {
    destinations.push({ ...sorry, weight: 0 });
  }
  return { service: toService(vs, key), destinations, ...(failed.length === 0 ? {} : { failedDestinations: failed }) };
}

export function serviceKeysOf(vs: VirtualServerConfig, config: IpvsConfig): IpvsServiceKey[] {
  if (vs.fwmark !== undefined) return [{ kind: 'fwmark', fwmark: vs.fwmark, family: vs.family }];
  if (vs.address !== undefined) return [{ kind: 'inet', protocol: vs.protocol, address: vs.address, port: vs.port ?? 0 }];
  const group = config.virtualServerGroups.find((g) => g.name === vs.group);
  const keys: IpvsServiceKey[] = [];
  for (const member of group?.members ?? []) {
    if ('fwmark' in member) {
      keys.push({ kind: 'fwmark', fwmark: member.fwmark, family: vs.family });
      continue;
    }
    for (const address of expandRange(member.address, member.lastAddress)) {
      keys.push({ kind: 'inet', protocol: vs.protocol, address, port: member.port });
    }
  }
  return keys;
}

/** 192.0.2.10-20: every address whose last byte lies in the range (validation checked the shape). */
export function expandRange(first: IpAddress, last: IpAddress | undefined): IpAddress[] {
  if (last === undefined) return [first];
  const from = first.bytes[first.bytes.length - 1] ?? 0;
  const to = last.bytes[last.bytes.length - 1] ?? 0;
  const out: IpAddress[] = [];
  for (let b = from; b <= to && out.length < MAX_RANGE; b++) {
    const bytes = Uint8Array.from(first.bytes);
    bytes[bytes.length - 1] = b;
    out.push(ipFromBytes(bytes));
  }
  return out;
}

function toService(vs: VirtualServerConfig, key: IpvsServiceKey): IpvsService {
  const names = schedulerFlagNames(vs.scheduler);
  const schedulerFlags = names.filter((n) => (vs.schedulerFlags as readonly string[]).includes(n));
  const persistence = vs.persistence;
  return {
    key,
    scheduler: vs.scheduler,
    schedulerFlags,
    isOnePacket: vs.isOnePacket,
    ...(persistence === undefined
      ? {}
      : {
          persistence: {
            timeoutS: Math.ceil(persistence.timeout / 1000),
            netmaskPrefixLength: persistence.netmaskPrefixLength ?? (virtualServerFamily(vs) === 4 ? 32 : 128),
          },
          ...(persistence.engine === undefined ? {} : { persistenceEngine: persistence.engine }),
        }),
  };
}

function toDestination(vs: VirtualServerConfig, rs: RealServerConfig, key: IpvsServiceKey): IpvsDestination {
  const port = rs.port ?? (key.kind === 'inet' ? key.port : 0);
  return {
    key: { address: rs.address, port },
    forwarding: toForwarding(rs.forwarding ?? vs.forwarding, rs.tunnel ?? vs.tunnel),
    weight: rs.weight,
    upperThreshold: rs.upperThreshold,
    lowerThreshold: rs.lowerThreshold,
  };
}

function toForwarding(method: 'nat' | 'dr' | 'tun', tunnel: RealServerConfig['tunnel']): IpvsForwarding {
  if (method === 'nat') return { method: 'masq' };
  if (method === 'dr') return { method: 'route' };
  if (tunnel === undefined || tunnel.type === 'ipip') return { method: 'tunnel', tunnel: { type: 'ipip' } };
  return { method: 'tunnel', tunnel: tunnel.type === 'gue' ? { type: 'gue', port: tunnel.port, checksum: tunnel.checksum } : { type: 'gre', checksum: tunnel.checksum } };
}

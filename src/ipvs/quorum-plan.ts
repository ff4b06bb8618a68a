/**
 * What the health of the real servers means for each virtual service (pure): quorum verdicts
 * (quorum.ts) with their memory, and the scripts keepalived would run, in keepalived's order
 * (check/ipwrapper.c): for each service, a real server's notify_up / notify_down when its health
 * changes, then quorum_up / quorum_down when the service's quorum changes.
 * - At start (no memory) nothing runs, except that a service starting without quorum and with a
 *   sorry server runs quorum_down (keepalived's "Starting with quorum down", when it adds the sorry
 *   server); a service or real server new after a reload starts the same way.
 * - Scripts are run as written, with no arguments added (keepalived's `notify_exec`).
 * - At stop, for services with omega (`notify.isRunAtStop`): notify_down of each live real server,
 *   then quorum_down whatever the state (keepalived `clear_service_vs` with `stopping`).
 */
import { splitCommandLine } from '../core/command-line.js';
import type { IpvsConfig, VirtualServerConfig } from '../../config/schema-ipvs.js';
import { describeVirtualServer } from '../../config/rules-ipvs.js';
import { liveWeightOf, realServerId, realServerLiveness, serviceKeysOf, type HealthView } from './desired-table.js';
import { formatDestinationKey, type IpvsServiceKey } from './model.js';
import { stepQuorum, type QuorumParams } from './quorum.js';

export interface QuorumMemory {
  /** Per virtual server (describeVirtualServer): whether it has quorum. */
  readonly quorum: ReadonlyMap<string, boolean>;
  /** Per real server (`<virtual server> -> <address:port>`): whether it is live. */
  readonly realServers: ReadonlyMap<string, boolean>;
}

export interface VirtualServerQuorum {
  readonly vs: string;
  readonly hasQuorum: boolean;
  readonly liveWeight: number;
  readonly thresholdWeight: number;
  readonly params: QuorumParams;
  readonly hasSorryServer: boolean;
}

export type QuorumEvent =
  | {
      readonly kind: 'quorum';
      readonly vs: string;
      /** `started-without`: at start (or new after a reload) without quorum, with a sorry server. */
      readonly change: 'gained' | 'lost' | 'started-without' | 'stopping';
      readonly liveWeight: number;
      readonly thresholdWeight: number;
      readonly argv?: readonly string[];
    }
  | { readonly kind: 'real-server'; readonly vs: string; readonly rs: string; readonly isUp: boolean; readonly isStopping: boolean; readonly argv?: readonly string[] };

export interface QuorumPlan {
  readonly memory: QuorumMemory;
  readonly services: readonly VirtualServerQuorum[];
  readonly events: readonly QuorumEvent[];
}

export const EMPTY_QUORUM_MEMORY: QuorumMemory = { quorum: new Map(), realServers: new Map() };

/** `memory` undefined: the first evaluation since start. Every service is evaluated. */
export function planQuorum(config: IpvsConfig, health: HealthView | undefined, memory: QuorumMemory | undefined): QuorumPlan {
  return planQuorumFor(config, config.virtualServers.keys(), health, memory);
}

/**
 * The same for some services only (indexes into config.virtualServers): one real server's change
 * re-evaluates its own service, so a burst of changes costs in proportion to the changes, not to
 * changes x services (10,000 targets failing at once froze the daemon for minutes when every change
 * re-evaluated every service). Returns the new entries for those services; `memory` is read, not changed.
 */
export function planQuorumFor(config: IpvsConfig, indexes: Iterable<number>, health: HealthView | undefined, memory: QuorumMemory | undefined): QuorumPlan {
  const quorum = new Map<string, boolean>();
  const realServers = new Map<string, boolean>();
  const services: VirtualServerQuorum[] = [];
  const events: QuorumEvent[] = [];
  for (const index of indexes) {
    const vs = config.virtualServers[index];
    if (vs === undefined) continue;
    const key = serviceKeysOf(vs, config)[0];
    if (key === undefined) continue; // a group without members has no service
    const name = describeVirtualServer(vs);
    for (const rs of realServersOf(vs, key, health)) {
      realServers.set(rs.id, rs.isLive);
      const before = memory?.realServers.get(rs.id);
      if (before === undefined || before === rs.isLive) continue;
      const script = rs.isLive ? rs.notify.up : rs.notify.down;
      events.push({ kind: 'real-server', vs: name, rs: rs.rs, isUp: rs.isLive, isStopping: false, ...argvOf(script) });
    }
    const liveWeight = liveWeightOf(vs, key, health);
    const step = stepQuorum(memory?.quorum.get(name), liveWeight, vs.quorum);
    quorum.set(name, step.hasQuorum);
    const hasSorryServer = vs.sorryServer !== undefined;
    services.push({ vs: name, hasQuorum: step.hasQuorum, liveWeight, thresholdWeight: step.thresholdWeight, params: vs.quorum, hasSorryServer });
    const change = step.change ?? (memory?.quorum.get(name) === undefined && !step.hasQuorum && hasSorryServer ? 'started-without' : undefined);
    if (change === undefined) continue;
    const script = change === 'gained' ? vs.notify.quorumUp : vs.notify.quorumDown;
    events.push({ kind: 'quorum', vs: name, change, liveWeight, thresholdWeight: step.thresholdWeight, ...argvOf(script) });
  }
  return { memory: { quorum, realServers }, services, events };
}

/** Which service (index into config.virtualServers) each health-checked destination id belongs to. */
export function serviceIndexByRealServerId(config: IpvsConfig): Map<string, number> {
  const byId = new Map<string, number>();
  config.virtualServers.forEach((vs, index) => {
    for (const key of serviceKeysOf(vs, config)) for (const rs of vs.realServers) byId.set(realServerId(key, rs), index);
  });
  return byId;
}

/** keepalived omega: the scripts to run when lvsd stops. */
export function planStopScripts(config: IpvsConfig, memory: QuorumMemory): QuorumEvent[] {
  const events: QuorumEvent[] = [];
  for (const vs of config.virtualServers) {
    if (!vs.notify.isRunAtStop) continue;
    const key = serviceKeysOf(vs, config)[0];
    if (key === undefined) continue;
    const name = describeVirtualServer(vs);
    for (const rs of realServersOf(vs, key, undefined)) {
      if (memory.realServers.get(rs.id) !== true) continue;
      events.push({ kind: 'real-server', vs: name, rs: rs.rs, isUp: false, isStopping: true, ...argvOf(rs.notify.down) });
    }
    events.push({ kind: 'quorum', vs: name, change: 'stopping', liveWeight: 0, thresholdWeight: vs.quorum.weight - vs.quorum.hysteresis, ...argvOf(vs.notify.quorumDown) });
  }
  return events;
}

function realServersOf(vs: VirtualServerConfig, key: IpvsServiceKey, health: HealthView | undefined) {
  const name = describeVirtualServer(vs);
  return vs.realServers.map((rs) => {
    const rsText = formatDestinationKey({ address: rs.address, port: rs.port ?? (key.kind === 'inet' ? key.port : 0) });
    return { id: `${name} -> ${rsText}`, rs: rsText, isLive: realServerLiveness(key, rs, health).isLive, notify: rs.notify };
  });
}

function argvOf(script: string | undefined): { argv?: readonly string[] } {
  if (script === undefined) return {};
  const argv = splitCommandLine(script);
  return argv.ok ? { argv: argv.value } : {}; // the schema refuses lines that do not split
}

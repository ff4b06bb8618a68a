/**
 * The IPVS planner (STYLE 6): desired table against the kernel's table -> the minimal operations.
 * Pure: time comes in as `nowMs`, state comes in and goes out as values.
 *
 * Rules
 * - Edit in place: everything but a key is editable (SET_SERVICE: scheduler, flags, persistence,
 *   persistence engine; SET_DEST: forwarding, tunnel, weight, thresholds), so nothing is ever
 *   deleted and re-added, and an unchanged service or destination yields no operation.
 * - Never flush. Running the plan twice is harmless: planning against the applied result gives no
 *   operations (drains aside, which advance with time and connection counts).
 * - Drain (issue 3): a destination leaving the table first gets weight 0 (no new connections); it is
 *   deleted on a later round once its active connections reach 0, or when `drainTimeoutMs` has
 *   passed since the drain started. A service leaving the table drains all its destinations the same
 *   way and is deleted when they all have, unless `isServiceRemovalImmediate`. `drainTimeoutMs` 0
 *   deletes at once. A destination that comes back while draining stops draining (its weight is
 *   restored by the ordinary diff).
 *
 * Ownership: lvsd touches only services it owns. A service is owned when it is declared in the
 * desired table (a declared service that already exists is adopted and edited to match), and stays
 * owned after it leaves the table until lvsd has deleted it. `state.ownedServices` carries that
 * memory between rounds (the daemon persists it, so that a restart still knows what it created);
 * every other service in the kernel is foreign and left alone, destinations included. Within an
 * owned service every destination is lvsd's: one that someone added behind our back is drained away,
 * one that someone deleted is added back (drift repair).
 */
import {
  type IpvsDestination,
  type IpvsDestinationEntry,
  type IpvsDestinationKey,
  type IpvsForwarding,
  type IpvsService,
  type IpvsServiceKey,
  formatDestinationKey,
  formatServiceKey,
} from './model.js';
import type { IpvsTableEntry } from './ipvs-client.js';

export interface DesiredIpvsService {
  readonly service: IpvsService;
  readonly destinations: readonly IpvsDestination[];
  /**
   * Destinations that failed their health checks: deleted at once, not drained (their connections
   * are not working; keepalived removes them at once too). A configuration removal still drains.
   */
  readonly failedDestinations?: readonly IpvsDestinationKey[];
}

export interface IpvsPlanParams {
  /** How long a removed destination may keep its connections; 0 = delete at once. */
  readonly drainTimeoutMs: number;
  /** Delete removed services at once instead of draining their destinations first. */
  readonly isServiceRemovalImmediate: boolean;
}

/** Between rounds: what lvsd owns and what is draining since when (monotonic ms). */
export interface IpvsPlanState {
  /** formatServiceKey of every owned service. */
  readonly ownedServices: ReadonlySet<string>;
  /** `${vs}|${rs}` -> drain start. */
  readonly drainingDestinations: ReadonlyMap<string, number>;
  /** vs -> drain start. */
  readonly drainingServices: ReadonlyMap<string, number>;
}

export const EMPTY_PLAN_STATE: IpvsPlanState = { ownedServices: new Set(), drainingDestinations: new Map(), drainingServices: new Map() };

/** Why an operation is planned (for the drift log). */
export type IpvsOpReason = 'missing' | 'changed' | 'drain' | 'drained' | 'drain-timeout' | 'removed' | 'failed';

export type IpvsOp =
  | { readonly op: 'add-service'; readonly service: IpvsService; readonly reason: 'missing' }
  | { readonly op: 'edit-service'; readonly service: IpvsService; readonly from: IpvsService; readonly reason: 'changed' }
  | { readonly op: 'delete-service'; readonly key: IpvsServiceKey; readonly reason: 'removed' | 'drained' | 'drain-timeout' }
  | { readonly op: 'add-destination'; readonly service: IpvsServiceKey; readonly destination: IpvsDestination; readonly reason: 'missing' }
  | {
      readonly op: 'edit-destination';
      readonly service: IpvsServiceKey;
      readonly destination: IpvsDestination;
      readonly from: IpvsDestination;
      readonly reason: 'changed' | 'drain';
    }
  | {
      readonly op: 'delete-destination';
      readonly service: IpvsServiceKey;
      readonly destination: IpvsDestination;
      readonly reason: 'removed' | 'drained' | 'drain-timeout' | 'failed';
    };

export interface IpvsPlan {
  /**
   * In stage order (stageOf): services added or edited, then destination operations, then services
   * deleted. Operations of one stage are independent of each other and may run concurrently.
   */
  readonly ops: readonly IpvsOp[];
  readonly state: IpvsPlanState;
  /** When the next round must run at the latest for a drain to time out (undefined: no drain). */
  readonly nextDeadlineMs: number | undefined;
  /** Services in the kernel that lvsd leaves alone. */
  readonly foreignServices: readonly IpvsServiceKey[];
}

export function stageOf(op: IpvsOp): 0 | 1 | 2 {
  if (op.op === 'add-service' || op.op === 'edit-service') return 0;
  return op.op === 'delete-service' ? 2 : 1;
}

export function planIpvs(
  desired: readonly DesiredIpvsService[],
  actual: readonly IpvsTableEntry[],
  state: IpvsPlanState,
  nowMs: number,
  params: IpvsPlanParams,
): IpvsPlan {
  const desiredByKey = indexDesired(desired);
  const actualByKey = new Map(actual.map((e) => [formatServiceKey(e.service.service.key), e]));
  const ops: IpvsOp[][] = [[], [], []];
  const owned = new Set<string>();
  const drainingDestinations = new Map<string, number>();
  const drainingServices = new Map<string, number>();
  const foreignServices: IpvsServiceKey[] = [];
  const ctx: DrainContext = { nowMs, params, state, drainingDestinations, out: ops[1] ?? [] };

  for (const [vs, want] of desiredByKey) {
    owned.add(vs);
    const have = actualByKey.get(vs);
    if (have === undefined) {
      ops[0]?.push({ op: 'add-service', service: want.service, reason: 'missing' });
    } else if (!isSameService(want.service, have.service.service)) {
      ops[0]?.push({ op: 'edit-service', service: want.service, from: have.service.service, reason: 'changed' });
    }
    planDestinations(want, have?.destinations ?? [], ctx);
  }

  for (const [vs, have] of actualByKey) {
    if (desiredByKey.has(vs)) continue;
    if (!state.ownedServices.has(vs)) {
      foreignServices.push(have.service.service.key);
      continue;
    }
    const removal = planServiceRemoval(have, state.drainingServices.get(vs), nowMs, params);
    ops[1]?.push(...removal.destinationOps);
    if (removal.deletion !== undefined) ops[2]?.push(removal.deletion);
    if (removal.drainStartedAtMs !== undefined) {
      owned.add(vs);
      drainingServices.set(vs, removal.drainStartedAtMs);
    }
  }

  const deadlines = [...drainingDestinations.values(), ...drainingServices.values()].map((start) => start + params.drainTimeoutMs);
  return {
    ops: ops.flat(),
    state: { ownedServices: owned, drainingDestinations, drainingServices },
    nextDeadlineMs: deadlines.length === 0 ? undefined : Math.min(...deadlines),
    foreignServices,
  };
}

interface DrainContext {
  readonly nowMs: number;
  readonly params: IpvsPlanParams;
  readonly state: IpvsPlanState;
  readonly drainingDestinations: Map<string, number>;
  readonly out: IpvsOp[];
}

function planDestinations(want: DesiredIpvsService, have: readonly IpvsDestinationEntry[], ctx: DrainContext): void {
  const key = want.service.key;
  const vs = formatServiceKey(key);
  const wanted = new Map(want.destinations.map((d) => [formatDestinationKey(d.key), d]));
  const present = new Map(have.map((d) => [formatDestinationKey(d.destination.key), d]));
  if (wanted.size !== want.destinations.length) throw new RangeError(`duplicate destination in ${vs}`);
  for (const [rs, d] of wanted) {
    const current = present.get(rs);
    if (current === undefined) ctx.out.push({ op: 'add-destination', service: key, destination: d, reason: 'missing' });
    else if (!isSameDestination(d, current.destination)) ctx.out.push({ op: 'edit-destination', service: key, destination: d, from: current.destination, reason: 'changed' });
  }
  const failed = new Set((want.failedDestinations ?? []).map((k) => formatDestinationKey(k)));
  for (const [rs, d] of present) {
    if (wanted.has(rs)) continue;
    if (failed.has(rs)) {
      ctx.out.push({ op: 'delete-destination', service: key, destination: d.destination, reason: 'failed' });
      continue;
    }
    const id = `${vs}|${rs}`;
    const startedAtMs = ctx.state.drainingDestinations.get(id);
    const { drainTimeoutMs } = ctx.params;
    if (drainTimeoutMs <= 0) {
      ctx.out.push({ op: 'delete-destination', service: key, destination: d.destination, reason: 'removed' });
    } else if (startedAtMs !== undefined && ctx.nowMs - startedAtMs >= drainTimeoutMs) {
      ctx.out.push({ op: 'delete-destination', service: key, destination: d.destination, reason: 'drain-timeout' });
    } else if (startedAtMs === undefined || d.destination.weight !== 0) {
      // Start the drain (or resume it, if someone restored the weight): weight 0 now, delete on a later round.
      ctx.drainingDestinations.set(id, startedAtMs ?? ctx.nowMs);
      if (d.destination.weight !== 0) ctx.out.push(drainOp(key, d.destination));
    } else if (d.activeConnections === 0) {
      ctx.out.push({ op: 'delete-destination', service: key, destination: d.destination, reason: 'drained' });
    } else {
      ctx.drainingDestinations.set(id, startedAtMs);
    }
  }
}

interface ServiceRemoval {
  readonly destinationOps: readonly IpvsOp[];
  readonly deletion: IpvsOp | undefined;
  /** Set while the service keeps draining. */
  readonly drainStartedAtMs: number | undefined;
}

/** An owned service that left the table: delete it, or drain its destinations first. */
function planServiceRemoval(have: IpvsTableEntry, startedAtMs: number | undefined, nowMs: number, params: IpvsPlanParams): ServiceRemoval {
  const key = have.service.service.key;
  const remove = (reason: 'removed' | 'drained' | 'drain-timeout'): ServiceRemoval => ({
    destinationOps: [],
    deletion: { op: 'delete-service', key, reason },
    drainStartedAtMs: undefined,
  });
  if (params.isServiceRemovalImmediate || params.drainTimeoutMs <= 0 || have.destinations.length === 0) return remove('removed');
  if (startedAtMs !== undefined && nowMs - startedAtMs >= params.drainTimeoutMs) return remove('drain-timeout');
  const weighted = have.destinations.filter((d) => d.destination.weight !== 0);
  if (startedAtMs !== undefined && weighted.length === 0 && have.destinations.every((d) => d.activeConnections === 0)) return remove('drained');
  return { destinationOps: weighted.map((d) => drainOp(key, d.destination)), deletion: undefined, drainStartedAtMs: startedAtMs ?? nowMs };
}

function drainOp(service: IpvsServiceKey, destination: IpvsDestination): IpvsOp {
  return { op: 'edit-destination', service, destination: { ...destination, weight: 0 }, from: destination, reason: 'drain' };
}

function indexDesired(desired: readonly DesiredIpvsService[]): Map<string, DesiredIpvsService> {
  const out = new Map<string, DesiredIpvsService>();
  for (const d of desired) {
    const vs = formatServiceKey(d.service.key);
    if (out.has(vs)) throw new RangeError(`duplicate service ${vs} in the desired table`);
    out.set(vs, d);
  }
  return out;
}

/** Equal as the kernel stores them (scheduler flags are canonical: unique, in bit order). */
export function isSameService(a: IpvsService, b: IpvsService): boolean {
  return (
    a.scheduler === b.scheduler &&
    a.schedulerFlags.length === b.schedulerFlags.length &&
    a.schedulerFlags.every((f, i) => b.schedulerFlags[i] === f) &&
    a.isOnePacket === b.isOnePacket &&
    a.persistence?.timeoutS === b.persistence?.timeoutS &&
    a.persistence?.netmaskPrefixLength === b.persistence?.netmaskPrefixLength &&
    a.persistence?.ipv4Netmask === b.persistence?.ipv4Netmask &&
    a.persistenceEngine === b.persistenceEngine
  );
}

export function isSameDestination(a: IpvsDestination, b: IpvsDestination): boolean {
  return (
    a.weight === b.weight &&
    a.upperThreshold === b.upperThreshold &&
    a.lowerThreshold === b.lowerThreshold &&
    isSameForwarding(a.forwarding, b.forwarding)
  );
}

function isSameForwarding(a: IpvsForwarding, b: IpvsForwarding): boolean {
  if (a.method !== 'tunnel' || b.method !== 'tunnel') return a.method === b.method;
  const [x, y] = [a.tunnel, b.tunnel];
  if (x.type === 'gue' && y.type === 'gue') return x.port === y.port && x.checksum === y.checksum;
  if (x.type === 'gre' && y.type === 'gre') return x.checksum === y.checksum;
  return x.type === 'ipip' && y.type === 'ipip';
}

/**
 * Keeps the kernel's IPVS table at the configured one (issue 3): a round reads the table, plans the
 * minimal operations (plan.ts), applies them, and logs every change with its reason. Rounds run at
 * start, after a reload, every `repairInterval` (drift repair: someone ran `ipvsadm -d` behind our
 * back), and when a drain is due. Which services lvsd owns is persisted, so a restart still knows
 * what it created; services it does not own are never touched. Stopping leaves the table in place,
 * so a restart does not interrupt traffic.
 */
import type { Clock, Timer } from '../core/clock.js';
import { assertNever, describeError, LvsdError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Component } from '../daemon/lifecycle.js';
import type { IpvsConfig } from '../../config/schema-ipvs.js';
import { applyIpvsPlan } from './apply-ipvs-plan.js';
import { desiredIpvsTable, type HealthView, type QuorumView } from './desired-table.js';
import { readIpvsTable, type IpvsClient } from './ipvs-client.js';
import { IpvsError } from './ipvs-error.js';
import { formatDestinationKey, formatServiceKey } from './model.js';
import { EMPTY_PLAN_STATE, planIpvs, type IpvsOp, type IpvsPlanState } from './plan.js';

/** /proc/sys access, behind an interface so that tests need no kernel. */
export interface SysctlAccess {
  read(name: string): Promise<string | undefined>;
  write(name: string, value: string): Promise<void>;
}

/** Where the set of owned services survives restarts. */
export interface OwnershipStore {
  load(): Promise<readonly string[]>;
  save(owned: readonly string[]): Promise<void>;
}

export interface IpvsReconcilerDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly openClient: (signal: AbortSignal) => Promise<IpvsClient>;
  readonly sysctl: SysctlAccess;
  readonly ownership: OwnershipStore;
  /** The health checks' verdicts, when the config has checks. */
  readonly health?: HealthView;
  /** Each service's quorum verdict, kept with its memory by the quorum component. */
  readonly quorum?: QuorumView;
}

export type RoundTrigger = 'start' | 'reload' | 'repair' | 'drain' | 'health';

export interface IpvsRoundReport {
  readonly trigger: RoundTrigger;
  readonly applied: number;
  readonly failed: number;
  readonly durationMs: number;
}

export interface IpvsReconciler extends Component {
  /** A reload: the new table is programmed at once. */
  update(config: IpvsConfig): Promise<IpvsRoundReport>;
  /** Runs a round now (serialized with any running one). */
  reconcile(trigger: RoundTrigger): Promise<IpvsRoundReport>;
  /** Resolves when no round is running (a timer-started round included). */
  idle(): Promise<void>;
}

export function createIpvsReconciler(initial: IpvsConfig, deps: IpvsReconcilerDeps): IpvsReconciler {
  const log = deps.logger.child({ component: 'ipvs' });
  let config = initial;
  let client: IpvsClient | undefined;
  let state: IpvsPlanState = EMPTY_PLAN_STATE;
  let timer: Timer | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let abort = new AbortController();
  let rounds = 0;
  let lastRound: IpvsRoundReport | undefined;
  let lastError: string | undefined;
  let services = 0;
  let destinations = 0;
  let foreign = 0;

  const schedule = (nextDeadlineMs: number | undefined): void => {
    timer?.cancel();
    if (client === undefined) return;
    const repairAt = deps.clock.now() + config.repairInterval;
    const at = nextDeadlineMs === undefined ? repairAt : Math.min(repairAt, nextDeadlineMs);
    const trigger: RoundTrigger = at === repairAt ? 'repair' : 'drain';
    timer = deps.clock.setTimeout(() => void reconcile(trigger).catch(() => undefined), Math.max(0, at - deps.clock.now()));
  };

  async function round(trigger: RoundTrigger): Promise<IpvsRoundReport> {
    const c = client;
    if (c === undefined) throw new LvsdError('ERR_COMPONENT_START', 'ipvs reconciler is not running');
    const t0 = deps.clock.now();
    const desired = desiredIpvsTable(config, deps.health, deps.quorum);
    const actual = await readIpvsTable(c, abort.signal);
    const plan = planIpvs(desired, actual, state, t0, { drainTimeoutMs: config.drainTimeout, isServiceRemovalImmediate: false });
    const result = await applyIpvsPlan(c, plan.ops, { signal: abort.signal });
    for (const op of result.applied) logOp(op, trigger);
    for (const f of result.failed) log.error('ipvs change failed', { ...describeOp(f.op), code: f.error.code, err: f.error.message });
    for (const op of result.skipped) log.warn('ipvs change skipped', describeOp(op));
    const ownedBefore = [...state.ownedServices].sort().join('\n');
    state = plan.state;
    const ownedAfter = [...state.ownedServices].sort();
    if (ownedAfter.join('\n') !== ownedBefore) await deps.ownership.save(ownedAfter);
    services = desired.length;
    destinations = desired.reduce((n, d) => n + d.destinations.length, 0);
    foreign = plan.foreignServices.length;
    rounds++;
    lastRound = { trigger, applied: result.applied.length, failed: result.failed.length, durationMs: Math.round(deps.clock.now() - t0) };
    lastError = undefined;
    schedule(plan.nextDeadlineMs);
    return lastRound;
  }

  /** A change the config did not ask for in this round is drift: someone changed the table. */
  function logOp(op: IpvsOp, trigger: RoundTrigger): void {
    const isDrift = trigger === 'repair' && (op.reason === 'missing' || op.reason === 'changed');
    if (isDrift) log.warn('ipvs drift repaired', describeOp(op));
    else log.info('ipvs change', describeOp(op));
  }

  function reconcile(trigger: RoundTrigger): Promise<IpvsRoundReport> {
    const next = chain.then(() => round(trigger));
    chain = next.catch((e: unknown) => {
      lastError = describeError(e);
      log.error('ipvs round failed', { trigger, err: lastError, code: e instanceof IpvsError ? e.code : undefined });
      schedule(undefined);
    });
    return next;
  }

  async function applyKernelSettings(): Promise<void> {
    const wanted: [string, boolean][] = [
      ['net/ipv4/vs/expire_nodest_conn', config.sysctls.expireNodestConn],
      ['net/ipv4/vs/expire_quiescent_template', config.sysctls.expireQuiescentTemplate],
    ];
    for (const [name, isOn] of wanted) {
      if (!isOn) continue;
      if ((await deps.sysctl.read(name))?.trim() === '1') continue;
      await deps.sysctl.write(name, '1');
      log.info('ipvs sysctl set', { sysctl: name.replaceAll('/', '.'), value: 1 });
    }
    const usesNat = config.virtualServers.some((vs) => vs.forwarding === 'nat' || vs.realServers.some((rs) => rs.forwarding === 'nat'));
    if (usesNat && (await deps.sysctl.read('net/ipv4/ip_forward'))?.trim() === '0') {
      log.warn('NAT services need IP forwarding, which is off: run sysctl -w net.ipv4.ip_forward=1 (and persist it in /etc/sysctl.d)', { sysctl: 'net.ipv4.ip_forward' });
    }
    const t = config.timeouts;
    if (t !== undefined && client !== undefined) {
      const s = (ms: number | undefined): number => (ms === undefined ? 0 : Math.ceil(ms / 1000));
      await client.setTimeouts({ tcpS: s(t.tcp), tcpFinS: s(t.tcpFin), udpS: s(t.udp) }, abort.signal);
    }
  }

  return {
    name: 'ipvs',
    async start(signal) {
      if (client !== undefined) return;
      abort = new AbortController();
      signal.addEventListener('abort', () => abort.abort(signal.reason), { once: true });
      client = await deps.openClient(abort.signal);
      state = { ...EMPTY_PLAN_STATE, ownedServices: new Set(await deps.ownership.load()) };
      await applyKernelSettings();
      const report = await reconcile('start');
      log.info('ipvs table programmed', { services, destinations, changes: report.applied, failed: report.failed, foreign });
    },
    async stop() {
      timer?.cancel();
      timer = undefined;
      abort.abort(new LvsdError('ERR_COMMAND_ABORTED', 'ipvs reconciler stopping'));
      await chain;
      client?.close();
      client = undefined;
      log.info('ipvs table left in place', { services });
    },
    async update(next) {
      config = next;
      return reconcile('reload');
    },
    reconcile,
    idle: () => chain.then(() => undefined),
    snapshot: () => ({
      services,
      destinations,
      foreignServices: foreign,
      ownedServices: state.ownedServices.size,
      drainingDestinations: state.drainingDestinations.size,
      rounds,
      ...(lastRound === undefined ? {} : { lastRound }),
      ...(lastError === undefined ? {} : { lastError }),
    }),
  };
}

function describeOp(op: IpvsOp): Record<string, unknown> {
  switch (op.op) {
    case 'add-service':
    case 'edit-service':
      return { op: op.op, vs: formatServiceKey(op.service.key), reason: op.reason };
    case 'delete-service':
      return { op: op.op, vs: formatServiceKey(op.key), reason: op.reason };
    case 'add-destination':
    case 'edit-destination':
    case 'delete-destination':
      return { op: op.op, vs: formatServiceKey(op.service), rs: formatDestinationKey(op.destination.key), weight: op.destination.weight, reason: op.reason };
    default:
      return assertNever(op, 'ipvs op');
  }
}

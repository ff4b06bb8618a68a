/**
 * The driver of `lvsd realserver setup`: load the state, observe what the planner asks for, plan,
 * record, apply (STYLE 6: the planner is pure, this file owns the order of the I/O).
 *
 * Setup saves the next state before it applies anything: if a change fails half-way, the state
 * already names everything that may have changed, and a rerun (or --undo) finishes the job. That
 * is safe because undo only restores a sysctl whose value is still the one lvsd wrote, and only
 * removes what is present. Undo applies first and saves afterwards, so a failed undo can be rerun.
 * Running setup twice changes nothing the second time; so does running undo twice.
 */
import type { IpAddress } from '../core/ip.js';
import type { Logger } from '../core/logger.js';
import { RealServerError } from './realserver-error.js';
import type { RealServerHost } from './realserver-host.js';
import {
  formatSysctlName,
  planRealServerSetup,
  planRealServerUndo,
  setupObservationNeeds,
  undoObservationNeeds,
  type ObservationNeeds,
  type RealServerChange,
  type RealServerObservation,
  type RealServerParams,
  type RealServerPlan,
} from './realserver-plan.js';
import type { RealServerMethod, RealServerState } from './realserver-state.js';

export interface RealServerStateStore {
  load(): Promise<RealServerState>;
  /** An empty state removes the record. */
  save(state: RealServerState): Promise<void>;
}

export interface RealServerDeps {
  readonly host: RealServerHost;
  readonly store: RealServerStateStore;
  readonly logger?: Logger;
}

export interface RealServerRunOptions {
  /** Plan and report, change nothing (the state file included). */
  readonly isDryRun?: boolean;
  readonly signal?: AbortSignal;
}

export interface RealServerOutcome {
  readonly action: 'setup' | 'undo';
  readonly vip: string;
  readonly isDryRun: boolean;
  /** Applied (or, on a dry run, planned), in order. */
  readonly changes: readonly RealServerChange[];
  readonly notes: readonly string[];
}

export async function setupRealServer(params: RealServerParams, deps: RealServerDeps, options: RealServerRunOptions = {}): Promise<RealServerOutcome> {
  const state = await deps.store.load();
  const observed = await observe(deps.host, setupObservationNeeds(params), params.vip, options.signal);
  const planned = planRealServerSetup(params, observed, state);
  if (!planned.ok) throw new RealServerError(planned.error.code, planned.error.message, { details: { vip: params.vip.text } });
  const plan = planned.value;
  if (options.isDryRun !== true) {
    if (plan.changes.length > 0 || !sameState(plan.state, state)) await deps.store.save(plan.state);
    try {
      await applyChanges(deps, plan, options.signal);
    } catch (e) {
      if (!(e instanceof RealServerError)) throw e;
      const message = `${e.message}; the changes before it were made and recorded: run setup again to finish, or --undo to restore`;
      throw new RealServerError(e.code, message, { cause: e, details: { ...e.details } });
    }
  }
  return outcome('setup', params.vip, plan, options);
}

/** `method`: when given, it must be the one recorded for the VIP. */
export async function undoRealServer(vip: IpAddress, method: RealServerMethod | undefined, deps: RealServerDeps, options: RealServerRunOptions = {}): Promise<RealServerOutcome> {
  const state = await deps.store.load();
  const observed = await observe(deps.host, undoObservationNeeds(vip, state), vip, options.signal);
  const planned = planRealServerUndo(vip, observed, state, method);
  if (!planned.ok) throw new RealServerError(planned.error.code, planned.error.message, { details: { vip: vip.text } });
  const plan = planned.value;
  if (options.isDryRun !== true) {
    await applyChanges(deps, plan, options.signal);
    if (!sameState(plan.state, state)) await deps.store.save(plan.state);
  }
  return outcome('undo', vip, plan, options);
}

async function observe(host: RealServerHost, needs: ObservationNeeds, vip: IpAddress, signal?: AbortSignal): Promise<RealServerObservation> {
  const sysctls = new Map<string, string | undefined>();
  for (const name of needs.sysctls) sysctls.set(name, await host.readSysctl(name, signal));
  const devices = new Map<string, Awaited<ReturnType<RealServerHost['readDevice']>>>();
  for (const device of needs.devices) devices.set(device, await host.readDevice(device, signal));
  return { sysctls, devices, vipHolders: await host.findAddress(vip, signal) };
}

async function applyChanges(deps: RealServerDeps, plan: RealServerPlan, signal?: AbortSignal): Promise<void> {
  const log = deps.logger?.child({ component: 'realserver' });
  for (const change of plan.changes) {
    await applyChange(deps.host, change, signal);
    log?.info('real server changed', { change: describeRealServerChange(change) });
  }
}

async function applyChange(host: RealServerHost, change: RealServerChange, signal?: AbortSignal): Promise<void> {
  switch (change.kind) {
    case 'load-module':
      await host.loadModule(change.module, signal);
      if ((await host.readDevice(change.device, signal)) === undefined) {
        throw new RealServerError('ERR_REALSERVER_KERNEL', `${change.module} is loaded but ${change.device} does not exist here (is net.core.fb_tunnels_only_for_init_net set?)`, {
          details: { device: change.device },
        });
      }
      return;
    case 'set-sysctl':
      return host.writeSysctl(change.name, change.to, signal);
    case 'link-up':
      return host.setLinkUp(change.device, true, signal);
    case 'link-down':
      return host.setLinkUp(change.device, false, signal);
    case 'add-address':
      return host.addAddress(change.device, change.address, signal);
    case 'remove-address':
      return host.removeAddress(change.device, change.address, signal);
  }
}

/** One line per change, as the CLI prints it. */
export function describeRealServerChange(change: RealServerChange): string {
  switch (change.kind) {
    case 'load-module':
      return `load module ${change.module} (creates ${change.device})`;
    case 'set-sysctl':
      return `set ${formatSysctlName(change.name)} ${change.from} -> ${change.to}`;
    case 'link-up':
      return `bring ${change.device} up`;
    case 'link-down':
      return `bring ${change.device} down`;
    case 'add-address':
      return `add ${change.address.text} on ${change.device}`;
    case 'remove-address':
      return `remove ${change.address.text} from ${change.device}`;
  }
}

function outcome(action: 'setup' | 'undo', vip: IpAddress, plan: RealServerPlan, options: RealServerRunOptions): RealServerOutcome {
  return { action, vip: vip.text, isDryRun: options.isDryRun === true, changes: plan.changes, notes: plan.notes };
}

function sameState(a: RealServerState, b: RealServerState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

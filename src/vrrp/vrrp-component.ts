/**
 * The daemon's VRRP: one ha/ instance per configured vrrp instance, on the kernel's adapters, and one
 * coordinator per sync group (sync-group-coordinator.ts: members move together, group notify scripts).
 * Starts them in config order; stops them in reverse, a master with a planned handover (priority 0, VIPs
 * kept until the new master is heard: SIGTERM loses no traffic), the members of a sync group together
 * (as keepalived sends all its priority-0 adverts at once), then closes the shared sockets.
 */
import type { Clock } from '../core/clock.js';
import type { CommandRunner } from '../core/command-runner.js';
import { describeError, LvsdError } from '../core/errors.js';
import type { IpAddress } from '../core/ip.js';
import type { Logger } from '../core/logger.js';
import type { Component } from '../daemon/lifecycle.js';
import type { VrrpConfig } from '../../config/schema-vrrp.js';
import type { InterfaceAddress } from '../../ha/address-manager.js';
import { createKernelVrrpResources, kernelVrrpInstanceDeps, type KernelVrrpResources } from '../../ha/kernel-vrrp-deps.js';
import { createVrrpInstance, type VrrpInstance } from '../../ha/vrrp-instance.js';
import { alwaysGrantTakeover, type TakeoverGate } from '../../ha/takeover-gate.js';
import { createMacvlanVirtualMac, type VirtualMacLink } from '../../ha/macvlan-virtual-mac.js';
import { linkLocalFromMac } from '../../ha/virtual-mac.js';
import { chooseVirtualMacLinkLocal, choosePrimaryAddress, toVrrpSettings, virtualMacOf } from './vrrp-settings.js';
import { buildVrrpTrackers, effectOf, type VrrpTrackerSet } from './vrrp-trackers.js';
import { createNotifyQueue, notifyCommands, notifyStateOf } from './notify.js';
import { createJsonLinesFile } from './json-lines-file.js';
import { loadHmacKeyFile } from './hmac-key-file.js';
import { createSyncGroupCoordinator, type SyncGroupCoordinator } from './sync-group-coordinator.js';
import { groupNotifyCommands } from './sync-group.js';
import { mkdir, writeFile, access } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface VrrpComponentDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly runner: CommandRunner;
  /** Asked before any instance becomes master (health, later quorum and fencing); default: always granted. */
  readonly takeoverGate?: TakeoverGate;
}

export function createVrrpComponent(config: VrrpConfig, deps: VrrpComponentDeps): Component {
  const log = deps.logger.child({ component: 'vrrp' });
  let resources: KernelVrrpResources | undefined;
  let instances: VrrpInstance[] = [];
  /** keepalived use_vmac: created before its instance starts, deleted after it stopped. */
  const virtualMacs = new Map<VrrpInstance, VirtualMacLink>();
  let trackers: VrrpTrackerSet | undefined;
  const unsubscribes: (() => void)[] = [];
  const notifyQueue = createNotifyQueue(deps.runner, log.child({ component: 'vrrp-notify' }));
  const eventFile = config.eventLog === undefined ? undefined : createJsonLinesFile(config.eventLog, log);
  let groups: SyncGroupCoordinator[] = [];
  const groupOf = (instanceName: string): SyncGroupCoordinator | undefined => {
    const groupConfig = config.syncGroups.find((g) => g.members.includes(instanceName));
    return groupConfig === undefined ? undefined : groups.find((g) => g.name === groupConfig.name);
  };

  function createGroups(): SyncGroupCoordinator[] {
    return config.syncGroups.map((group) =>
      createSyncGroupCoordinator(group, {
        logger: log,
        onTransition(transition) {
          const wallTimeMs = Date.now();
          eventFile?.append({ ...transition, atMs: deps.clock.now(), wallTimeMs, wallTime: new Date(wallTimeMs).toISOString() });
          for (const argv of groupNotifyCommands(transition.to, group.notify, group.name)) notifyQueue.submit(argv);
        },
      }),
    );
  }

  /** Every tracker change re-evaluates the instance's priority and fault (keepalived's weight rules). */
  function followTrackers(instance: VrrpInstance, set: VrrpTrackerSet): void {
    const refs = set.refsFor(instance.name);
    if (refs.length === 0) return;
    let last = '';
    const apply = (): void => {
      const effect = effectOf(refs);
      const key = JSON.stringify(effect);
      if (key === last) return;
      last = key;
      log.info('vrrp trackers', { instance: instance.name, priorityAdjustment: effect.priorityAdjustment, isFault: effect.isFault, faultedBy: effect.faultedBy });
      const group = groupOf(instance.name);
      if (group === undefined) instance.setTrackers(effect.priorityAdjustment, effect.isFault);
      else group.setMemberTrackers(instance.name, effect.priorityAdjustment, effect.isFault);
    };
    for (const r of refs) unsubscribes.push(r.tracker.onChange(apply));
    apply();
  }

  /** keepalived init_file: create a missing track file with its initial value. */
  async function initTrackFiles(): Promise<void> {
    for (const f of config.trackFiles) {
      if (f.initialValue === undefined) continue;
      const isPresent = await access(f.path).then(() => true, () => false);
      if (isPresent) continue;
      await mkdir(dirname(f.path), { recursive: true });
      await writeFile(f.path, `${f.initialValue}\n`);
    }
  }

  /** An IPv6 virtual MAC's link-local address: the source, the base interface's, else one from its MAC. */
  async function virtualMacLinkLocal(
    instanceConfig: VrrpConfig['instances'][number],
    primary: IpAddress,
    addresses: readonly InterfaceAddress[],
    shared: KernelVrrpResources,
    signal: AbortSignal,
  ): Promise<IpAddress | undefined> {
    if (instanceConfig.virtualMac === false || primary.family !== 6) return undefined;
    return chooseVirtualMacLinkLocal(primary, addresses) ?? linkLocalFromMac((await shared.addressManager.lookup(instanceConfig.interface, signal)).macAddress);
  }

  async function startInstances(signal: AbortSignal, shared: KernelVrrpResources): Promise<void> {
    for (const instanceConfig of config.instances) {
      const addresses = await shared.addressManager.list(instanceConfig.interface, signal);
      const primary = choosePrimaryAddress(instanceConfig, addresses);
      if (primary === undefined) {
        throw new LvsdError('ERR_COMPONENT_START', `vrrp instance ${instanceConfig.name}: ${instanceConfig.interface} has no IPv${instanceConfig.vips[0]?.address.address.family ?? 4} address to send adverts from (set unicast.source)`);
      }
      const ownAddresses = addresses.map((a) => a.address.address);
      const settings = toVrrpSettings(instanceConfig, config, primary, ownAddresses, await loadHmacKeyFile(instanceConfig, log));
      const vmacSpec = virtualMacOf(instanceConfig, await virtualMacLinkLocal(instanceConfig, primary, addresses, shared, signal));
      const vmac = vmacSpec === undefined ? undefined : createMacvlanVirtualMac(vmacSpec, { runner: deps.runner, logger: log });
      const instanceLog = log.child({ instance: settings.name, vrid: settings.vrid, iface: settings.interfaceName });
      const group = groupOf(settings.name);
      const takeoverGate = group === undefined ? deps.takeoverGate : group.gateFor(settings.name, deps.takeoverGate ?? alwaysGrantTakeover);
      const instance = createVrrpInstance(
        settings,
        kernelVrrpInstanceDeps(settings, instanceConfig.transport === 'udp' ? { kind: 'udp', port: instanceConfig.udpPort } : { kind: 'ip' }, shared, {
          clock: deps.clock,
          logger: instanceLog,
          ...(takeoverGate === undefined ? {} : { takeoverGate }),
        }),
      );
      instance.onEvent((event) => {
        instanceLog.info('vrrp event', { ...event });
        eventFile?.append({ ...event, wallTime: new Date(event.wallTimeMs).toISOString() });
        const state = notifyStateOf(event);
        if (state !== undefined && event.kind === 'transition') {
          for (const argv of notifyCommands(state, instanceConfig.notify, instanceConfig.name, event.priority)) notifyQueue.submit(argv);
        }
      });
      instances.push(instance);
      if (vmac !== undefined) virtualMacs.set(instance, vmac);
      group?.attach(instance);
      await vmac?.up(signal);
      await instance.start(signal);
      if (trackers !== undefined) followTrackers(instance, trackers);
      group?.applyTrackers(); // the group's FAULT reaches a member that starts after it
      log.info('vrrp instance started', { instance: settings.name, vrid: settings.vrid, priority: settings.priority, source: primary.text });
    }
  }

  return {
    name: 'vrrp',
    async start(signal) {
      if (resources !== undefined) return;
      const shared = createKernelVrrpResources({ logger: log });
      resources = shared;
      groups = createGroups();
      if (config.scripts.some((sc) => sc.user !== undefined)) log.warn('vrrp scripts run as the lvsd user: per-script users are not applied yet');
      try {
        await initTrackFiles();
        trackers = buildVrrpTrackers(config, { clock: deps.clock, logger: log, runner: deps.runner, links: shared.addressManager });
        for (const tr of trackers.all) tr.start();
        await startInstances(signal, shared);
      } catch (e) {
        await stopAll();
        throw e;
      }
    },
    stop: stopAll,
    snapshot: () => ({
      instances: instances.map((i) => i.snapshot()),
      syncGroups: groups.map((g) => g.snapshot()),
      virtualMacs: [...virtualMacs].map(([instance, vmac]) => ({ instance: instance.name, ...vmac.snapshot() })),
      trackers: trackers?.all.map((tr) => tr.snapshot()) ?? [],
    }),
  };

  async function stopAll(): Promise<void> {
    const running = [...instances].reverse();
    instances = [];
    const stopOne = async (instance: VrrpInstance): Promise<void> => {
      try {
        await instance.stop({ isPlannedHandover: true });
      } catch (e) {
        log.error('vrrp instance failed to stop', { instance: instance.name, err: describeError(e) });
      }
      await virtualMacs.get(instance)?.down(); // its VIPs are released: the macvlan goes last
      virtualMacs.delete(instance);
    };
    // Reverse order; the members of a sync group together, where its first member comes up.
    const stopped = new Set<VrrpInstance>();
    for (const instance of running) {
      if (stopped.has(instance)) continue;
      const group = groupOf(instance.name);
      const batch = group === undefined ? [instance] : running.filter((i) => groupOf(i.name) === group);
      for (const i of batch) stopped.add(i);
      await Promise.all(batch.map(stopOne));
    }
    for (const group of groups) group.close();
    // The STOP notifications and the last events are out before the daemon exits.
    await notifyQueue.drain();
    await eventFile?.drain();
    for (const u of unsubscribes.splice(0)) u();
    for (const tr of trackers?.all ?? []) tr.stop();
    trackers = undefined;
    resources?.close();
    resources = undefined;
  }
}

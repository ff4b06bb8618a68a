/**
 * The daemon's VRRP: one ha/ instance per configured vrrp instance, on the kernel's adapters. Starts
 * them in config order; stops them in reverse, a master with a planned handover (priority 0, VIPs kept
 * until the new master is heard: SIGTERM loses no traffic), then closes the shared sockets.
 */
import type { Clock } from '../core/clock.js';
import type { CommandRunner } from '../core/command-runner.js';
import { describeError, LvsdError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Component } from '../daemon/lifecycle.js';
import type { VrrpConfig } from '../../config/schema-vrrp.js';
import { createKernelVrrpResources, kernelVrrpInstanceDeps, type KernelVrrpResources } from '../../ha/kernel-vrrp-deps.js';
import { createVrrpInstance, type VrrpInstance } from '../../ha/vrrp-instance.js';
import { choosePrimaryAddress, describeUnappliedSettings, toVrrpSettings } from './vrrp-settings.js';

export interface VrrpComponentDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly runner: CommandRunner;
}

export function createVrrpComponent(config: VrrpConfig, deps: VrrpComponentDeps): Component {
  const log = deps.logger.child({ component: 'vrrp' });
  let resources: KernelVrrpResources | undefined;
  let instances: VrrpInstance[] = [];

  async function startInstances(signal: AbortSignal, shared: KernelVrrpResources): Promise<void> {
    for (const instanceConfig of config.instances) {
      const addresses = await shared.addressManager.list(instanceConfig.interface, signal);
      const primary = choosePrimaryAddress(instanceConfig, addresses);
      if (primary === undefined) {
        throw new LvsdError('ERR_COMPONENT_START', `vrrp instance ${instanceConfig.name}: ${instanceConfig.interface} has no IPv${instanceConfig.vips[0]?.address.address.family ?? 4} address to send adverts from (set unicast.source)`);
      }
      const ownAddresses = addresses.map((a) => a.address.address);
      const settings = toVrrpSettings(instanceConfig, config, primary, ownAddresses);
      const unapplied = describeUnappliedSettings(instanceConfig);
      if (unapplied.length > 0) log.warn('vrrp settings not applied by this version', { instance: instanceConfig.name, settings: unapplied });
      const instanceLog = log.child({ instance: settings.name, vrid: settings.vrid, iface: settings.interfaceName });
      const instance = createVrrpInstance(
        settings,
        kernelVrrpInstanceDeps(settings, instanceConfig.transport === 'udp' ? { kind: 'udp', port: instanceConfig.udpPort } : { kind: 'ip' }, shared, {
          clock: deps.clock,
          logger: instanceLog,
        }),
      );
      instance.onEvent((event) => instanceLog.info('vrrp event', { ...event }));
      instances.push(instance);
      await instance.start(signal);
      log.info('vrrp instance started', { instance: settings.name, vrid: settings.vrid, priority: settings.priority, source: primary.text });
    }
  }

  return {
    name: 'vrrp',
    async start(signal) {
      if (resources !== undefined) return;
      const shared = createKernelVrrpResources({ runner: deps.runner, logger: log });
      resources = shared;
      try {
        await startInstances(signal, shared);
      } catch (e) {
        await stopAll();
        throw e;
      }
    },
    stop: stopAll,
    snapshot: () => ({ instances: instances.map((i) => i.snapshot()) }),
  };

  async function stopAll(): Promise<void> {
    const running = [...instances].reverse();
    instances = [];
    for (const instance of running) {
      try {
        await instance.stop({ isPlannedHandover: true });
      } catch (e) {
        log.error('vrrp instance failed to stop', { instance: instance.name, err: describeError(e) });
      }
    }
    resources?.close();
    resources = undefined;
  }
}

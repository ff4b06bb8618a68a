/**
 * The real adapters for VRRP instances on a Linux kernel, assembled (a convenience for src/'s composition
 * root and the lab entry; it wires only ha/'s own adapters). Resources shared by every instance of a
 * daemon (one rtnetlink socket for addresses and links, the GARP/NA senders) come from
 * `createKernelVrrpResources`; each instance gets its own transport opener from `kernelTransportOpener`.
 */
import type { Clock } from '../src/core/clock.js';
import type { Logger } from '../src/core/logger.js';
import { createFamilyGarpSender, type GarpSender } from './garp-sender.js';
import type { LinkLookup } from './link-lookup.js';
import { createPacketGarpSender } from './packet-garp-sender.js';
import { createRawIcmpv6NaSender } from './raw-icmpv6-na-sender.js';
import { createRawIpTransport } from './raw-ip-transport.js';
import { createRtnetlinkAddressManager, type RtnetlinkAddressManager } from './rtnetlink-address-manager.js';
import { openUdpTransport } from './udp-transport.js';
import { throwIfAborted } from './vrrp-error.js';
import type { VrrpInstanceDeps } from './vrrp-instance.js';
import type { VrrpInstanceSettings } from './vrrp-instance-settings.js';
import type { VrrpTransport } from './vrrp-transport.js';

export interface KernelVrrpResources {
  readonly addressManager: RtnetlinkAddressManager;
  readonly garpSender: GarpSender;
  /** Close after every instance has stopped (STYLE 18: reverse start order). */
  close(): void;
}

export interface KernelVrrpResourcesOptions {
  readonly logger: Logger;
}

export function createKernelVrrpResources(options: KernelVrrpResourcesOptions): KernelVrrpResources {
  const addressManager = createRtnetlinkAddressManager();
  const garpSender = createFamilyGarpSender({
    ipv4: createPacketGarpSender({ logger: options.logger }),
    ipv6: createRawIcmpv6NaSender({ links: addressManager, logger: options.logger }),
  });
  return {
    addressManager,
    garpSender,
    close() {
      garpSender.close();
      addressManager.close();
    },
  };
}

/** IP protocol 112 (interoperates with keepalived), or the same packets over UDP between lvsd directors. */
export type KernelTransportChoice = { readonly kind: 'ip' } | { readonly kind: 'udp'; readonly port: number };

export function kernelTransportOpener(
  settings: VrrpInstanceSettings,
  choice: KernelTransportChoice,
  deps: { readonly clock: Clock; readonly logger: Logger; readonly links: LinkLookup },
): (signal: AbortSignal) => Promise<VrrpTransport> {
  return async (signal) => {
    if (choice.kind === 'udp') {
      return openUdpTransport({ interfaceName: settings.interfaceName, sourceAddress: settings.primaryAddress, port: choice.port }, deps, signal);
    }
    const link = await deps.links.lookup(settings.interfaceName, signal);
    throwIfAborted(signal, 'open raw ip transport');
    return createRawIpTransport(
      {
        interfaceName: settings.interfaceName,
        interfaceIndex: link.index,
        sourceAddress: settings.primaryAddress,
        mode: settings.unicastPeers.length > 0 ? 'unicast' : 'multicast',
      },
      deps,
    );
  };
}

/** Everything `createVrrpInstance` needs, on the kernel. */
export function kernelVrrpInstanceDeps(
  settings: VrrpInstanceSettings,
  choice: KernelTransportChoice,
  resources: KernelVrrpResources,
  deps: Pick<VrrpInstanceDeps, 'clock' | 'logger' | 'takeoverGate' | 'wallClock'>,
): VrrpInstanceDeps {
  return {
    ...deps,
    openTransport: kernelTransportOpener(settings, choice, { clock: deps.clock, logger: deps.logger, links: resources.addressManager }),
    addressManager: resources.addressManager,
    garpSender: resources.garpSender,
  };
}

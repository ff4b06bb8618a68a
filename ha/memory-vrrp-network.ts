/**
 * A working in-memory link for VRRP transports (tests and simulations, STYLE 5: a fake that works, not a
 * stub). Endpoints attach with an address; multicast to the VRRP group reaches every other endpoint in
 * multicast mode (multicast loop is off, like the real transports), unicast reaches the endpoint that
 * owns the destination address. Delivery takes `latencyMs` on the injected clock. Links can be cut per
 * endpoint, and anything can be injected, to test the receive path with odd TTLs or forged sources.
 */
import type { Clock } from '../src/core/clock.js';
import { ipEquals, isMulticast, type IpAddress } from '../src/core/ip.js';
import { VRRP_TTL } from './vrrp-packet.js';
import { DatagramListeners, VrrpTransportCounters, type VrrpDatagram, type VrrpTransport } from './vrrp-transport.js';

export interface MemoryEndpointOptions {
  readonly interfaceName: string;
  readonly sourceAddress: IpAddress;
  readonly mode: 'multicast' | 'unicast';
}

export interface MemoryFrame {
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
  readonly bytes: Uint8Array;
}

interface Endpoint {
  readonly options: MemoryEndpointOptions;
  readonly listeners: DatagramListeners;
  readonly counters: VrrpTransportCounters;
  isOpen: boolean;
}

export class MemoryVrrpNetwork {
  /** Every frame put on the link, delivered or not. */
  readonly frames: MemoryFrame[] = [];
  private readonly endpoints: Endpoint[] = [];
  private readonly downAddresses = new Set<string>();

  constructor(
    private readonly clock: Clock,
    private readonly latencyMs = 1,
  ) {}

  /** A transport on this link; `close()` detaches it. */
  attach(options: MemoryEndpointOptions): VrrpTransport {
    const endpoint: Endpoint = {
      options,
      listeners: new DatagramListeners((err) => {
        throw err;
      }),
      counters: new VrrpTransportCounters(),
      isOpen: true,
    };
    this.endpoints.push(endpoint);
    return {
      sourceAddress: options.sourceAddress,
      send: (packet, destination) => {
        if (!endpoint.isOpen) {
          endpoint.counters.sendErrors += 1;
          return;
        }
        endpoint.counters.sent += 1;
        this.transmit(options.sourceAddress, destination, Uint8Array.from(packet), VRRP_TTL);
      },
      onDatagram: (listener) => endpoint.listeners.add(listener),
      snapshot: () =>
        endpoint.counters.snapshot({ mechanism: 'memory', interface: options.interfaceName, sourceAddress: options.sourceAddress, isOpen: endpoint.isOpen }),
      close: () => {
        endpoint.isOpen = false;
        endpoint.listeners.clear();
      },
    };
  }

  /** Cuts (or restores) the link of the endpoint with `address`: it neither sends nor hears. */
  setLinkUp(address: IpAddress, isUp: boolean): void {
    if (isUp) this.downAddresses.delete(address.text);
    else this.downAddresses.add(address.text);
  }

  /** Puts a frame on the link as if `source` had sent it with `ttl` (forged sources, bad TTLs, garbage). */
  inject(source: IpAddress, destination: IpAddress, bytes: Uint8Array, ttl = VRRP_TTL): void {
    this.transmit(source, destination, bytes, ttl);
  }

  /** Open endpoints, for assertions. */
  openCount(): number {
    return this.endpoints.filter((e) => e.isOpen).length;
  }

  private transmit(source: IpAddress, destination: IpAddress, bytes: Uint8Array, ttl: number): void {
    this.frames.push({ atMs: this.clock.now(), from: source.text, to: destination.text, bytes });
    if (this.downAddresses.has(source.text)) return;
    const receivers = this.endpoints.filter((e) => {
      if (!e.isOpen || ipEquals(e.options.sourceAddress, source)) return false;
      if (isMulticast(destination)) return e.options.mode === 'multicast' && e.options.sourceAddress.family === destination.family;
      return ipEquals(e.options.sourceAddress, destination);
    });
    for (const receiver of receivers) {
      this.clock.setTimeout(() => {
        if (!receiver.isOpen || this.downAddresses.has(receiver.options.sourceAddress.text)) return;
        receiver.counters.received += 1;
        const datagram: VrrpDatagram = {
          bytes: Uint8Array.from(bytes),
          source,
          destination,
          ttlOrHopLimit: ttl,
          interface: receiver.options.interfaceName,
        };
        receiver.listeners.deliver(datagram);
      }, this.latencyMs);
    }
  }
}

/**
 * The seam between a VRRP instance and the wire (seesaw's two-method transport is the model): send one
 * advertisement, hear datagrams. Owned by the consumer, the instance driver. Implementations are
 * named after their mechanism: raw-ip-transport.ts (IP protocol 112, interoperates with keepalived),
 * udp-transport.ts (the same bytes over UDP between lvsd directors), memory-vrrp-network.ts (tests).
 *
 * A transport carries VRRP messages (no IP header) and reports what it could see of the IP header.
 * What it could not see stays undefined: the driver decides what to assume and counts it.
 */
import type { IpAddress } from '../src/core/ip.js';
import { parseIpAddress } from '../src/core/ip.js';

export interface VrrpDatagram {
  /** The VRRP message: the IP payload, without the IP header. */
  readonly bytes: Uint8Array;
  readonly source: IpAddress;
  /** The IP destination; undefined when the transport cannot see it (UDP). */
  readonly destination?: IpAddress;
  /** IPv4 TTL or IPv6 Hop Limit; undefined when the transport cannot see it (UDP). */
  readonly ttlOrHopLimit?: number;
  /** The kernel verified the VRRP checksum (IPV6_CHECKSUM on an IPv6 raw socket). */
  readonly isChecksumVerified?: boolean;
  /** The interface the datagram arrived on. */
  readonly interface: string;
}

export type VrrpDatagramListener = (datagram: VrrpDatagram) => void;

/** Why a transport discarded something before it became a datagram. Each is counted. */
export const VRRP_TRANSPORT_DROP_REASONS = [
  'truncated-ip-header',
  'not-vrrp-protocol',
  'bad-ip-length',
  'ip-fragment',
  'bad-source-address',
  'bad-destination-address',
] as const;
export type VrrpTransportDropReason = (typeof VRRP_TRANSPORT_DROP_REASONS)[number];

export interface VrrpTransportSnapshot {
  readonly mechanism: string;
  readonly interface: string;
  readonly sourceAddress: string;
  readonly isOpen: boolean;
  readonly sent: number;
  readonly sendErrors: number;
  readonly received: number;
  readonly drops: Readonly<Record<VrrpTransportDropReason, number>>;
  /** How often the socket was opened again after an error. */
  readonly reopens: number;
  readonly lastError: string | null;
}

export interface VrrpTransport {
  /** The IP source of every advertisement sent: the VRRPv3 checksum covers it, peers see it. */
  readonly sourceAddress: IpAddress;
  /**
   * Queues one VRRP message for `destination` (the group or a unicast peer). Never throws for I/O:
   * failures are counted in `snapshot()` and logged; a broken socket is reopened, a packet the kernel
   * refused (link down, firewall) leaves the socket as it is.
   */
  send(packet: Uint8Array, destination: IpAddress): void;
  /** Subscribes; returns the unsubscribe function. */
  onDatagram(listener: VrrpDatagramListener): () => void;
  snapshot(): VrrpTransportSnapshot;
  /** Idempotent. Nothing is sent or delivered afterwards. */
  close(): void;
}

function mustParse(text: string): IpAddress {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** RFC 5798 section 5.1.1.2: the IPv4 multicast address of VRRP. */
export const VRRP_GROUP_IPV4: IpAddress = mustParse('224.0.0.18');
/** RFC 5798 section 5.1.2.2: the IPv6 multicast address of VRRP (link-local scope). */
export const VRRP_GROUP_IPV6: IpAddress = mustParse('ff02::12');

export function vrrpGroupFor(family: 4 | 6): IpAddress {
  return family === 4 ? VRRP_GROUP_IPV4 : VRRP_GROUP_IPV6;
}

/** Counters every transport keeps; `snapshot()` copies them out. */
export class VrrpTransportCounters {
  sent = 0;
  sendErrors = 0;
  received = 0;
  reopens = 0;
  lastError: string | null = null;
  readonly drops: Record<VrrpTransportDropReason, number> = zeroDrops();

  drop(reason: VrrpTransportDropReason): void {
    this.drops[reason] += 1;
  }

  snapshot(fixed: { mechanism: string; interface: string; sourceAddress: IpAddress; isOpen: boolean }): VrrpTransportSnapshot {
    return {
      mechanism: fixed.mechanism,
      interface: fixed.interface,
      sourceAddress: fixed.sourceAddress.text,
      isOpen: fixed.isOpen,
      sent: this.sent,
      sendErrors: this.sendErrors,
      received: this.received,
      drops: { ...this.drops },
      reopens: this.reopens,
      lastError: this.lastError,
    };
  }
}

function zeroDrops(): Record<VrrpTransportDropReason, number> {
  const out = {} as Record<VrrpTransportDropReason, number>;
  for (const reason of VRRP_TRANSPORT_DROP_REASONS) out[reason] = 0;
  return out;
}

/** A listener set that isolates listeners from each other: one that throws does not stop the rest. */
export class DatagramListeners {
  private readonly listeners = new Set<VrrpDatagramListener>();

  constructor(private readonly onListenerError: (err: unknown) => void) {}

  add(listener: VrrpDatagramListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  deliver(datagram: VrrpDatagram): void {
    for (const listener of this.listeners) {
      try {
        listener(datagram);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

/**
 * Announcing one virtual address on its link, owned by the instance driver: a gratuitous ARP for IPv4,
 * an unsolicited Neighbor Advertisement for IPv6 (RFC 5798 section 6.4.1 / 6.4.2). Fire and forget:
 * `announce` starts the announcement and returns; outcomes are counted and failures logged by the
 * sender. Implementations: packet-garp-sender.ts (IPv4, an Ethernet frame on an AF_PACKET socket),
 * raw-icmpv6-na-sender.ts (IPv6), combined per family by `createFamilyGarpSender`.
 */
import { describeError } from '../src/core/errors.js';
import type { IpAddress } from '../src/core/ip.js';
import type { Logger } from '../src/core/logger.js';

export const GARP_FAILURE_REASONS = ['send-failed', 'no-such-interface', 'unsupported-family', 'closed'] as const;
export type GarpFailureReason = (typeof GARP_FAILURE_REASONS)[number];

export interface GarpSenderSnapshot {
  /** Announcements started. */
  readonly started: number;
  /** Announcements known to be on the wire (the kernel accepted the frame or datagram). */
  readonly succeeded: number;
  readonly inFlight: number;
  readonly failures: Readonly<Record<GarpFailureReason, number>>;
}

export interface GarpSender {
  announce(address: IpAddress, interfaceName: string): void;
  /**
   * Called once per VIP when an instance starts, long before its first takeover: whatever the first
   * announcement would otherwise set up (a link lookup, a socket) is done now. Never throws.
   */
  prepare(address: IpAddress, interfaceName: string): void;
  snapshot(): GarpSenderSnapshot;
  /** Idempotent; nothing is sent afterwards. */
  close(): void;
}

/** Counters shared by the implementations. */
export class GarpCounters {
  started = 0;
  succeeded = 0;
  inFlight = 0;
  readonly failures: Record<GarpFailureReason, number> = zeroFailures();

  fail(reason: GarpFailureReason): void {
    this.failures[reason] += 1;
  }

  /** Counts an announcement started; false, counted as `closed`, when the sender is closed already. */
  start(isClosed: boolean): boolean {
    this.started += 1;
    if (isClosed) this.fail('closed');
    return !isClosed;
  }

  /** Counts a failure and logs it as `message`, with the VIP, the interface and why. */
  failLogged(logger: Logger, message: string, reason: 'send-failed' | 'no-such-interface', address: IpAddress, interfaceName: string, err: unknown): void {
    this.fail(reason);
    logger.warn(message, { vip: address.text, iface: interfaceName, reason, err: describeError(err) });
  }

  snapshot(): GarpSenderSnapshot {
    return { started: this.started, succeeded: this.succeeded, inFlight: this.inFlight, failures: { ...this.failures } };
  }
}

function zeroFailures(): Record<GarpFailureReason, number> {
  const out = {} as Record<GarpFailureReason, number>;
  for (const reason of GARP_FAILURE_REASONS) out[reason] = 0;
  return out;
}

/** IPv4 addresses to `ipv4`, IPv6 to `ipv6`; a family without a sender is counted as unsupported-family. */
export function createFamilyGarpSender(senders: { readonly ipv4?: GarpSender; readonly ipv6?: GarpSender }): GarpSender {
  const unsupported = new GarpCounters();
  return {
    announce(address, interfaceName) {
      const sender = address.family === 4 ? senders.ipv4 : senders.ipv6;
      if (sender !== undefined) {
        sender.announce(address, interfaceName);
        return;
      }
      unsupported.started += 1;
      unsupported.fail('unsupported-family');
    },
    prepare(address, interfaceName) {
      (address.family === 4 ? senders.ipv4 : senders.ipv6)?.prepare(address, interfaceName);
    },
    snapshot() {
      const parts = [senders.ipv4?.snapshot(), senders.ipv6?.snapshot(), unsupported.snapshot()].filter((s) => s !== undefined);
      return {
        started: parts.reduce((n, p) => n + p.started, 0),
        succeeded: parts.reduce((n, p) => n + p.succeeded, 0),
        inFlight: parts.reduce((n, p) => n + p.inFlight, 0),
        failures: sumFailures(parts.map((p) => p.failures)),
      };
    },
    close() {
      senders.ipv4?.close();
      senders.ipv6?.close();
    },
  };
}

function sumFailures(all: readonly Readonly<Record<GarpFailureReason, number>>[]): Record<GarpFailureReason, number> {
  const out = zeroFailures();
  for (const failures of all) for (const reason of GARP_FAILURE_REASONS) out[reason] += failures[reason];
  return out;
}

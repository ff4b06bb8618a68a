/**
 * Adding and removing the virtual addresses of a VRRP instance on an interface, owned by its consumer
 * (the instance driver). Idempotent: adding a present address or removing an absent one is an outcome,
 * not an error. Implementations: rtnetlink-address-manager.ts (the kernel) and
 * memory-address-manager.ts (tests). Errors are VrrpError with ERR_VRRP_ADDRESS (the kernel refused,
 * `errno` says why), ERR_VRRP_NO_SUCH_INTERFACE, ERR_VRRP_NETLINK, ERR_VRRP_ABORTED or ERR_VRRP_CLOSED.
 */
import type { IpPrefix } from '../src/core/ip.js';

export interface VipAssignment {
  /** Address and prefix length, e.g. 192.0.2.100/32 (keepalived's default length is the host length). */
  readonly address: IpPrefix;
  readonly interfaceName: string;
  /** IPv4 only (`ip addr ... label`), at most 15 characters; ignored for IPv6. */
  readonly label?: string;
}

export interface InterfaceAddress {
  readonly address: IpPrefix;
  readonly label?: string;
}

export type AddOutcome = 'added' | 'already-present';
export type RemoveOutcome = 'removed' | 'absent';

export interface AddressManager {
  /** IPv6 addresses are added without duplicate address detection (IFA_F_NODAD): a VIP moves, it is not new. */
  add(vip: VipAssignment, signal?: AbortSignal): Promise<AddOutcome>;
  remove(vip: VipAssignment, signal?: AbortSignal): Promise<RemoveOutcome>;
  /** Every address on the interface, VIPs and the rest. */
  list(interfaceName: string, signal?: AbortSignal): Promise<InterfaceAddress[]>;
  /** Idempotent; calls afterwards reject with ERR_VRRP_CLOSED. */
  close(): void;
}

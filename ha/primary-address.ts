/**
 * Which address of an interface is an instance's primary address (RFC 5798 section 6.1 "Primary IP
 * Address"; keepalived: the interface's first address unless unicast_src_ip / mcast_src_ip says
 * otherwise): for IPv4 the first IPv4 address that is not one of the instance's VIPs, for IPv6 the
 * link-local address (section 5.1.2.1: adverts are sent from it). Feed it `AddressManager.list()`. Pure.
 */
import { ipEquals, isLinkLocal, type IpAddress } from '../src/core/ip.js';
import type { InterfaceAddress } from './address-manager.js';

export function choosePrimaryAddress(
  addresses: readonly InterfaceAddress[],
  family: 4 | 6,
  vips: readonly IpAddress[],
): IpAddress | undefined {
  const candidates = addresses.map((a) => a.address.address).filter((a) => a.family === family && !vips.some((v) => ipEquals(v, a)));
  return family === 6 ? candidates.find(isLinkLocal) : candidates.find((a) => !isLinkLocal(a)) ?? candidates[0];
}

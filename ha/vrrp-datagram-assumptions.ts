/**
 * From what a transport saw to what the receive filter checks. A transport that cannot see the TTL / Hop
 * Limit or the destination (UDP) leaves them undefined; here they are assumed to be what a well-behaved
 * sender uses (255; the group in multicast mode, our own address in unicast mode), and every assumption
 * is counted, so `status` shows how much of RFC 5798 section 7.1 was really checked. Pure.
 */
import { VRRP_TTL } from './vrrp-packet.js';
import type { ReceivedDatagram } from './vrrp-receive-filter.js';
import type { VrrpInstanceSettings } from './vrrp-instance-settings.js';
import { vrrpGroupFor, type VrrpDatagram } from './vrrp-transport.js';

export interface AssumedHeaderCounts {
  /** Datagrams whose TTL / Hop Limit was not visible and was taken as 255. */
  ttl: number;
  /** Datagrams whose destination was not visible and was taken as the expected one. */
  destination: number;
}

/** `counts` is updated in place (the driver's counters). */
export function toReceivedDatagram(
  datagram: VrrpDatagram,
  settings: Pick<VrrpInstanceSettings, 'unicastPeers' | 'primaryAddress'>,
  counts: AssumedHeaderCounts,
): ReceivedDatagram {
  if (datagram.ttlOrHopLimit === undefined) counts.ttl += 1;
  if (datagram.destination === undefined) counts.destination += 1;
  const expectedDestination = settings.unicastPeers.length > 0 ? settings.primaryAddress : vrrpGroupFor(settings.primaryAddress.family);
  return {
    bytes: datagram.bytes,
    sourceAddress: datagram.source,
    destinationAddress: datagram.destination ?? expectedDestination,
    ttl: datagram.ttlOrHopLimit ?? VRRP_TTL,
    ...(datagram.isChecksumVerified === true ? { isChecksumVerified: true } : {}),
  };
}

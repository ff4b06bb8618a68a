/**
 * The receive checks of RFC 5798 section 7.1 (and RFC 3768 section 7.1 for VRRPv2), each failure a typed,
 * counted drop reason (metallb's layer2 is the model). Pure: the transport hands in the payload and the
 * IP header fields it saw; the filter decodes, checks, and returns the advertisement or the reason.
 *
 * Where RFC and keepalived differ, the choice is written next to the check.
 */
import { ipEquals, isMulticast, type IpAddress } from '../src/core/ip.js';
import {
  adverIntervalCsOf,
  decodeAdvertisement,
  VRRP_DECODE_DROP_REASONS,
  VRRP_TTL,
  VRRP_V2_AUTH_DATA_LENGTH,
  type VrrpAdvertisement,
  type VrrpV2AuthType,
  type VrrpVersion,
} from './vrrp-packet.js';
import { OWNER_PRIORITY } from './vrrp-timers.js';

/** Checks that need the instance's configuration, after the codec's own. */
export const VRRP_FILTER_DROP_REASONS = [
  'own-packet',
  'bad-ttl',
  'unexpected-destination',
  'unknown-source',
  'version-mismatch',
  'vrid-mismatch',
  'local-is-owner',
  'auth-type-mismatch',
  'auth-failure',
  'address-list-mismatch',
  'advert-interval-mismatch',
] as const;
export type VrrpFilterDropReason = (typeof VRRP_FILTER_DROP_REASONS)[number];

export const VRRP_DROP_REASONS = [...VRRP_DECODE_DROP_REASONS, ...VRRP_FILTER_DROP_REASONS] as const;
export type VrrpDropReason = (typeof VRRP_DROP_REASONS)[number];

/** Anomalies the RFC wants logged (and counted) without discarding the advertisement. */
export const VRRP_RECEIVE_WARNINGS = ['address-list-mismatch', 'advert-interval-mismatch'] as const;
export type VrrpReceiveWarning = (typeof VRRP_RECEIVE_WARNINGS)[number];

/** A VRRP payload and what the transport saw of its IP header. */
export interface ReceivedDatagram {
  readonly bytes: Uint8Array;
  readonly sourceAddress: IpAddress;
  readonly destinationAddress: IpAddress;
  /** IPv4 TTL or IPv6 Hop Limit as received. */
  readonly ttl: number;
  /** The kernel verified the checksum already (IPv6 raw socket with IPV6_CHECKSUM). */
  readonly isChecksumVerified?: boolean;
}

export type VrrpAuthentication =
  | { readonly type: 'none' }
  | { readonly type: 'simple-text-password'; readonly authData: Uint8Array };

export interface ReceiveFilterParams {
  readonly version: VrrpVersion;
  readonly vrid: number;
  /** Configured priority; 255 makes this router the address owner. */
  readonly priority: number;
  /** Our Advertisement_Interval; VRRPv2 adverts must carry the same (RFC 3768 section 7.1). */
  readonly adverIntervalCs: number;
  /** The virtual addresses carried in adverts (keepalived's `virtual_ipaddress`, not the excluded ones). */
  readonly ipAddresses: readonly IpAddress[];
  /** Addresses of this director on the interface: an advert from one of them is our own, looped back. */
  readonly ownAddresses: readonly IpAddress[];
  /** VRRPv2 only (RFC 2338 section 5.3.6); VRRPv3 has no authentication field. */
  readonly authentication: VrrpAuthentication;
  /** Empty: multicast (224.0.0.18 / ff02::12). Otherwise the only accepted sources, sent unicast. */
  readonly unicastPeers: readonly IpAddress[];
}

export interface AcceptedAdvertisement {
  readonly advertisement: VrrpAdvertisement;
  readonly sourceAddress: IpAddress;
  /** The sender's advertisement interval in centiseconds, whatever the version. */
  readonly adverIntervalCs: number;
  readonly warnings: readonly VrrpReceiveWarning[];
}

export type ReceiveFilterResult =
  | { readonly ok: true; readonly value: AcceptedAdvertisement }
  | { readonly ok: false; readonly reason: VrrpDropReason };

/** Runs every check in RFC 5798 section 7.1 order (as keepalived does, cheap checks first). */
export function filterAdvertisement(datagram: ReceivedDatagram, params: ReceiveFilterParams): ReceiveFilterResult {
  const ipCheck = checkIpHeader(datagram, params);
  if (ipCheck !== undefined) return drop(ipCheck);
  const decoded = decodeAdvertisement(datagram.bytes, {
    sourceAddress: datagram.sourceAddress,
    destinationAddress: datagram.destinationAddress,
    ...(datagram.isChecksumVerified === true ? { isChecksumVerified: true } : {}),
  });
  if (!decoded.ok) return drop(decoded.reason);
  const advert = decoded.value;
  // "MUST verify that the VRRP version ... is 3" (2 for RFC 3768): we speak the configured one only.
  if (advert.version !== params.version) return drop('version-mismatch');
  // "MUST verify that the VRID is configured on the receiving interface".
  if (advert.vrid !== params.vrid) return drop('vrid-mismatch');
  // "... and the local router is not the IPvX address owner". keepalived checks this only in strict
  // mode; we follow the RFC: an owner is master whatever it hears.
  if (params.priority === OWNER_PRIORITY) return drop('local-is-owner');
  if (advert.version === 2) {
    const authCheck = checkV2Authentication(advert.authType, advert.authData, params.authentication);
    if (authCheck !== undefined) return drop(authCheck);
  }
  const warnings: VrrpReceiveWarning[] = [];
  // "MAY verify that Count IPvX Addrs and the list of IPvX Address(es) match ... If the packet was not
  // generated by the address owner (Priority does not equal 255), the receiver MUST drop the packet".
  // keepalived drops every mismatch; an owner's advert is kept here, as the RFC says, with a warning.
  if (!isSameAddressSet(advert.ipAddresses, params.ipAddresses)) {
    if (advert.priority !== OWNER_PRIORITY) return drop('address-list-mismatch');
    warnings.push('address-list-mismatch');
  }
  const adverIntervalCs = adverIntervalCsOf(advert);
  if (adverIntervalCs !== params.adverIntervalCs) {
    // RFC 3768 section 7.1: "MUST verify that the Adver Interval ... is the same as the locally
    // configured" (keepalived: "to prevent concurrent VRID running"). RFC 5798 dropped that check: a
    // v3 backup learns the master's interval (section 6.4.2), and keepalived logs the change.
    if (advert.version === 2) return drop('advert-interval-mismatch');
    warnings.push('advert-interval-mismatch');
  }
  return { ok: true, value: { advertisement: advert, sourceAddress: datagram.sourceAddress, adverIntervalCs, warnings } };
}

function checkIpHeader(datagram: ReceivedDatagram, params: ReceiveFilterParams): VrrpFilterDropReason | undefined {
  // With IP_MULTICAST_LOOP off this is rare, but unicast to ourselves or a second socket can loop.
  if (params.ownAddresses.some((a) => ipEquals(a, datagram.sourceAddress))) return 'own-packet';
  // RFC 5798 section 7.1 "MUST verify that the IPv4 TTL / IPv6 Hop Limit is 255". keepalived skips it
  // for unicast peers (optional min/max TTL); we keep it for both until a TTL window is configurable.
  if (datagram.ttl !== VRRP_TTL) return 'bad-ttl';
  const isUnicastMode = params.unicastPeers.length > 0;
  // keepalived: "Expected multicast packet but received unicast packet" and the reverse.
  if (isMulticast(datagram.destinationAddress) === isUnicastMode) return 'unexpected-destination';
  // keepalived `check_unicast_src`: beyond the RFC, which has no unicast mode.
  if (isUnicastMode && !params.unicastPeers.some((p) => ipEquals(p, datagram.sourceAddress))) return 'unknown-source';
  return undefined;
}

/** RFC 2338 section 7.1 / RFC 3768 section 7.1: the Auth Type must match, then the password. */
function checkV2Authentication(
  received: VrrpV2AuthType,
  receivedData: Uint8Array,
  local: VrrpAuthentication,
): VrrpFilterDropReason | undefined {
  if (received !== local.type) return 'auth-type-mismatch';
  if (local.type === 'simple-text-password' && !isConstantTimeEqual(receivedData, local.authData)) return 'auth-failure';
  return undefined;
}

function isConstantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < VRRP_V2_AUTH_DATA_LENGTH; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Same count, and every configured address present (order does not matter, as in keepalived). */
function isSameAddressSet(received: readonly IpAddress[], configured: readonly IpAddress[]): boolean {
  if (received.length !== configured.length) return false;
  return configured.every((c) => received.some((r) => ipEquals(r, c)));
}

function drop(reason: VrrpDropReason): ReceiveFilterResult {
  return { ok: false, reason };
}

export interface VrrpReceiveCountersSnapshot {
  readonly accepted: number;
  readonly drops: Readonly<Record<VrrpDropReason, number>>;
  readonly warnings: Readonly<Record<VrrpReceiveWarning, number>>;
}

/** One counter per drop reason and per warning, plus accepted adverts; `snapshot()` for status and metrics. */
export class VrrpReceiveCounters {
  private accepted = 0;
  private readonly drops = zeroCounts(VRRP_DROP_REASONS);
  private readonly warnings = zeroCounts(VRRP_RECEIVE_WARNINGS);

  record(result: ReceiveFilterResult): void {
    if (!result.ok) {
      this.drops[result.reason] += 1;
      return;
    }
    this.accepted += 1;
    for (const warning of result.value.warnings) this.warnings[warning] += 1;
  }

  snapshot(): VrrpReceiveCountersSnapshot {
    return { accepted: this.accepted, drops: { ...this.drops }, warnings: { ...this.warnings } };
  }
}

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of keys) out[key] = 0;
  return out;
}

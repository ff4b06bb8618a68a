/**
 * The receive checks of RFC 5798 section 7.1 (and RFC 3768 section 7.1 for VRRPv2), each failure a typed,
 * counted drop reason (metallb's layer2 is the model). Pure: the transport hands in the payload and the
 * IP header fields it saw; the filter decodes, checks, and returns the advertisement or the reason.
 *
 * Where RFC and keepalived differ, the choice is written next to the check. lvsd's HMAC trailer
 * (vrrp-hmac.ts, beyond the RFC) is checked after the VRID, so adverts of other routers on the link
 * are still counted as theirs (`vrid-mismatch`), not as forgeries; the keyed MAC is injected in the
 * params and the anti-replay state is read through `highestSequenceOf`, so the filter stays pure.
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
import { HMAC_TRAILER_LENGTH, isTrailerAuthentic, readTrailer, type AdvertMac } from './vrrp-hmac.js';

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
  // lvsd's HMAC (vrrp-hmac.ts): no trailer, a MAC that does not verify (forged, wrong key, altered in
  // transit, or sent to / from another address), a sequence at or below the sender's last accepted one.
  'hmac-missing',
  'hmac-mismatch',
  'replayed',
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
  | { readonly type: 'simple-text-password'; readonly authData: Uint8Array }
  /** lvsd-to-lvsd only (vrrp-hmac.ts); the key lives inside `mac`. */
  | { readonly type: 'hmac-sha256'; readonly mac: AdvertMac };

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
  /** none / simple-text-password: VRRPv2 (RFC 2338 section 5.3.6); hmac-sha256: lvsd's trailer, VRRPv3. */
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
  /** The HMAC sequence (the driver records it as the sender's new mark); null without HMAC. */
  readonly sequence: bigint | null;
}

/** The anti-replay state the filter reads: the highest sequence accepted from `source`, if any. */
export type HighestSequenceOf = (source: IpAddress) => bigint | undefined;

export type ReceiveFilterResult =
  | { readonly ok: true; readonly value: AcceptedAdvertisement }
  | { readonly ok: false; readonly reason: VrrpDropReason };

/** Runs every check in RFC 5798 section 7.1 order (as keepalived does, cheap checks first). */
export function filterAdvertisement(datagram: ReceivedDatagram, params: ReceiveFilterParams, highestSequenceOf: HighestSequenceOf = () => undefined): ReceiveFilterResult {
  const ipCheck = checkIpHeader(datagram, params);
  if (ipCheck !== undefined) return drop(ipCheck);
  const decoded = decodePayload(datagram, params.authentication.type === 'hmac-sha256');
  if (!decoded.ok) return drop(decoded.reason);
  const { advert, hasTrailer } = decoded;
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
  let sequence: bigint | null = null;
  if (params.authentication.type === 'hmac-sha256') {
    if (!hasTrailer) return drop('hmac-missing');
    const hmac = checkHmac(datagram, params.authentication.mac, highestSequenceOf);
    if (!hmac.ok) return drop(hmac.reason);
    sequence = hmac.sequence;
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
  return { ok: true, value: { advertisement: advert, sourceAddress: datagram.sourceAddress, adverIntervalCs, warnings, sequence } };
}

type DecodedPayload = { readonly ok: true; readonly advert: VrrpAdvertisement; readonly hasTrailer: boolean } | { readonly ok: false; readonly reason: VrrpDropReason };

/** With HMAC, the advert is followed by the trailer; one without it is decoded too, to be counted by its VRID. */
function decodePayload(datagram: ReceivedDatagram, isTrailerExpected: boolean): DecodedPayload {
  const ctx = {
    sourceAddress: datagram.sourceAddress,
    destinationAddress: datagram.destinationAddress,
    ...(datagram.isChecksumVerified === true ? { isChecksumVerified: true } : {}),
  };
  if (isTrailerExpected) {
    const sealed = decodeAdvertisement(datagram.bytes, { ...ctx, trailerLength: HMAC_TRAILER_LENGTH });
    if (sealed.ok) return { ok: true, advert: sealed.value, hasTrailer: true };
    if (sealed.reason !== 'bad-length') return sealed;
  }
  const plain = decodeAdvertisement(datagram.bytes, ctx);
  return plain.ok ? { ok: true, advert: plain.value, hasTrailer: false } : plain;
}

/** MAC first (a forgery never reaches the replay state), then the sender's sequence mark. */
function checkHmac(
  datagram: ReceivedDatagram,
  mac: AdvertMac,
  highestSequenceOf: HighestSequenceOf,
): { readonly ok: true; readonly sequence: bigint } | { readonly ok: false; readonly reason: VrrpFilterDropReason } {
  const ctx = { sourceAddress: datagram.sourceAddress, destinationAddress: datagram.destinationAddress };
  const trailer = readTrailer(datagram.bytes);
  if (trailer === undefined || !isTrailerAuthentic(datagram.bytes, ctx, mac)) return { ok: false, reason: 'hmac-mismatch' };
  const highest = highestSequenceOf(datagram.sourceAddress);
  if (highest !== undefined && trailer.sequence <= highest) return { ok: false, reason: 'replayed' };
  return { ok: true, sequence: trailer.sequence };
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
  // With HMAC configured, a VRRPv2 advert (none or PASS) is not one of ours.
  if (local.type === 'hmac-sha256' || received !== local.type) return 'auth-type-mismatch';
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

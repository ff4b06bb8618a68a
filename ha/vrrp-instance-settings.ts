/**
 * What one VRRP instance is told by the config (params, STYLE 19), validated here before anything starts
 * (a failed validation touches nothing), and the pure derivations the driver needs: the state machine's
 * params, the receive filter's params, the advertisement to send, where to send it, and the addresses to
 * manage. The config schema (config/schema-vrrp.ts) maps onto these fields; defaults are the config's
 * business, `VRRP_SETTINGS_DEFAULTS` only mirrors keepalived's for tests and the lab. Pure.
 */
import { ipEquals, isLinkLocal, type IpAddress, type IpPrefix } from '../src/core/ip.js';
import type { VipAssignment } from './address-manager.js';
import { describeInvalidGarpSettings, KEEPALIVED_GARP_SETTINGS, type GarpSettings } from './garp-schedule.js';
import type { ReceiveFilterParams, VrrpAuthentication } from './vrrp-receive-filter.js';
import { HMAC_MIN_KEY_LENGTH, type AdvertMac } from './vrrp-hmac.js';
import { describeInvalidAdvertisement, VRRP_MAX_ADDRESS_COUNT, VRRP_V2_AUTH_DATA_LENGTH, type VrrpAdvertisement, type VrrpVersion } from './vrrp-packet.js';
import type { VrrpInstanceParams } from './vrrp-state-types.js';
import { csToV2AdverIntervalS, OWNER_PRIORITY } from './vrrp-timers.js';
import { vrrpGroupFor } from './vrrp-transport.js';

export interface VipSpec {
  readonly address: IpPrefix;
  /** Default: the instance's interface. */
  readonly interfaceName?: string;
  /** IPv4 only, at most 15 characters (keepalived `label`). */
  readonly label?: string;
}

/** The receive filter's authentication, with the HMAC key as bytes (the driver turns it into an AdvertMac). */
export type VrrpAuthenticationSettings =
  | Exclude<VrrpAuthentication, { readonly type: 'hmac-sha256' }>
  /** lvsd-to-lvsd only (vrrp-hmac.ts): VRRPv3, every peer an lvsd with the same key. */
  | { readonly type: 'hmac-sha256'; readonly key: Uint8Array };

export interface VrrpInstanceSettings {
  /** keepalived's instance name (VI_1): logs, events, notify arguments. */
  readonly name: string;
  readonly interfaceName: string;
  readonly vrid: number;
  readonly version: VrrpVersion;
  /** 1-255; 255 is the address owner. */
  readonly priority: number;
  /** Advertisement_Interval in centiseconds; whole seconds (multiples of 100) for v2. */
  readonly adverIntervalCs: number;
  /**
   * The source of our adverts and our address in the tie-break of RFC 5798 section 6.4.3: the
   * interface's primary IPv4 address (or keepalived's unicast_src_ip); for IPv6 its link-local address
   * (RFC 5798 section 5.1.2.1), which is what the kernel puts on the wire.
   */
  readonly primaryAddress: IpAddress;
  readonly preemptMode: 'preempt' | 'nopreempt';
  readonly preemptDelayMs: number;
  /** keepalived default true (lower_prio_no_advert turns it off). */
  readonly isLowerPriorityAnswered: boolean;
  /** keepalived higher_prio_send_advert; lvsd default true (split-brain repair, issue 4). */
  readonly isYieldAnnounced: boolean;
  /** keepalived down_timer_adverts; RFC value 3. */
  readonly downTimerAdverts: number;
  /** Carried in adverts, all of the primary address's family, at least one. */
  readonly vips: readonly VipSpec[];
  /** Managed with the VIPs but not carried in adverts (keepalived virtual_ipaddress_excluded). */
  readonly excludedVips: readonly VipSpec[];
  /** Empty: multicast to 224.0.0.18 / ff02::12. Otherwise adverts go to, and are accepted only from, these. */
  readonly unicastPeers: readonly IpAddress[];
  /** simple-text-password: VRRPv2 only; hmac-sha256: VRRPv3 only (lvsd peers); { type: 'none' } otherwise. */
  readonly authentication: VrrpAuthenticationSettings;
  readonly garp: GarpSettings;
  /** Other addresses of this director on the link: an advert from one of them is our own. */
  readonly ownAddresses: readonly IpAddress[];
  /**
   * Beyond the RFC: at the end of a planned handover, how long the stopping master keeps the VIPs after
   * hearing the new master. The new master sends its advert before its VIPs are in place and its GARP is
   * out (milliseconds later); releasing at once leaves clients, still sending to the old MAC, a short gap.
   * 0-one advert interval; lvsd default 100 ms.
   */
  readonly handoverReleaseDelayMs: number;
}

/** keepalived's defaults for the fields a config may leave out (tests and the lab start from these). */
export const VRRP_SETTINGS_DEFAULTS = {
  version: 3,
  priority: 100,
  adverIntervalCs: 100,
  preemptMode: 'preempt',
  preemptDelayMs: 0,
  isLowerPriorityAnswered: true,
  isYieldAnnounced: true,
  downTimerAdverts: 3,
  excludedVips: [],
  unicastPeers: [],
  authentication: { type: 'none' },
  garp: KEEPALIVED_GARP_SETTINGS,
  ownAddresses: [],
  handoverReleaseDelayMs: 100,
} as const satisfies Partial<VrrpInstanceSettings>;

/** Every reason the settings cannot run, empty when they can. */
export function describeInvalidSettings(s: VrrpInstanceSettings): string[] {
  const problems: string[] = [];
  const family = s.primaryAddress.family;
  if (s.name.length === 0) problems.push('name is empty');
  if (!/^[^\s/]{1,15}$/.test(s.interfaceName)) problems.push(`interface "${s.interfaceName}" is not an interface name`);
  if (s.version === 2 && family !== 4) problems.push('VRRPv2 is IPv4 only (RFC 3768); use version 3 for IPv6');
  if (s.version === 2 && csToV2AdverIntervalS(s.adverIntervalCs) === undefined) {
    problems.push(`advert interval ${s.adverIntervalCs} cs is not a whole number of seconds 1-255, as VRRPv2 needs`);
  }
  if (s.priority === OWNER_PRIORITY && s.preemptMode === 'nopreempt') problems.push('the address owner (priority 255) always preempts: nopreempt is refused');
  if (!Number.isInteger(s.downTimerAdverts) || s.downTimerAdverts < 1 || s.downTimerAdverts > 100) problems.push(`downTimerAdverts ${s.downTimerAdverts} is not 1-100`);
  if (!Number.isFinite(s.preemptDelayMs) || s.preemptDelayMs < 0 || s.preemptDelayMs > 1_000_000) problems.push(`preemptDelayMs ${s.preemptDelayMs} is not 0-1000 s`);
  if (!Number.isFinite(s.handoverReleaseDelayMs) || s.handoverReleaseDelayMs < 0 || s.handoverReleaseDelayMs > s.adverIntervalCs * 10) {
    problems.push(`handoverReleaseDelayMs ${s.handoverReleaseDelayMs} is not 0-${s.adverIntervalCs * 10} (one advert interval)`);
  }
  if (s.vips.length === 0) problems.push('no VIPs: an instance floats at least one address (RFC 5798 section 5.2.5)');
  if (s.vips.length > VRRP_MAX_ADDRESS_COUNT) problems.push(`${s.vips.length} VIPs exceed the ${VRRP_MAX_ADDRESS_COUNT} an advert can carry`);
  if (s.vips.some((v) => v.address.address.family !== family)) problems.push(`VIPs carried in adverts must all be IPv${family} like the primary address; put others in excludedVips`);
  for (const vip of [...s.vips, ...s.excludedVips]) {
    if (vip.interfaceName !== undefined && !/^[^\s/]{1,15}$/.test(vip.interfaceName)) problems.push(`interface "${vip.interfaceName}" of ${vip.address.text} is not an interface name`);
    if (vip.label !== undefined && (vip.address.address.family !== 4 || vip.label.length > 15)) problems.push(`label "${vip.label}" of ${vip.address.text}: IPv4 only, at most 15 characters`);
  }
  if (s.unicastPeers.some((p) => p.family !== family)) problems.push(`unicast peers must be IPv${family} like the primary address`);
  if (s.unicastPeers.some((p) => ipEquals(p, s.primaryAddress))) problems.push('a unicast peer is our own primary address');
  if (family === 6 && s.unicastPeers.length === 0 && !isLinkLocal(s.primaryAddress)) {
    problems.push('IPv6 multicast adverts come from the link-local address (RFC 5798 section 5.1.2.1): primaryAddress must be it');
  }
  if (s.version === 3 && s.authentication.type === 'simple-text-password') problems.push('VRRPv3 has no authentication (RFC 5798 section 9)');
  if (s.version === 2 && s.authentication.type === 'hmac-sha256') problems.push('hmac-sha256 is for VRRPv3 between lvsd directors; VRRPv2 is only for keepalived, which cannot verify it');
  if (s.authentication.type === 'hmac-sha256' && s.authentication.key.length < HMAC_MIN_KEY_LENGTH) problems.push(`the HMAC key has ${s.authentication.key.length} bytes; at least ${HMAC_MIN_KEY_LENGTH} are needed`);
  if (s.authentication.type === 'simple-text-password' && s.authentication.authData.length !== VRRP_V2_AUTH_DATA_LENGTH) problems.push('auth data must be 8 bytes');
  const garpProblem = describeInvalidGarpSettings(s.garp);
  if (garpProblem !== undefined) problems.push(garpProblem);
  if (problems.length > 0) return problems; // the advert check below would only repeat them
  const advertProblem = describeInvalidAdvertisement(buildAdvertisement(s, s.priority), family);
  if (advertProblem !== undefined) problems.push(advertProblem);
  return problems;
}

/** The state machine's params (vrrp-state-types.ts). */
export function toStateParams(s: VrrpInstanceSettings): VrrpInstanceParams {
  return {
    version: s.version,
    priority: s.priority,
    adverIntervalCs: s.adverIntervalCs,
    primaryAddress: s.primaryAddress,
    preemptMode: s.preemptMode,
    preemptDelayMs: s.preemptDelayMs,
    isLowerPriorityAnswered: s.isLowerPriorityAnswered,
    isYieldAnnounced: s.isYieldAnnounced,
    downTimerAdverts: s.downTimerAdverts,
  };
}

/**
 * The receive filter's params (vrrp-receive-filter.ts). With hmac-sha256, `mac` is the keyed MAC made
 * from the settings' key (by the driver, on node:crypto); leaving it out then is a bug and throws.
 */
export function toFilterParams(s: VrrpInstanceSettings, mac?: AdvertMac): ReceiveFilterParams {
  const auth = s.authentication;
  let authentication: VrrpAuthentication = { type: 'none' };
  if (auth.type !== 'hmac-sha256') authentication = auth;
  else if (mac !== undefined) authentication = { type: 'hmac-sha256', mac };
  else throw new Error('toFilterParams: hmac-sha256 needs the keyed MAC');
  return {
    version: s.version,
    vrid: s.vrid,
    priority: s.priority,
    adverIntervalCs: s.adverIntervalCs,
    ipAddresses: s.vips.map((v) => v.address.address),
    ownAddresses: [s.primaryAddress, ...s.ownAddresses],
    authentication,
    unicastPeers: s.unicastPeers,
  };
}

/** The advertisement this instance sends at `priority` (RFC 5798 section 5.2, RFC 3768 section 5.3). */
export function buildAdvertisement(s: VrrpInstanceSettings, priority: number): VrrpAdvertisement {
  const ipAddresses = s.vips.map((v) => v.address.address);
  if (s.version === 3) return { version: 3, vrid: s.vrid, priority, ipAddresses, maxAdverIntervalCs: s.adverIntervalCs };
  const auth = s.authentication;
  return {
    version: 2,
    vrid: s.vrid,
    priority,
    ipAddresses,
    authType: auth.type === 'simple-text-password' ? 'simple-text-password' : 'none',
    adverIntervalS: csToV2AdverIntervalS(s.adverIntervalCs) ?? 0,
    authData: auth.type === 'simple-text-password' ? auth.authData : new Uint8Array(VRRP_V2_AUTH_DATA_LENGTH),
  };
}

/** The group, or each unicast peer (one copy each, with its own checksum). */
export function advertDestinations(s: VrrpInstanceSettings): readonly IpAddress[] {
  return s.unicastPeers.length > 0 ? s.unicastPeers : [vrrpGroupFor(s.primaryAddress.family)];
}

/** Every address the instance adds as master: VIPs, then excluded VIPs, each on its interface. */
export function vipAssignments(s: VrrpInstanceSettings): VipAssignment[] {
  return [...s.vips, ...s.excludedVips].map((v) => ({
    address: v.address,
    interfaceName: v.interfaceName ?? s.interfaceName,
    ...(v.label === undefined ? {} : { label: v.label }),
  }));
}

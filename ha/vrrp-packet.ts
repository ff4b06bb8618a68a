/**
 * VRRP advertisement codec: build, parse, dump (FRR vrrpd/vrrp_packet.c is the model).
 *
 * VRRPv3 for IPv4 and IPv6 (RFC 5798 section 5) and VRRPv2 for IPv4 (RFC 3768 section 5, with the
 * authentication types of RFC 2338 that keepalived still speaks). Knows nothing of instances, sockets
 * or timers: the IP header fields that matter (source and destination, for the VRRPv3 pseudo-header
 * checksum) come in as a context. Pure; `decodeAdvertisement` never throws on bytes from the wire.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  |Version| Type  | Virtual Rtr ID|   Priority    | Count IPvX Addr|
 *  v3: |(rsvd) |     Max Adver Int     |          Checksum             |
 *  v2: | Auth Type     |   Adver Int   |          Checksum             |
 *  |                 IPvX Address(es): Count x 4 or 16 bytes           |
 *  v2: |          Authentication Data (8 bytes)                        |
 */
import { ipFromBytes, type IpAddress, type IpFamily } from '../src/core/ip.js';

/** IANA protocol number of VRRP (RFC 5798 section 5.1.1.4 / 5.1.2.4). */
export const VRRP_IP_PROTOCOL = 112;
/** RFC 5798 section 5.2.2: the only packet type. */
export const VRRP_TYPE_ADVERTISEMENT = 1;
/** RFC 5798 section 5.1.1.3 / 5.1.2.3: TTL and Hop Limit of every advertisement. */
export const VRRP_TTL = 255;
/** Fixed part of the VRRP header in bytes. */
export const VRRP_HEADER_LENGTH = 8;
/** RFC 3768 section 5.3.10: two 32-bit words of authentication data after the addresses. */
export const VRRP_V2_AUTH_DATA_LENGTH = 8;
/** RFC 5798 section 5.2.7: Max Adver Int is a 12-bit count of centiseconds. */
export const VRRP_V3_MAX_ADVER_INTERVAL_CS = 0x0fff;
/** RFC 3768 section 5.3.7: Adver Int is an 8-bit count of seconds. */
export const VRRP_V2_MAX_ADVER_INTERVAL_S = 0xff;
/** RFC 5798 section 5.2.5: an 8-bit address count. */
export const VRRP_MAX_ADDRESS_COUNT = 0xff;

export type VrrpVersion = 2 | 3;

/**
 * RFC 3768 section 5.3.6 keeps only 0; RFC 2338 section 5.3.6 defined 1 (simple text password) and
 * 2 (IP Authentication Header), which keepalived still sends (`auth_type PASS|AH`).
 */
export type VrrpV2AuthType = 'none' | 'simple-text-password' | 'ip-authentication-header';
const AUTH_TYPE_CODES: Readonly<Record<VrrpV2AuthType, number>> = {
  none: 0,
  'simple-text-password': 1,
  'ip-authentication-header': 2,
};

interface AdvertisementFields {
  /** RFC 5798 section 5.2.3, 1-255. */
  readonly vrid: number;
  /** RFC 5798 section 5.2.4: 255 address owner, 1-254 backups, 0 the master is leaving. */
  readonly priority: number;
  /** RFC 5798 section 5.2.9: all of one family, that of the IP header. */
  readonly ipAddresses: readonly IpAddress[];
}

export interface VrrpV3Advertisement extends AdvertisementFields {
  readonly version: 3;
  /** RFC 5798 section 5.2.7, centiseconds. */
  readonly maxAdverIntervalCs: number;
}

export interface VrrpV2Advertisement extends AdvertisementFields {
  readonly version: 2;
  readonly authType: VrrpV2AuthType;
  /** RFC 3768 section 5.3.7, seconds. */
  readonly adverIntervalS: number;
  /** The 8 bytes after the addresses: the NUL-padded password for type 1, zeros otherwise. */
  readonly authData: Uint8Array;
}

export type VrrpAdvertisement = VrrpV2Advertisement | VrrpV3Advertisement;

/** The IP header fields the codec needs: the VRRPv3 checksum covers a pseudo-header built from them. */
export interface VrrpPacketContext {
  readonly sourceAddress: IpAddress;
  readonly destinationAddress: IpAddress;
}

export interface VrrpDecodeContext extends VrrpPacketContext {
  /**
   * Bytes expected after the advertisement (lvsd's HMAC trailer, vrrp-hmac.ts); default 0. The
   * checksum covers them, as it covers the whole IP payload; the codec does not look inside.
   */
  readonly trailerLength?: number;
  /**
   * True when the kernel has already verified the checksum (IPV6_CHECKSUM on an IPv6 raw socket, where
   * the destination address is not visible to user space). Absent or false: the codec verifies it.
   */
  readonly isChecksumVerified?: boolean;
}

/** Why a datagram is not a well-formed advertisement. Each is counted by the receive filter. */
export const VRRP_DECODE_DROP_REASONS = [
  'bad-length',
  'bad-version',
  'bad-type',
  'bad-checksum',
  'bad-vrid',
  'bad-auth-type',
  'bad-advert-interval',
] as const;
export type VrrpDecodeDropReason = (typeof VRRP_DECODE_DROP_REASONS)[number];

export type VrrpDecodeResult =
  | { readonly ok: true; readonly value: VrrpAdvertisement }
  | { readonly ok: false; readonly reason: VrrpDecodeDropReason };

/** Length in bytes of an advertisement carrying `count` addresses. */
export function advertisementLength(version: VrrpVersion, family: IpFamily, count: number): number {
  const addressLength = family === 4 ? 4 : 16;
  return VRRP_HEADER_LENGTH + count * addressLength + (version === 2 ? VRRP_V2_AUTH_DATA_LENGTH : 0);
}

/**
 * Builds an advertisement with its checksum (RFC 5798 section 5.2.8: over the pseudo-header for v3;
 * RFC 3768 section 5.3.8: over the VRRP message alone for v2). Values out of range are a bug in the
 * caller (config validation owns the ranges), so they throw RangeError. `trailerLength` zero bytes
 * are left after the advertisement for a trailer (vrrp-hmac.ts fills them and calls writeChecksum).
 */
export function encodeAdvertisement(advert: VrrpAdvertisement, ctx: VrrpPacketContext, trailerLength = 0): Uint8Array {
  const family = ctx.sourceAddress.family;
  const problem = describeInvalidAdvertisement(advert, family);
  if (problem !== undefined) throw new RangeError(`cannot encode VRRP advertisement: ${problem}`);
  if (!Number.isInteger(trailerLength) || trailerLength < 0) throw new RangeError(`cannot encode VRRP advertisement: trailer length ${trailerLength}`);
  const bytes = new Uint8Array(advertisementLength(advert.version, family, advert.ipAddresses.length) + trailerLength);
  bytes[0] = (advert.version << 4) | VRRP_TYPE_ADVERTISEMENT;
  bytes[1] = advert.vrid;
  bytes[2] = advert.priority;
  bytes[3] = advert.ipAddresses.length;
  if (advert.version === 3) {
    bytes[4] = (advert.maxAdverIntervalCs >> 8) & 0x0f; // rsvd: zero on transmission (5.2.6)
    bytes[5] = advert.maxAdverIntervalCs & 0xff;
  } else {
    bytes[4] = AUTH_TYPE_CODES[advert.authType];
    bytes[5] = advert.adverIntervalS;
  }
  let offset = VRRP_HEADER_LENGTH;
  for (const address of advert.ipAddresses) {
    bytes.set(address.bytes, offset);
    offset += address.bytes.length;
  }
  if (advert.version === 2) bytes.set(advert.authData, offset);
  writeChecksum(bytes, ctx);
  return bytes;
}

/**
 * (Re)computes the checksum field of an encoded advertisement in place, over all of `bytes` (the whole
 * IP payload, trailer included, as the kernel's IPV6_CHECKSUM does and as tshark verifies it).
 */
export function writeChecksum(bytes: Uint8Array, ctx: VrrpPacketContext): void {
  const version: VrrpVersion = (bytes[0] ?? 0) >> 4 === 2 ? 2 : 3;
  bytes[6] = 0;
  bytes[7] = 0;
  const checksum = internetChecksum(checksumParts(version, bytes, ctx));
  bytes[6] = checksum >> 8;
  bytes[7] = checksum & 0xff;
}

/** The reason `advert` cannot be encoded for an IP header of `family`, or undefined when it can. */
export function describeInvalidAdvertisement(advert: VrrpAdvertisement, family: IpFamily): string | undefined {
  if (!isIntegerIn(advert.vrid, 1, 255)) return `VRID ${advert.vrid} is not 1-255`;
  if (!isIntegerIn(advert.priority, 0, 255)) return `priority ${advert.priority} is not 0-255`;
  if (advert.ipAddresses.length > VRRP_MAX_ADDRESS_COUNT) return `${advert.ipAddresses.length} addresses exceed ${VRRP_MAX_ADDRESS_COUNT}`;
  if (advert.ipAddresses.some((a) => a.family !== family)) return `an address is not IPv${family} like the IP header`;
  if (advert.version === 3) {
    if (!isIntegerIn(advert.maxAdverIntervalCs, 1, VRRP_V3_MAX_ADVER_INTERVAL_CS)) {
      return `max_adver_int ${advert.maxAdverIntervalCs} cs is not 1-${VRRP_V3_MAX_ADVER_INTERVAL_CS}`;
    }
    return undefined;
  }
  if (family !== 4) return 'VRRPv2 is IPv4 only (RFC 3768)';
  if (!isIntegerIn(advert.adverIntervalS, 1, VRRP_V2_MAX_ADVER_INTERVAL_S)) return `adver_int ${advert.adverIntervalS} s is not 1-255`;
  if (advert.authData.length !== VRRP_V2_AUTH_DATA_LENGTH) return `auth data has ${advert.authData.length} bytes, not 8`;
  return undefined;
}

/**
 * Parses one advertisement (the IP payload, without the IP header). Checks what the packet alone can
 * tell (RFC 5798 section 7.1: version, type, complete packet, checksum); whether it is meant for a
 * configured virtual router is the receive filter's business.
 */
export function decodeAdvertisement(bytes: Uint8Array, ctx: VrrpDecodeContext): VrrpDecodeResult {
  if (bytes.length < VRRP_HEADER_LENGTH) return drop('bad-length');
  const version = (bytes[0] ?? 0) >> 4;
  if (version !== 2 && version !== 3) return drop('bad-version');
  const family = ctx.sourceAddress.family;
  if (version === 2 && family !== 4) return drop('bad-version');
  if (((bytes[0] ?? 0) & 0x0f) !== VRRP_TYPE_ADVERTISEMENT) return drop('bad-type');
  const count = bytes[3] ?? 0;
  // RFC 5798 section 7.1 "the complete VRRP packet"; like keepalived, trailing bytes are refused too
  // (unless the context expects a trailer of exactly that length).
  const trailerLength = ctx.trailerLength ?? 0;
  const advertLength = advertisementLength(version, family, count);
  if (bytes.length !== advertLength + trailerLength) return drop('bad-length');
  if (ctx.isChecksumVerified !== true && internetChecksum(checksumParts(version, bytes, ctx)) !== 0) return drop('bad-checksum');
  const vrid = bytes[1] ?? 0;
  if (vrid === 0) return drop('bad-vrid');
  const priority = bytes[2] ?? 0;
  const ipAddresses = readAddresses(bytes, family, count);
  if (version === 3) {
    const maxAdverIntervalCs = (((bytes[4] ?? 0) & 0x0f) << 8) | (bytes[5] ?? 0);
    if (maxAdverIntervalCs === 0) return drop('bad-advert-interval');
    return { ok: true, value: { version, vrid, priority, ipAddresses, maxAdverIntervalCs } };
  }
  const authType = authTypeFromCode(bytes[4] ?? 0);
  if (authType === undefined) return drop('bad-auth-type');
  const adverIntervalS = bytes[5] ?? 0;
  if (adverIntervalS === 0) return drop('bad-advert-interval');
  const authData = bytes.slice(advertLength - VRRP_V2_AUTH_DATA_LENGTH, advertLength);
  return { ok: true, value: { version, vrid, priority, ipAddresses, authType, adverIntervalS, authData } };
}

/** The advertisement interval an advert carries, in centiseconds whatever the version. */
export function adverIntervalCsOf(advert: VrrpAdvertisement): number {
  return advert.version === 3 ? advert.maxAdverIntervalCs : advert.adverIntervalS * 100;
}

/**
 * keepalived's `auth_pass`: at most 8 bytes, NUL-padded. Returns undefined for a longer password
 * (keepalived truncates silently; we let config validation reject it).
 */
export function simpleTextAuthData(password: string): Uint8Array | undefined {
  const text = new TextEncoder().encode(password);
  if (text.length > VRRP_V2_AUTH_DATA_LENGTH) return undefined;
  const data = new Uint8Array(VRRP_V2_AUTH_DATA_LENGTH);
  data.set(text);
  return data;
}

/** One line for debug logs, in RFC field names. */
export function dumpAdvertisement(advert: VrrpAdvertisement): string {
  const addrs = advert.ipAddresses.map((a) => a.text).join(',');
  const common = `vrid=${advert.vrid} priority=${advert.priority} count=${advert.ipAddresses.length}`;
  if (advert.version === 3) {
    return `VRRPv3 ADVERTISEMENT ${common} max_adver_int=${advert.maxAdverIntervalCs}cs addrs=[${addrs}]`;
  }
  return `VRRPv2 ADVERTISEMENT ${common} auth_type=${advert.authType} adver_int=${advert.adverIntervalS}s addrs=[${addrs}]`;
}

/** Hex bytes separated by spaces, for debug logs of dropped packets. */
export function dumpBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * RFC 1071 Internet checksum over the concatenation of `parts` (odd-length parts are handled as the
 * byte stream they form). A packet whose checksum field is filled in sums to 0.
 */
export function internetChecksum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  let isHighByte = true;
  for (const part of parts) {
    for (const byte of part) {
      sum += isHighByte ? byte << 8 : byte;
      isHighByte = !isHighByte;
    }
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * RFC 5798 section 5.2.8: the pseudo-header of RFC 2460 section 8.1 for IPv6 (source, destination,
 * 32-bit upper-layer length, 3 zero bytes, next header 112) and the same idea for IPv4 (source,
 * destination, zero, protocol 112, 16-bit length).
 */
export function vrrpPseudoHeader(ctx: VrrpPacketContext, vrrpLength: number): Uint8Array {
  const { sourceAddress: src, destinationAddress: dst } = ctx;
  if (src.family === 4) {
    const header = new Uint8Array(12);
    header.set(src.bytes.subarray(0, 4), 0);
    header.set(dst.bytes.subarray(0, 4), 4);
    header[9] = VRRP_IP_PROTOCOL;
    header[10] = (vrrpLength >> 8) & 0xff;
    header[11] = vrrpLength & 0xff;
    return header;
  }
  const header = new Uint8Array(40);
  header.set(src.bytes.subarray(0, 16), 0);
  header.set(dst.bytes.subarray(0, 16), 16);
  header[34] = (vrrpLength >> 8) & 0xff;
  header[35] = vrrpLength & 0xff;
  header[39] = VRRP_IP_PROTOCOL;
  return header;
}

function checksumParts(version: VrrpVersion, bytes: Uint8Array, ctx: VrrpPacketContext): Uint8Array[] {
  return version === 3 ? [vrrpPseudoHeader(ctx, bytes.length), bytes] : [bytes];
}

function readAddresses(bytes: Uint8Array, family: IpFamily, count: number): IpAddress[] {
  const addressLength = family === 4 ? 4 : 16;
  const out: IpAddress[] = [];
  for (let i = 0; i < count; i++) {
    const start = VRRP_HEADER_LENGTH + i * addressLength;
    out.push(ipFromBytes(bytes.subarray(start, start + addressLength)));
  }
  return out;
}

function authTypeFromCode(code: number): VrrpV2AuthType | undefined {
  for (const [name, value] of Object.entries(AUTH_TYPE_CODES) as [VrrpV2AuthType, number][]) {
    if (value === code) return name;
  }
  return undefined;
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

function drop(reason: VrrpDecodeDropReason): VrrpDecodeResult {
  return { ok: false, reason };
}

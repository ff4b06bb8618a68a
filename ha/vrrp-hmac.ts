/**
 * HMAC-SHA256 authentication with anti-replay for adverts between lvsd directors (issue 4; beyond the
 * RFC, which dropped authentication in RFC 3768 / 5798 section 9). Pure: the keyed MAC is injected
 * (`AdvertMac`; the node:crypto adapter is hmac-sha256-mac.ts), and the codec (vrrp-packet.ts) only
 * leaves room for the trailer and checksums the whole payload.
 *
 * Wire format: the advertisement exactly as RFC 5798 / 3768 define it, then a 40-byte trailer
 *
 *   |              Sequence (64 bits, big-endian, per sender, strictly increasing)           |
 *   |                         HMAC-SHA256 (256 bits)                                         |
 *
 * The IP payload length covers the trailer, and so does the VRRP checksum (computed over the whole
 * payload, as the kernel computes it for IPv6 raw sockets with IPV6_CHECKSUM). keepalived and routers
 * drop these packets (their length check), so this is for lvsd-to-lvsd clusters only; config rules
 * refuse it together with VRRPv2 (which exists here only to speak to keepalived).
 *
 * MAC input, in order: the ASCII label `lvsd-vrrp-hmac-sha256-v1` (domain separation), the
 * pseudo-header of RFC 5798 section 5.2.8 over the whole payload (source, destination, protocol 112,
 * length: a copy sent to another peer, or replayed from another address, does not verify), the
 * advertisement with its checksum field as zero (an IPv6 kernel fills it in after we sign), and the
 * sequence.
 *
 * Sequence: (the sender's wall-clock milliseconds when its instance started) x 2^20, plus one per
 * advert sent. A restarted director starts above everything it sent before as long as it sent fewer
 * than 2^20 (1 048 576) adverts per millisecond it ran (an instance sends at most about 100 a second)
 * and its wall clock did not go back between the two starts; if it did go back, its peers drop its
 * adverts as `replayed` until its clock passes the old start (the snapshot shows the counter growing).
 * Receivers keep, per sender, the highest sequence they accepted and drop anything at or below it.
 * A receiver that restarts has no history: until the real sender's next advert (one advert interval)
 * an attacker on the link could replay adverts it captured; after that they are all below the mark.
 */
import type { IpAddress } from '../src/core/ip.js';
import { encodeAdvertisement, vrrpPseudoHeader, writeChecksum, type VrrpAdvertisement, type VrrpPacketContext } from './vrrp-packet.js';

export const HMAC_SEQUENCE_LENGTH = 8;
export const HMAC_SHA256_LENGTH = 32;
/** Bytes after the advertisement: sequence, then MAC. */
export const HMAC_TRAILER_LENGTH = HMAC_SEQUENCE_LENGTH + HMAC_SHA256_LENGTH;
/** RFC 2104 section 3: a key shorter than the hash output weakens the MAC; 16 bytes is the floor we accept. */
export const HMAC_MIN_KEY_LENGTH = 16;
/** How many sequence numbers one millisecond of uptime is worth (see above). */
export const HMAC_SEQUENCE_PER_MS = 1n << 20n;

const DOMAIN_LABEL = new TextEncoder().encode('lvsd-vrrp-hmac-sha256-v1');
const MAX_SEQUENCE = (1n << 64n) - 1n;

/** A keyed MAC (the key stays inside): HMAC-SHA256 in production, any deterministic function in tests. */
export interface AdvertMac {
  /** The MAC of the concatenation of `parts` (32 bytes). */
  sign(parts: readonly Uint8Array[]): Uint8Array;
  /** Whether `mac` is the MAC of `parts`, compared in constant time. */
  verify(parts: readonly Uint8Array[], mac: Uint8Array): boolean;
}

/** The first sequence of an instance that starts at `startWallMs` (Unix milliseconds). */
export function initialSequence(startWallMs: number): bigint {
  const ms = BigInt(Math.max(0, Math.floor(startWallMs)));
  return ms * HMAC_SEQUENCE_PER_MS;
}

/**
 * Encodes `advert`, appends the trailer for `sequence` and fills in the checksum over everything.
 * Throws RangeError for a sequence outside 64 bits (a bug) and for what encodeAdvertisement refuses.
 */
export function sealAdvertisement(advert: VrrpAdvertisement, ctx: VrrpPacketContext, sequence: bigint, mac: AdvertMac): Uint8Array {
  if (sequence < 0n || sequence > MAX_SEQUENCE) throw new RangeError(`HMAC sequence ${sequence} is not a 64-bit unsigned number`);
  const bytes = encodeAdvertisement(advert, ctx, HMAC_TRAILER_LENGTH);
  const macAt = bytes.length - HMAC_SHA256_LENGTH;
  new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(macAt - HMAC_SEQUENCE_LENGTH, sequence);
  const tag = mac.sign(macInput(bytes, ctx));
  if (tag.length !== HMAC_SHA256_LENGTH) throw new RangeError(`the MAC gave ${tag.length} bytes, not ${HMAC_SHA256_LENGTH}`);
  bytes.set(tag, macAt);
  writeChecksum(bytes, ctx);
  return bytes;
}

export interface HmacTrailer {
  readonly sequence: bigint;
  readonly mac: Uint8Array;
}

/** The trailer at the end of `bytes`, or undefined when `bytes` is too short to hold one. */
export function readTrailer(bytes: Uint8Array): HmacTrailer | undefined {
  if (bytes.length < HMAC_TRAILER_LENGTH) return undefined;
  const macAt = bytes.length - HMAC_SHA256_LENGTH;
  const sequence = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getBigUint64(macAt - HMAC_SEQUENCE_LENGTH);
  return { sequence, mac: bytes.subarray(macAt) };
}

/** Whether the MAC at the end of `bytes` (a whole payload with its trailer) is right for `ctx`. */
export function isTrailerAuthentic(bytes: Uint8Array, ctx: VrrpPacketContext, mac: AdvertMac): boolean {
  const trailer = readTrailer(bytes);
  if (trailer === undefined) return false;
  return mac.verify(macInput(bytes, ctx), trailer.mac);
}

/** What the MAC covers (see the file comment): everything but the checksum field and the MAC itself. */
export function macInput(bytes: Uint8Array, ctx: VrrpPacketContext): Uint8Array[] {
  const end = bytes.length - HMAC_SHA256_LENGTH;
  return [DOMAIN_LABEL, vrrpPseudoHeader(ctx, bytes.length), bytes.subarray(0, 6), new Uint8Array(2), bytes.subarray(8, end)];
}

/** A key as written in config or a key file: hexadecimal, at least HMAC_MIN_KEY_LENGTH bytes; spaces and newlines ignored. */
export function parseHmacKey(text: string): { readonly ok: true; readonly value: Uint8Array } | { readonly ok: false; readonly error: string } {
  const hex = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return { ok: false, error: 'the key is not hexadecimal (an even number of 0-9, a-f)' };
  if (hex.length < HMAC_MIN_KEY_LENGTH * 2) return { ok: false, error: `the key has ${hex.length / 2} bytes; at least ${HMAC_MIN_KEY_LENGTH} are needed (openssl rand -hex 32)` };
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return { ok: true, value: out };
}

/**
 * Per sender, the highest sequence accepted (the anti-replay state of one instance). Only senders whose
 * MAC verified get an entry, so its size is bounded by the key holders on the link.
 */
export class HmacReplayWindow {
  private readonly highest = new Map<string, bigint>();

  highestOf(source: IpAddress): bigint | undefined {
    return this.highest.get(source.text);
  }

  /** Records an accepted sequence (the receive filter has checked it is above the mark). */
  accept(source: IpAddress, sequence: bigint): void {
    const current = this.highest.get(source.text);
    if (current === undefined || sequence > current) this.highest.set(source.text, sequence);
  }

  /** Highest sequence per sender as decimal text (JSON has no 64-bit integers). */
  snapshot(): Readonly<Record<string, string>> {
    return Object.fromEntries([...this.highest].map(([source, sequence]) => [source, sequence.toString()]));
  }
}

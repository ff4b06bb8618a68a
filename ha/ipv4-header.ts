/**
 * The 20-byte IPv4 header (RFC 791 section 3.1) that the raw IP transport writes itself (IP_HDRINCL, so
 * the source address on the wire is the one the VRRPv3 checksum covers) and reads from every datagram
 * a raw IPv4 socket delivers. Pure; `decodeIpv4Packet` never throws on bytes from the wire.
 */
import { ipFromBytes, type IpAddress } from '../src/core/ip.js';
import type { VrrpTransportDropReason } from './vrrp-transport.js';

export const IPV4_HEADER_LENGTH = 20;
/** RFC 5798 section 5.1.1 leaves TOS alone; keepalived sends CS6 (0xc0), network control, so do we. */
export const VRRP_IPV4_TOS = 0xc0;

export interface Ipv4HeaderFields {
  readonly source: IpAddress;
  readonly destination: IpAddress;
  readonly protocol: number;
  readonly ttl: number;
  readonly tos: number;
  readonly payloadLength: number;
}

/**
 * Version 4, IHL 5, no options, DF clear. Identification and header checksum are left 0: with
 * IP_HDRINCL Linux fills both (raw(7): "Always filled in": checksum and total length; "Filled in when
 * zero": identification). Total length is written anyway, for readers of the bytes.
 */
export function encodeIpv4Header(fields: Ipv4HeaderFields): Uint8Array {
  if (fields.source.family !== 4 || fields.destination.family !== 4) throw new RangeError('IPv4 header needs IPv4 addresses');
  const header = new Uint8Array(IPV4_HEADER_LENGTH);
  const totalLength = IPV4_HEADER_LENGTH + fields.payloadLength;
  header[0] = 0x45;
  header[1] = fields.tos;
  header[2] = (totalLength >> 8) & 0xff;
  header[3] = totalLength & 0xff;
  header[8] = fields.ttl;
  header[9] = fields.protocol;
  header.set(fields.source.bytes, 12);
  header.set(fields.destination.bytes, 16);
  return header;
}

export interface DecodedIpv4Packet {
  readonly source: IpAddress;
  readonly destination: IpAddress;
  readonly ttl: number;
  readonly protocol: number;
  readonly payload: Uint8Array;
}

export type Ipv4DecodeResult =
  | { readonly ok: true; readonly value: DecodedIpv4Packet }
  | { readonly ok: false; readonly reason: VrrpTransportDropReason };

/** Splits what a raw IPv4 socket delivered into header fields and payload, checking `expectedProtocol`. */
export function decodeIpv4Packet(bytes: Uint8Array, expectedProtocol: number): Ipv4DecodeResult {
  if (bytes.length < IPV4_HEADER_LENGTH) return { ok: false, reason: 'truncated-ip-header' };
  const first = bytes[0] ?? 0;
  const headerLength = (first & 0x0f) * 4;
  if (first >> 4 !== 4 || headerLength < IPV4_HEADER_LENGTH || bytes.length < headerLength) return { ok: false, reason: 'truncated-ip-header' };
  if (bytes[9] !== expectedProtocol) return { ok: false, reason: 'not-vrrp-protocol' };
  // More Fragments set or a fragment offset: raw sockets get reassembled datagrams, so this is odd.
  const fragment = (((bytes[6] ?? 0) & 0x3f) << 8) | (bytes[7] ?? 0);
  if (fragment !== 0) return { ok: false, reason: 'ip-fragment' };
  const totalLength = ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
  // Linux delivers the header as received: total length in network order, equal to what recvfrom read.
  if (totalLength !== bytes.length) return { ok: false, reason: 'bad-ip-length' };
  return {
    ok: true,
    value: {
      source: ipFromBytes(bytes.subarray(12, 16)),
      destination: ipFromBytes(bytes.subarray(16, 20)),
      ttl: bytes[8] ?? 0,
      protocol: bytes[9] ?? 0,
      payload: bytes.slice(headerLength),
    },
  };
}

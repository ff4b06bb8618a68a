/**
 * ICMP and ICMPv6 echo (RFC 792, RFC 4443), pure: build an echo request, and read what a raw socket
 * delivers: our echo reply, or an error message quoting our request (destination unreachable, time
 * exceeded). IPv4 raw sockets deliver the IP header, IPv6 ones do not. The ICMPv6 checksum is left
 * to the kernel (it fills it on raw ICMPv6 sockets, RFC 3542 section 3.1).
 */
import type { IpFamily } from '../src/core/ip.js';

const ICMP_ECHO_REPLY = 0;
const ICMP_DEST_UNREACH = 3;
const ICMP_ECHO_REQUEST = 8;
const ICMP_TIME_EXCEEDED = 11;
const ICMP6_DEST_UNREACH = 1;
const ICMP6_TIME_EXCEEDED = 3;
const ICMP6_ECHO_REQUEST = 128;
const ICMP6_ECHO_REPLY = 129;
const IPV6_HEADER_BYTES = 40;

export interface EchoId {
  readonly identifier: number;
  readonly sequence: number;
}

/** What one received packet means for our echoes. */
export type IcmpEvent =
  | { readonly kind: 'reply'; readonly echo: EchoId }
  | { readonly kind: 'error'; readonly echo: EchoId; readonly error: 'network-unreachable' | 'host-unreachable' | 'port-unreachable' | 'prohibited' | 'time-exceeded'; readonly code: number }
  | { readonly kind: 'other' };

/** RFC 1071 Internet checksum. */
export function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function encodeEchoRequest(family: IpFamily, echo: EchoId, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(8 + payload.length);
  bytes[0] = family === 4 ? ICMP_ECHO_REQUEST : ICMP6_ECHO_REQUEST;
  bytes[4] = (echo.identifier >> 8) & 0xff;
  bytes[5] = echo.identifier & 0xff;
  bytes[6] = (echo.sequence >> 8) & 0xff;
  bytes[7] = echo.sequence & 0xff;
  bytes.set(payload, 8);
  if (family === 4) {
    const sum = internetChecksum(bytes);
    bytes[2] = sum >> 8;
    bytes[3] = sum & 0xff;
  }
  return bytes;
}

function echoAt(bytes: Uint8Array, offset: number): EchoId | undefined {
  if (bytes.length < offset + 8) return undefined;
  return { identifier: ((bytes[offset + 4] ?? 0) << 8) | (bytes[offset + 5] ?? 0), sequence: ((bytes[offset + 6] ?? 0) << 8) | (bytes[offset + 7] ?? 0) };
}

/** Reads an IPv4 packet (header included) from a raw ICMP socket. */
export function decodeIcmpV4(packet: Uint8Array): IcmpEvent {
  if (packet.length < 20 || (packet[0] ?? 0) >> 4 !== 4) return { kind: 'other' };
  const ihl = ((packet[0] ?? 0) & 0x0f) * 4;
  const type = packet[ihl];
  const code = packet[ihl + 1] ?? 0;
  if (type === ICMP_ECHO_REPLY) {
    const echo = echoAt(packet, ihl);
    return echo === undefined ? { kind: 'other' } : { kind: 'reply', echo };
  }
  if (type !== ICMP_DEST_UNREACH && type !== ICMP_TIME_EXCEEDED) return { kind: 'other' };
  // The error quotes the original IP header and the first 8 bytes of our request.
  const inner = ihl + 8;
  if (packet.length < inner + 20) return { kind: 'other' };
  const innerIhl = ((packet[inner] ?? 0) & 0x0f) * 4;
  if (packet[inner + 9] !== 1 || packet[inner + innerIhl] !== ICMP_ECHO_REQUEST) return { kind: 'other' };
  const echo = echoAt(packet, inner + innerIhl);
  if (echo === undefined) return { kind: 'other' };
  if (type === ICMP_TIME_EXCEEDED) return { kind: 'error', echo, error: 'time-exceeded', code };
  const error = code === 0 || code === 6 || code === 11 ? 'network-unreachable' : code === 3 ? 'port-unreachable' : code === 9 || code === 10 || code === 13 ? 'prohibited' : 'host-unreachable';
  return { kind: 'error', echo, error, code };
}

/** Reads an ICMPv6 message (no IP header) from a raw ICMPv6 socket. */
export function decodeIcmpV6(message: Uint8Array): IcmpEvent {
  const type = message[0];
  const code = message[1] ?? 0;
  if (type === ICMP6_ECHO_REPLY) {
    const echo = echoAt(message, 0);
    return echo === undefined ? { kind: 'other' } : { kind: 'reply', echo };
  }
  if (type !== ICMP6_DEST_UNREACH && type !== ICMP6_TIME_EXCEEDED) return { kind: 'other' };
  const inner = 8;
  if (message.length < inner + IPV6_HEADER_BYTES + 8 || message[inner + 6] !== 58 || message[inner + IPV6_HEADER_BYTES] !== ICMP6_ECHO_REQUEST) return { kind: 'other' };
  const echo = echoAt(message, inner + IPV6_HEADER_BYTES);
  if (echo === undefined) return { kind: 'other' };
  if (type === ICMP6_TIME_EXCEEDED) return { kind: 'error', echo, error: 'time-exceeded', code };
  const error = code === 0 ? 'network-unreachable' : code === 1 || code === 5 || code === 6 ? 'prohibited' : code === 4 ? 'port-unreachable' : 'host-unreachable';
  return { kind: 'error', echo, error, code };
}

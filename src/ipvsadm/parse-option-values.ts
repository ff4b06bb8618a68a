/**
 * The values of ipvsadm's options, parsed as ipvsadm 1.31 parses them (parse_service,
 * parse_fwmark, parse_timeout, parse_netmask, the scheduler flags, the multicast group). Each
 * returns the value or undefined (ipvsadm's failure); the caller owns the message. Pure.
 */
import type { IpAddress } from '../core/ip.js';
import { isMulticast } from '../core/ip.js';
import type { PortProtocol } from './display-names.js';
import { SCHED_FLAG_BITS, type NameLookup } from './ipvsadm-command.js';
import { atoi, inetAton, isAllDigits, parseInet4, parseInet6, parseInetAton, stringToNumber } from './c-parse.js';

/** ipvsadm's MAX_TIMEOUT: 31 days. */
export const MAX_TIMEOUT_S = 86400 * 31;
/** IPVS_SVC_PERSISTENT_TIMEOUT: what -p without a value means. */
export const DEFAULT_PERSISTENCE_TIMEOUT_S = 360;
const INT_MAX = 2147483647;

export interface ParsedEndpoint {
  readonly address: IpAddress;
  /** Undefined when the text named no port (ipvsadm's SERVICE_ADDR without SERVICE_PORT). */
  readonly port: number | undefined;
}

/**
 * parse_service: "[v6]:port", a bare IPv6 address (no port), or "v4-or-host[:port]". A port is a
 * number 0-65535 or a service name of `protocol` (undefined protocol: numbers only). A bracketed
 * address needs a port; a string of digits alone is refused.
 */
export function parseEndpoint(text: string, protocol: PortProtocol | undefined, names: NameLookup): ParsedEndpoint | undefined {
  if (isAllDigits(text)) return undefined;
  let host = text;
  let portText: string | undefined;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0 || host[close + 1] !== ':') return undefined;
    portText = host.slice(close + 2);
    host = host.slice(1, close);
  }
  let address = parseInet6(host);
  if (address === undefined) {
    // ipvsadm looks for the port again here, in what is left: "[192.0.2.1]:80" is an address without port.
    const colon = host.lastIndexOf(':');
    portText = colon < 0 ? undefined : host.slice(colon + 1);
    if (colon >= 0) host = host.slice(0, colon);
    address = parseInetAton(host) ?? names.hostAddress(host);
    if (address === undefined) return undefined;
  }
  if (portText === undefined) return { address, port: undefined };
  const port = stringToNumber(portText, 0, 65535) ?? (protocol === undefined ? undefined : names.portNumber(portText, protocol));
  return port === undefined ? undefined : { address, port };
}

/** parse_fwmark: a decimal 1-4294967295. */
export function parseFwmark(text: string): number | undefined {
  return stringToNumber(text, 1, 0xffffffff);
}

/** parse_timeout: no value means the default persistence timeout. */
export function parseTimeout(text: string | undefined, min: number, max: number): number | undefined {
  return text === undefined ? DEFAULT_PERSISTENCE_TIMEOUT_S : stringToNumber(text, min, max);
}

export function parseIntRange(text: string, min = 0, max = INT_MAX): number | undefined {
  return stringToNumber(text, min, max);
}

/** parse_netmask for IPv4 services: inet_aton or a host name; host order. */
export function parseIpv4Netmask(text: string, names: NameLookup): number | undefined {
  const value = inetAton(text);
  if (value !== undefined) return value;
  const host = names.hostAddress(text);
  if (host === undefined) return undefined;
  const b = host.bytes;
  return (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
}

/** -M for IPv6 services: atoi, then 1-128. */
export function parseIpv6Netmask(text: string): number | undefined {
  const n = atoi(text);
  return n >= 1 && n <= 128 ? n : undefined;
}

export type SchedFlagsResult = { readonly ok: true; readonly bits: number } | { readonly ok: false; readonly message: string };

/**
 * -b: comma-separated flags. flag-1..3 suit any scheduler; sh-fallback/sh-port only sh,
 * mh-fallback/mh-port only mh (they are SCHED1 and SCHED2). Empty items are skipped.
 */
export function parseSchedFlags(schedulerName: string, text: string): SchedFlagsResult {
  let bits = 0;
  for (const flag of text.split(',').filter((f) => f !== '')) {
    const generic = ({ 'flag-1': SCHED_FLAG_BITS.flag1, 'flag-2': SCHED_FLAG_BITS.flag2, 'flag-3': SCHED_FLAG_BITS.flag3 } as Record<string, number>)[flag];
    if (generic !== undefined) {
      bits |= generic;
      continue;
    }
    const named = /^(sh|mh)-(fallback|port)$/.exec(flag);
    if (named === null) return { ok: false, message: `invalid scheduler flag \`${flag}'` };
    bits |= named[2] === 'fallback' ? SCHED_FLAG_BITS.flag1 : SCHED_FLAG_BITS.flag2;
    if (named[1] !== schedulerName) return { ok: false, message: `incompatible scheduler flag \`${flag}'` };
  }
  return { ok: true, bits };
}

export type McastGroupResult = { readonly ok: true; readonly group: IpAddress } | { readonly ok: false; readonly message: string };

/** --mcast-group: an IPv6 multicast address when the text has a ':', else an IPv4 one. */
export function parseMcastGroup(text: string): McastGroupResult {
  const isV6 = text.includes(':');
  const address = isV6 ? parseInet6(text) : parseInet4(text);
  if (address === undefined || !isMulticast(address)) {
    return { ok: false, message: `invalid IPv${isV6 ? 6 : 4} mcast-group \`${text}'` };
  }
  return { ok: true, group: address };
}

export type TunnelTypeName = 'ipip' | 'gue' | 'gre';

export function parseTunnelType(text: string): TunnelTypeName | undefined {
  return text === 'ipip' || text === 'gue' || text === 'gre' ? text : undefined;
}

/**
 * How ipvsadm turns addresses and ports into text (addrport_to_anyname): numeric, or host and
 * service names when -n is not given. Names come from a DisplayNames table filled beforehand by
 * the runner (name lookups are I/O), so that formatting stays pure and synchronous.
 */
import type { IpAddress } from '../core/ip.js';
import { inetNtop } from './c-parse.js';

export type PortProtocol = 'tcp' | 'udp' | 'sctp';

/** Resolved names; undefined means "print the number". */
export interface DisplayNames {
  /** gethostbyaddr. */
  host(address: IpAddress): string | undefined;
  /** getservbyport(port, protocol). */
  service(port: number, protocol: PortProtocol): string | undefined;
}

export const NUMERIC_NAMES: DisplayNames = { host: () => undefined, service: () => undefined };

/** ipvsadm formats into a 60-byte buffer: at most 59 characters survive. */
const ANYNAME_MAX = 59;

/**
 * "addr:port", "[v6]:port", or with names "host:service". `protocol` undefined: the port stays a
 * number (libipvs leaves a firewall-mark service's protocol at 0).
 */
export function formatAddressPort(address: IpAddress, port: number, protocol: PortProtocol | undefined, names: DisplayNames): string {
  const host = names.host(address) ?? inetNtop(address);
  const service = protocol === undefined ? undefined : names.service(port, protocol);
  const text = address.family === 4 ? `${host}:${service ?? port}` : `[${host}]:${service ?? port}`;
  return text.slice(0, ANYNAME_MAX);
}

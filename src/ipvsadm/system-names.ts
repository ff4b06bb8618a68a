/**
 * Host and service names from the system, for `lvsd ipvsadm` without -n and for command lines that
 * name hosts or services: the resolver library (getaddrinfo/getnameinfo through node:dns, so
 * /etc/hosts and DNS as nsswitch.conf says) and /etc/services read as glibc's files backend.
 * Adapter (I/O).
 */
import { lookup, lookupService } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { parseIpAddress, type IpAddress } from '../core/ip.js';
import { EMPTY_SERVICES, parseEtcServices, type ServicesTable } from './etc-services.js';

export const ETC_SERVICES = '/etc/services';

/** gethostbyname: the first IPv4 address of each name; names that do not resolve are left out. */
export async function resolveHostNames(names: ReadonlySet<string>): Promise<Map<string, IpAddress>> {
  const out = new Map<string, IpAddress>();
  await Promise.all(
    [...names].map(async (name) => {
      try {
        const { address } = await lookup(name, { family: 4 });
        const parsed = parseIpAddress(address);
        if (parsed.ok) out.set(name, parsed.value);
      } catch {
        // unknown name: ipvsadm's "illegal ... address" follows from its absence
      }
    }),
  );
  return out;
}

/** gethostbyaddr: the name of each address (by its text); addresses without a name are left out. */
export async function reverseHostNames(addresses: readonly IpAddress[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await Promise.all(
    addresses.map(async (a) => {
      try {
        const { hostname } = await lookupService(a.text, 0);
        if (hostname !== a.text) out.set(a.text, hostname);
      } catch {
        // no name: printed as a number
      }
    }),
  );
  return out;
}

export async function loadEtcServices(path = ETC_SERVICES): Promise<ServicesTable> {
  try {
    return parseEtcServices(await readFile(path, 'utf8'));
  } catch {
    return EMPTY_SERVICES;
  }
}

/** Small constructors for readable test tables. */
import { parseIpAddress, type IpAddress } from '../../../src/core/ip.js';
import type { IpvsDestination, IpvsForwarding, IpvsService, IpvsServiceKey } from '../../../src/ipvs/model.js';

export function ip(text: string): IpAddress {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

export const tcp = (address: string, port: number): IpvsServiceKey => ({ kind: 'inet', protocol: 'tcp', address: ip(address), port });
export const udp = (address: string, port: number): IpvsServiceKey => ({ kind: 'inet', protocol: 'udp', address: ip(address), port });
export const sctp = (address: string, port: number): IpvsServiceKey => ({ kind: 'inet', protocol: 'sctp', address: ip(address), port });
export const fwmark = (mark: number, family: 4 | 6 = 4): IpvsServiceKey => ({ kind: 'fwmark', fwmark: mark, family });

export function svc(key: IpvsServiceKey, scheduler: IpvsService['scheduler'], extra: Partial<IpvsService> = {}): IpvsService {
  return { key, scheduler, schedulerFlags: [], isOnePacket: false, ...extra };
}

export const MASQ: IpvsForwarding = { method: 'masq' };
export const ROUTE: IpvsForwarding = { method: 'route' };
export const IPIP: IpvsForwarding = { method: 'tunnel', tunnel: { type: 'ipip' } };

export function dest(address: string, port: number, forwarding: IpvsForwarding = ROUTE, extra: Partial<IpvsDestination> = {}): IpvsDestination {
  return { key: { address: ip(address), port }, forwarding, weight: 1, upperThreshold: 0, lowerThreshold: 0, ...extra };
}

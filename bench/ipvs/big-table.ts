/**
 * The benchmark's IPVS table: `services` TCP services x `perService` direct-routing destinations,
 * as lvsd's desired table and as the equivalent `ipvsadm -R` input. Documentation addresses only:
 * services on 192.0.2.1-10, ports 1000-1099 (100 per address); destination n (0-based over the
 * whole table) is the (n % 500)th of 198.51.100.1-250 and 203.0.113.1-250, on the service's port
 * (ipvsadm forces a direct-routing destination's port to the service's, so lvsd uses the same).
 * Pure.
 */
import { parseIpAddress, type IpAddress } from '../../src/core/ip.js';
import type { IpvsDestination, IpvsService } from '../../src/ipvs/model.js';
import type { DesiredIpvsService } from '../../src/ipvs/plan.js';

export interface BenchTable {
  readonly desired: readonly DesiredIpvsService[];
  /** `ipvsadm -R` input for the same rules. */
  readonly restoreInput: string;
  readonly destinationCount: number;
}

const SERVICES_PER_ADDRESS = 100;

export function buildBenchTable(services: number, perService: number): BenchTable {
  const desired: DesiredIpvsService[] = [];
  const lines: string[] = [];
  for (let i = 0; i < services; i++) {
    const vip = address(`192.0.2.${1 + Math.floor(i / SERVICES_PER_ADDRESS)}`);
    const port = 1000 + (i % SERVICES_PER_ADDRESS);
    const service: IpvsService = { key: { kind: 'inet', protocol: 'tcp', address: vip, port }, scheduler: 'wlc', schedulerFlags: [], isOnePacket: false };
    const destinations: IpvsDestination[] = [];
    lines.push(`-A -t ${vip.text}:${port} -s wlc`);
    for (let j = 0; j < perService; j++) {
      const n = i * perService + j;
      const d: IpvsDestination = {
        key: { address: address(`${n % 500 < 250 ? '198.51.100' : '203.0.113'}.${1 + (n % 250)}`), port },
        forwarding: { method: 'route' },
        weight: 1 + (j % 5),
        upperThreshold: 0,
        lowerThreshold: 0,
      };
      destinations.push(d);
      lines.push(`-a -t ${vip.text}:${port} -r ${d.key.address.text}:${d.key.port} -g -w ${d.weight}`);
    }
    desired.push({ service, destinations });
  }
  return { desired, restoreInput: `${lines.join('\n')}\n`, destinationCount: services * perService };
}

/** The same table with destination `destIndex` of service `serviceIndex` at `weight`. */
export function withWeight(desired: readonly DesiredIpvsService[], serviceIndex: number, destIndex: number, weight: number): DesiredIpvsService[] {
  return desired.map((s, i) => (i !== serviceIndex ? s : { ...s, destinations: s.destinations.map((d, j) => (j === destIndex ? { ...d, weight } : d)) }));
}

function address(text: string): IpAddress {
  const r = parseIpAddress(text);
  if (!r.ok) throw new RangeError(r.error);
  return r.value;
}

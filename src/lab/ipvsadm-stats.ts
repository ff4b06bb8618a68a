/**
 * Parser for `ipvsadm -Ln --stats [--exact]`, the lab's independent oracle of what IPVS did.
 * Pure. Counters may carry K/M/G suffixes without --exact (they are expanded, losing precision).
 */

export interface IpvsCounters {
  readonly conns: number;
  readonly inPkts: number;
  readonly outPkts: number;
  readonly inBytes: number;
  readonly outBytes: number;
}

export interface IpvsStatsDestination extends IpvsCounters {
  /** As printed: "192.0.2.21:80" or "[2001:db8::1]:80". */
  readonly address: string;
}

export interface IpvsStatsService extends IpvsCounters {
  /** TCP, UDP, SCTP or FWM. */
  readonly protocol: string;
  /** "192.0.2.50:80", or the mark for FWM services. */
  readonly address: string;
  readonly destinations: readonly IpvsStatsDestination[];
}

const COUNTERS = String.raw`(\d+[KMG]?)\s+(\d+[KMG]?)\s+(\d+[KMG]?)\s+(\d+[KMG]?)\s+(\d+[KMG]?)\s*$`;
const SERVICE_LINE = new RegExp(String.raw`^(TCP|UDP|SCTP|FWM)\s+(\S+)\s+` + COUNTERS);
const DEST_LINE = new RegExp(String.raw`^\s+->\s+(\S+)\s+` + COUNTERS);

export function parseIpvsadmStats(text: string): IpvsStatsService[] {
  const services: { protocol: string; address: string; counters: IpvsCounters; destinations: IpvsStatsDestination[] }[] = [];
  for (const line of text.split('\n')) {
    const svc = SERVICE_LINE.exec(line);
    if (svc !== null) {
      services.push({ protocol: svc[1] ?? '', address: svc[2] ?? '', counters: counters(svc.slice(3)), destinations: [] });
      continue;
    }
    const dest = DEST_LINE.exec(line);
    const current = services[services.length - 1];
    if (dest !== null && current !== undefined) current.destinations.push({ address: dest[1] ?? '', ...counters(dest.slice(2)) });
  }
  return services.map((s) => ({ protocol: s.protocol, address: s.address, ...s.counters, destinations: s.destinations }));
}

function counters(values: readonly (string | undefined)[]): IpvsCounters {
  const [conns, inPkts, outPkts, inBytes, outBytes] = values.map(expand);
  return { conns: conns ?? 0, inPkts: inPkts ?? 0, outPkts: outPkts ?? 0, inBytes: inBytes ?? 0, outBytes: outBytes ?? 0 };
}

function expand(value: string | undefined): number {
  const match = /^(\d+)([KMG]?)$/.exec(value ?? '');
  if (match === null) return 0;
  const scale = { '': 1, K: 1e3, M: 1e6, G: 1e9 }[match[2] as '' | 'K' | 'M' | 'G'];
  return Number(match[1]) * scale;
}

export interface IpvsConnectionEntry {
  readonly protocol: string;
  readonly expire: string;
  readonly state: string;
  readonly source: string;
  readonly virtual: string;
  readonly destination: string;
}

/** Parser for `ipvsadm -Lnc` (the connection table; unlike --stats, it is current at once). */
export function parseIpvsadmConnections(text: string): IpvsConnectionEntry[] {
  const entries: IpvsConnectionEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(TCP|UDP|SCTP|IP)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$/.exec(line);
    if (m === null) continue;
    entries.push({ protocol: m[1] ?? '', expire: m[2] ?? '', state: m[3] ?? '', source: m[4] ?? '', virtual: m[5] ?? '', destination: m[6] ?? '' });
  }
  return entries;
}

/** Entries per destination address, keys sorted. */
export function countConnectionsByDestination(entries: readonly IpvsConnectionEntry[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.destination, (counts.get(e.destination) ?? 0) + 1);
  return Object.fromEntries([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Sum of the services' connection counters. */
export function totalConnections(services: readonly IpvsStatsService[]): number {
  return services.reduce((sum, s) => sum + s.conns, 0);
}

export interface IpvsListDestination {
  /** As printed: "192.0.2.21:80". */
  readonly address: string;
  /** Route, Masq, Tunnel, Local. */
  readonly forward: string;
  readonly weight: number;
  readonly activeConns: number;
  readonly inactiveConns: number;
}

export interface IpvsListService {
  readonly protocol: string;
  readonly address: string;
  readonly scheduler: string;
  readonly destinations: readonly IpvsListDestination[];
}

const LIST_SERVICE_LINE = /^(TCP|UDP|SCTP|FWM)\s+(\S+)\s+(\S+)/;
const LIST_DEST_LINE = /^\s+->\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/;

/** Parser for `ipvsadm -Ln` (weights and connection counts, current at once). */
export function parseIpvsadmList(text: string): IpvsListService[] {
  const services: { protocol: string; address: string; scheduler: string; destinations: IpvsListDestination[] }[] = [];
  for (const line of text.split('\n')) {
    const svc = LIST_SERVICE_LINE.exec(line);
    if (svc !== null) {
      services.push({ protocol: svc[1] ?? '', address: svc[2] ?? '', scheduler: svc[3] ?? '', destinations: [] });
      continue;
    }
    const d = LIST_DEST_LINE.exec(line);
    const current = services[services.length - 1];
    if (d === null || current === undefined) continue;
    current.destinations.push({ address: d[1] ?? '', forward: d[2] ?? '', weight: Number(d[3]), activeConns: Number(d[4]), inactiveConns: Number(d[5]) });
  }
  return services;
}

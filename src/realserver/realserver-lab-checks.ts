/**
 * Readers for what the real-server lab scenario observes with standard tools: arping replies,
 * tcpdump -e lines, `ip -j` JSON and `grep -H . /proc/sys/...` output. Pure: text in, values out.
 */

export interface ArpReply {
  readonly address: string;
  /** Lower case, as ip and tcpdump print it. */
  readonly mac: string;
}

/** iputils arping: "Unicast reply from 192.0.2.50 [26:29:D0:09:6A:D2]  0.539ms". */
export function parseArpingReplies(text: string): ArpReply[] {
  const out: ArpReply[] = [];
  for (const m of text.matchAll(/^(?:Unicast|Broadcast) reply from (\S+) \[([0-9A-Fa-f:]{17})\]/gm)) {
    out.push({ address: m[1] ?? '', mac: (m[2] ?? '').toLowerCase() });
  }
  return out;
}

export interface EtherFrame {
  readonly sourceMac: string;
  readonly destinationMac: string;
  /** "192.0.2.50.80" split: address and port. */
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
}

/** `tcpdump -n -e` lines of TCP/UDP over IPv4: "... aa:.. > bb:.., ethertype IPv4 (0x0800), length 74: 192.0.2.50.80 > 192.0.2.100.41234: ...". */
export function parseTcpdumpFrames(text: string): EtherFrame[] {
  const out: EtherFrame[] = [];
  const line = /^\S+ ([0-9a-f:]{17}) > ([0-9a-f:]{17}), ethertype IPv4 \(0x0800\), length \d+: (\d+\.\d+\.\d+\.\d+)\.(\d+) > (\d+\.\d+\.\d+\.\d+)\.(\d+):/gm;
  for (const m of text.matchAll(line)) {
    out.push({
      sourceMac: m[1] ?? '',
      destinationMac: m[2] ?? '',
      source: m[3] ?? '',
      sourcePort: Number(m[4]),
      destination: m[5] ?? '',
      destinationPort: Number(m[6]),
    });
  }
  return out;
}

export interface IpLinkInfo {
  readonly name: string;
  readonly mac: string | undefined;
  readonly isUp: boolean;
  /** "192.0.2.50/32" for each address (only with `ip -j address show`). */
  readonly addresses: readonly string[];
}

/** `ip -j link show` or `ip -j address show`. */
export function parseIpJsonLinks(text: string): IpLinkInfo[] {
  const parsed = JSON.parse(text) as unknown;
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((entry: unknown): IpLinkInfo[] => {
    if (typeof entry !== 'object' || entry === null) return [];
    const e = entry as { ifname?: unknown; address?: unknown; flags?: unknown; addr_info?: unknown };
    if (typeof e.ifname !== 'string') return [];
    const flags = Array.isArray(e.flags) ? e.flags : [];
    const infos = Array.isArray(e.addr_info) ? (e.addr_info as { local?: unknown; prefixlen?: unknown }[]) : [];
    return [
      {
        name: e.ifname,
        mac: typeof e.address === 'string' ? e.address.toLowerCase() : undefined,
        isUp: flags.includes('UP'),
        addresses: infos.filter((a) => typeof a.local === 'string').map((a) => `${String(a.local)}/${String(a.prefixlen)}`),
      },
    ];
  });
}

export interface NeighbourEntry {
  readonly address: string;
  readonly mac: string | undefined;
  readonly state: readonly string[];
}

/** `ip -j neigh show`. */
export function parseIpJsonNeighbours(text: string): NeighbourEntry[] {
  const parsed = JSON.parse(text === '' ? '[]' : text) as unknown;
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((entry: unknown): NeighbourEntry[] => {
    const e = entry as { dst?: unknown; lladdr?: unknown; state?: unknown };
    if (typeof e.dst !== 'string') return [];
    return [{ address: e.dst, mac: typeof e.lladdr === 'string' ? e.lladdr.toLowerCase() : undefined, state: Array.isArray(e.state) ? e.state.map(String) : [] }];
  });
}

/** `grep -H . /proc/sys/net/ipv4/conf/all/arp_ignore ...`: "/proc/sys/net/ipv4/conf/all/arp_ignore:1" -> { "net.ipv4.conf.all.arp_ignore": "1" }. */
export function parseGrepSysctls(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^\/proc\/sys\/(\S+?):(.*)$/gm)) out[(m[1] ?? '').replaceAll('/', '.')] = (m[2] ?? '').trim();
  return out;
}

/** `ip -s -j link show dev X`: received packets (stats64.rx.packets), undefined when absent. */
export function parseIpJsonRxPackets(text: string): number | undefined {
  const parsed = JSON.parse(text) as unknown;
  const first = Array.isArray(parsed) ? (parsed[0] as { stats64?: { rx?: { packets?: unknown } } } | undefined) : undefined;
  const packets = first?.stats64?.rx?.packets;
  return typeof packets === 'number' ? packets : undefined;
}

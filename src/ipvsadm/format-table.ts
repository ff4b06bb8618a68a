/**
 * ipvsadm 1.31's table listings, byte for byte: `-L` (with -n, --stats, --rate, --exact,
 * --thresholds, --persistent-conn, --tun-info, --nosort), `-L -t|-u|-f SERVICE`, `-S` and the
 * one-line `--timeout` and `--daemon` views. Input: the table as the IpvsClient reads it and names
 * resolved beforehand. Pure.
 *
 * ipvsadm's quirks kept on purpose: libipvs's sort order (ipvsadm-sort.ts); IPv4 service names cut
 * at 33 characters and IPv4 real servers at 28 in listings; a firewall mark printed as a signed int;
 * `-b` printed (empty) for sh/mh services whose only flag is flag-3; dests' rates without K/M.
 */
import type { IpvsTableEntry } from '../ipvs/ipvs-client.js';
import {
  formatIpvsVersion,
  schedulerFlagNames,
  type IpvsDestination,
  type IpvsDestinationEntry,
  type IpvsInfo,
  type IpvsService,
  type IpvsStats,
  type IpvsSyncDaemon,
  type IpvsTimeouts,
  type IpvsTunnelChecksum,
} from '../ipvs/model.js';
import { formatIpv4Netmask, inetNtop, ipv4FromNumber } from './c-parse.js';
import { formatAddressPort, type DisplayNames, type PortProtocol } from './display-names.js';
import type { ListFormat } from './ipvsadm-command.js';
import { compareDestinations, compareServices, glibcMergeSort } from './ipvsadm-sort.js';

const TITLE = 'Prot LocalAddress:Port Scheduler Flags';
const REMOTE = '  -> RemoteAddress:Port';

/** `ipvsadm -L` (no service): the version line, the title, every service. */
export function formatListing(info: IpvsInfo, table: readonly IpvsTableEntry[], format: ListFormat, names: DisplayNames): string {
  return `IP Virtual Server version ${formatIpvsVersion(info.versionCode)} (size=${info.connectionTableSize})\n${formatServiceListing(table, format, names)}`;
}

/** The title and the services, without the version line (also `ipvsadm -L -t SERVICE`). */
export function formatServiceListing(table: readonly IpvsTableEntry[], format: ListFormat, names: DisplayNames): string {
  const entries = format.isSorted ? glibcMergeSort(table, (a, b) => compareServices(a.service.service, b.service.service)) : table;
  return title(format) + entries.map((e) => formatEntry(e, format, names)).join('');
}

/** `ipvsadm -S`: one -A line per service, one -a line per real server. */
export function formatSave(table: readonly IpvsTableEntry[], names: DisplayNames): string {
  const sorted = glibcMergeSort(table, (a, b) => compareServices(a.service.service, b.service.service));
  return sorted.map((e) => formatRules(e, names)).join('');
}

export function formatTimeouts(t: IpvsTimeouts): string {
  return `Timeout (tcp tcpfin udp): ${t.tcpS} ${t.tcpFinS} ${t.udpS}\n`;
}

export function formatDaemons(daemons: readonly IpvsSyncDaemon[]): string {
  const ordered = [...daemons.filter((d) => d.state === 'master'), ...daemons.filter((d) => d.state === 'backup')];
  return ordered
    .map(
      (d) =>
        `${d.state} sync daemon (mcast=${d.interfaceName}, syncid=${d.syncId}, maxlen=${d.maxLength ?? 0}, ` +
        `group=${d.group === undefined ? '0.0.0.0' : inetNtop(d.group)}, port=${d.port ?? 0}, ttl=${d.ttl ?? 0})\n`,
    )
    .join('');
}

function title(format: ListFormat): string {
  const cols = (widths: readonly [string, number, 'left' | 'right'][]): string =>
    widths.map(([text, width, side]) => ` ${side === 'left' ? text.padEnd(width) : text.padStart(width)}`).join('');
  switch (format.view) {
    case 'stats':
      return `${'Prot LocalAddress:Port'.padEnd(33)}${cols([['Conns', 8, 'right'], ['InPkts', 8, 'right'], ['OutPkts', 8, 'right'], ['InBytes', 8, 'right'], ['OutBytes', 8, 'right']])}\n${REMOTE}\n`;
    case 'rate':
      return `${'Prot LocalAddress:Port'.padEnd(33)}${cols([['CPS', 8, 'right'], ['InPPS', 8, 'right'], ['OutPPS', 8, 'right'], ['InBPS', 8, 'right'], ['OutBPS', 8, 'right']])}\n${REMOTE}\n`;
    case 'thresholds':
      return `${'Prot LocalAddress:Port'.padEnd(33)}${cols([['Uthreshold', 10, 'left'], ['Lthreshold', 10, 'left'], ['ActiveConn', 10, 'left'], ['InActConn', 10, 'left']])}\n${REMOTE}\n`;
    case 'persistent-conn':
      return `${'Prot LocalAddress:Port'.padEnd(33)}${cols([['Weight', 9, 'left'], ['PersistConn', 11, 'left'], ['ActiveConn', 10, 'left'], ['InActConn', 10, 'left']])}\n${REMOTE}\n`;
    case 'tun-info':
      return `${TITLE}\n${REMOTE}           Forward TunnelInfo    Weight ActiveConn InActConn\n`;
    case 'default':
      return `${TITLE}\n${REMOTE}           Forward Weight ActiveConn InActConn\n`;
  }
}

/** The protocol ipvsadm looks service names up with; none for a firewall mark (libipvs leaves it 0). */
function portProtocol(service: IpvsService): PortProtocol | undefined {
  return service.key.kind === 'inet' ? service.key.protocol : undefined;
}

const PROTOCOL_LABEL = { tcp: 'TCP ', udp: 'UDP ', sctp: 'SCTP' } as const;
const PROTOCOL_SWITCH = { tcp: '-t', udp: '-u', sctp: '--sctp-service' } as const;

/** A firewall mark as C's %d prints an unsigned int. */
const signedMark = (mark: number): number => mark | 0;

function listingName(service: IpvsService, names: DisplayNames): string {
  const key = service.key;
  if (key.kind === 'fwmark') return `FWM  ${signedMark(key.fwmark)}${key.family === 6 ? ' IPv6' : ''}`;
  const text = `${PROTOCOL_LABEL[key.protocol]} ${formatAddressPort(key.address, key.port, key.protocol, names)}`;
  return key.address.family === 4 ? text.slice(0, 33) : text;
}

function ruleName(service: IpvsService, names: DisplayNames): string {
  const key = service.key;
  if (key.kind === 'fwmark') return `-f ${signedMark(key.fwmark)}${key.family === 6 ? ' -6' : ''}`;
  return `${PROTOCOL_SWITCH[key.protocol]} ${formatAddressPort(key.address, key.port, key.protocol, names)}`;
}

/** The flag names ipvsadm prints: sh and mh name SCHED1/SCHED2 and print nothing for SCHED3. */
function printedFlags(service: IpvsService): string[] | undefined {
  if (service.schedulerFlags.length === 0) return undefined;
  const isNamed = service.scheduler === 'sh' || service.scheduler === 'mh';
  const order = schedulerFlagNames(service.scheduler);
  return order.filter((f, i) => service.schedulerFlags.includes(f) && !(isNamed && i === 2));
}

function netmaskText(service: IpvsService): string | undefined {
  const p = service.persistence;
  if (p === undefined) return undefined;
  const family = service.key.kind === 'inet' ? service.key.address.family : service.key.family;
  if (family === 4 && p.ipv4Netmask !== undefined) return ipv4FromNumber(p.ipv4Netmask).text; // inet_ntoa, as for any mask
  if (family === 4) return p.netmaskPrefixLength === 32 ? undefined : formatIpv4Netmask(p.netmaskPrefixLength);
  return p.netmaskPrefixLength === 128 ? undefined : String(p.netmaskPrefixLength);
}

function serviceLine(service: IpvsService, names: DisplayNames): string {
  let line = `${listingName(service, names)} ${service.scheduler}`;
  const flags = printedFlags(service);
  if (flags !== undefined) line += ` (${flags.join(',')})`;
  if (service.persistence !== undefined) {
    line += ` persistent ${service.persistence.timeoutS}`;
    const mask = netmaskText(service);
    if (mask !== undefined) line += ` mask ${mask}`;
    if (service.persistenceEngine !== undefined) line += ` pe ${service.persistenceEngine}`;
  }
  if (service.isOnePacket) line += ' ops';
  return `${line}\n`;
}

function formatEntry(entry: IpvsTableEntry, format: ListFormat, names: DisplayNames): string {
  const service = entry.service.service;
  const dests = format.isSorted ? glibcMergeSort(entry.destinations, (a, b) => compareDestinations(a.destination, b.destination)) : entry.destinations;
  const isStatsView = format.view === 'stats' || format.view === 'rate';
  const head = isStatsView ? `${listingName(service, names).padEnd(33)}${statsColumns(entry.service.stats, format)}\n` : serviceLine(service, names);
  return head + dests.map((d) => destinationLine(service, d, format, names)).join('');
}

function destinationLine(service: IpvsService, entry: IpvsDestinationEntry, format: ListFormat, names: DisplayNames): string {
  const d = entry.destination;
  const full = formatAddressPort(d.key.address, d.key.port, portProtocol(service), names);
  const name = (d.key.address.family === 6 ? full : full.slice(0, 28)).padEnd(28);
  const left = (value: number | string, width: number): string => String(value).padEnd(width);
  switch (format.view) {
    case 'stats':
      return `  -> ${name}${statsColumns(entry.stats, format)}\n`;
    case 'rate': {
      const s = entry.stats;
      const plain = [s.connectionsPerSecond, s.inPacketsPerSecond, s.outPacketsPerSecond].map((n) => ` ${String(n).padStart(8)}`).join('');
      return `  -> ${name}${plain}${largeNumber(s.inBytesPerSecond, format.isExact)}${largeNumber(s.outBytesPerSecond, format.isExact)}\n`;
    }
    case 'thresholds':
      return `  -> ${name} ${left(d.upperThreshold, 10)} ${left(d.lowerThreshold, 10)} ${left(entry.activeConnections, 10)} ${left(entry.inactiveConnections, 10)}\n`;
    case 'persistent-conn':
      return `  -> ${name} ${left(d.weight, 9)} ${left(entry.persistentConnections, 11)} ${left(entry.activeConnections, 10)} ${left(entry.inactiveConnections, 10)}\n`;
    case 'tun-info':
      return `  -> ${name} ${left(forwardName(d), 7)} ${left(tunnelInfo(d), 13)} ${left(d.weight, 6)} ${left(entry.activeConnections, 10)} ${left(entry.inactiveConnections, 10)}\n`;
    case 'default':
      return `  -> ${name} ${left(forwardName(d), 7)} ${left(d.weight, 6)} ${left(entry.activeConnections, 10)} ${left(entry.inactiveConnections, 10)}\n`;
  }
}

function statsColumns(s: IpvsStats, format: ListFormat): string {
  const values =
    format.view === 'rate'
      ? [s.connectionsPerSecond, s.inPacketsPerSecond, s.outPacketsPerSecond, s.inBytesPerSecond, s.outBytesPerSecond]
      : [s.connections, s.inPackets, s.outPackets, s.inBytes, s.outBytes];
  return values.map((n) => largeNumber(n, format.isExact)).join('');
}

/** print_largenum: 9 columns; from 100 million on, thousands (K), millions (M), ... unless --exact. */
export function largeNumber(n: bigint, isExact: boolean): string {
  const digits = n.toString();
  if (isExact) return digits.padStart(digits.length <= 8 ? 9 : digits.length + 1);
  if (n < 100_000_000n) return digits.padStart(9);
  if (n < 1_000_000_000n) return `${(n / 1000n).toString().padStart(8)}K`;
  if (n < 100_000_000_000n) return `${(n / 1_000_000n).toString().padStart(8)}M`;
  if (n < 100_000_000_000_000n) return `${(n / 1_000_000_000n).toString().padStart(8)}G`;
  return `${(n / 1_000_000_000_000n).toString().padStart(8)}T`;
}

function forwardName(d: IpvsDestination): string {
  return d.forwarding.method === 'masq' ? 'Masq' : d.forwarding.method === 'route' ? 'Route' : 'Tunnel';
}

const CHECKSUM_SHORT: Readonly<Record<IpvsTunnelChecksum, string>> = { nocsum: '-c', csum: '+c', remcsum: 'r+c' };

function tunnelInfo(d: IpvsDestination): string {
  if (d.forwarding.method !== 'tunnel') return 'n/a';
  const t = d.forwarding.tunnel;
  if (t.type === 'ipip') return 'ipip';
  return (t.type === 'gue' ? `gue:${t.port}:${CHECKSUM_SHORT[t.checksum]}` : `gre:${CHECKSUM_SHORT[t.checksum]}`).slice(0, 15);
}

function formatRules(entry: IpvsTableEntry, names: DisplayNames): string {
  const service = entry.service.service;
  const svc = ruleName(service, names);
  let line = `-A ${svc} -s ${service.scheduler}`;
  if (service.persistence !== undefined) {
    line += ` -p ${service.persistence.timeoutS}`;
    const mask = netmaskText(service);
    if (mask !== undefined) line += ` -M ${mask}`;
  }
  if (service.persistenceEngine !== undefined) line += ` --pe ${service.persistenceEngine}`;
  if (service.isOnePacket) line += ' -o';
  const flags = printedFlags(service);
  if (flags !== undefined) line += ` -b ${flags.join(',')}`;
  const dests = glibcMergeSort(entry.destinations, (a, b) => compareDestinations(a.destination, b.destination));
  const rules = dests.map((e) => `-a ${svc} -r ${formatAddressPort(e.destination.key.address, e.destination.key.port, portProtocol(service), names)} ${destinationRuleTail(e.destination)}\n`);
  return `${line}\n${rules.join('')}`;
}

function destinationRuleTail(d: IpvsDestination): string {
  const method = d.forwarding.method;
  const base = `${method === 'masq' ? '-m' : method === 'route' ? '-g' : '-i'} -w ${d.weight}`;
  if (d.forwarding.method !== 'tunnel') return base;
  const t = d.forwarding.tunnel;
  if (t.type === 'ipip') return `${base} --tun-type ipip`;
  if (t.type === 'gue') return `${base} --tun-type gue --tun-port ${t.port} --tun-${t.checksum}`;
  return `${base} --tun-type gre --tun-${t.checksum}`;
}

/**
 * `ipvsadm -L -c`: the connection table as ipvsadm 1.31 prints it from /proc/net/ip_vs_conn (the
 * kernel's text: hex IPv4 addresses, full IPv6 ones, hex ports, expiry in seconds, and the
 * persistence engine's name and data). Pure: the file's text in, ipvsadm's text out.
 */
import type { IpAddress } from '../core/ip.js';
import { ipv4FromNumber, parseInet6, strtoulHex32 } from './c-parse.js';
import { formatAddressPort, type DisplayNames, type PortProtocol } from './display-names.js';

export const CONN_PROC_FILE = '/proc/net/ip_vs_conn';

export interface ConnectionEntry {
  /** As the kernel names it: TCP, UDP, SCTP, IP (templates), ... */
  readonly protocol: string;
  readonly client: IpAddress;
  readonly clientPort: number;
  readonly virtual: IpAddress;
  readonly virtualPort: number;
  readonly destination: IpAddress;
  readonly destinationPort: number;
  readonly state: string;
  readonly expiresS: number;
  readonly peName?: string;
  readonly peData?: string;
}

export type ConnectionsResult = { readonly ok: true; readonly entries: ConnectionEntry[] } | { readonly ok: false; readonly message: string };

/** The file's lines after the header; ipvsadm needs the header line to be there. */
export function parseConnections(text: string): ConnectionsResult {
  const lines = text.split('\n');
  if (lines.length < 2 && (lines[0] ?? '') === '') return { ok: false, message: `unexpected input from ${CONN_PROC_FILE}` };
  const entries: ConnectionEntry[] = [];
  for (const line of lines.slice(1)) {
    const entry = parseLine(line);
    if (entry !== undefined) entries.push(entry);
  }
  return { ok: true, entries };
}

/** Each address on its own: IPv6 in full form, else 8 hex digits (IPv4). */
function addressOf(text: string): IpAddress {
  return parseInet6(text) ?? ipv4FromNumber(strtoulHex32(text));
}

const hex16 = (text: string): number => strtoulHex32(text) & 0xffff;

function parseLine(line: string): ConnectionEntry | undefined {
  const f = line.trim().split(/\s+/);
  if (f.length < 9) return undefined;
  const [protocol = '', client = '', cport = '', virtual = '', vport = '', dest = '', dport = '', state = '', expires = '', peName, peData] = f;
  return {
    protocol,
    client: addressOf(client),
    clientPort: hex16(cport),
    virtual: addressOf(virtual),
    virtualPort: hex16(vport),
    destination: addressOf(dest),
    destinationPort: hex16(dport),
    state,
    expiresS: Number.parseInt(expires, 10) || 0,
    ...(peName === undefined ? {} : { peName }),
    ...(peData === undefined ? {} : { peData }),
  };
}

const PROTOCOLS: Readonly<Record<string, PortProtocol>> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

/** `hasPersistenceEngineData`: --persistent-conn adds the engine's name and data where there are some. */
export function formatConnections(entries: readonly ConnectionEntry[], hasPersistenceEngineData: boolean, names: DisplayNames): string {
  const head = hasPersistenceEngineData
    ? `pro expire ${'state'.padEnd(11)} ${'source'.padEnd(18)} ${'virtual'.padEnd(18)} ${'destination'.padEnd(18)} ${'pe name'.padEnd(16)} pe_data\n`
    : `pro expire ${'state'.padEnd(11)} ${'source'.padEnd(18)} ${'virtual'.padEnd(18)} destination\n`;
  return `IPVS connection entries\n${head}${entries.map((e) => formatConnection(e, hasPersistenceEngineData, names)).join('')}`;
}

function formatConnection(e: ConnectionEntry, hasPersistenceEngineData: boolean, names: DisplayNames): string {
  const protocol = PROTOCOLS[e.protocol];
  const c = formatAddressPort(e.client, e.clientPort, protocol, names);
  const v = formatAddressPort(e.virtual, e.virtualPort, protocol, names);
  const d = formatAddressPort(e.destination, e.destinationPort, protocol, names);
  const minutes = Math.trunc(e.expiresS / 60);
  const expire = `${String(minutes).padStart(2, '0')}:${String(e.expiresS % 60).padStart(2, '0')}`;
  const start = `${e.protocol.padEnd(3)} ${expire.padEnd(6)} ${e.state.padEnd(11)} ${c.padEnd(18)} ${v.padEnd(18)}`;
  if (hasPersistenceEngineData && e.peName !== undefined) return `${start} ${d.padEnd(16)} ${e.peName.padEnd(18)} ${e.peData ?? ''}\n`;
  return `${start} ${d}\n`;
}

/** The addresses a connection listing will want names for. */
export function connectionAddresses(entries: readonly ConnectionEntry[]): IpAddress[] {
  return entries.flatMap((e) => [e.client, e.virtual, e.destination]);
}

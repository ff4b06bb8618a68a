/**
 * IP addresses and prefixes as parsed values (STYLE 21): past the config boundary nothing passes raw
 * address strings around. Pure: no sockets, no `node:net`.
 */
import { err, ok, type Result } from './result.js';

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  /** Network byte order; 4 or 16 bytes. */
  readonly bytes: Uint8Array;
  /** Canonical text: dotted quad, or RFC 5952 for IPv6. */
  readonly text: string;
}

export interface IpPrefix {
  readonly address: IpAddress;
  readonly prefixLength: number;
  readonly text: string;
}

export function parseIpAddress(input: string): Result<IpAddress, string> {
  const s = input.trim();
  if (s.includes(':')) {
    const bytes = parseIpv6Bytes(s);
    return bytes === undefined ? err(`"${input}" is not an IPv6 address`) : ok(fromBytes(bytes));
  }
  const bytes = parseIpv4Bytes(s);
  return bytes === undefined ? err(`"${input}" is not an IPv4 address`) : ok(fromBytes(bytes));
}

/** Parses "addr/len"; a bare address gets the host length (/32 or /128) unless `requireLength`. */
export function parseIpPrefix(input: string, options: { requireLength?: boolean } = {}): Result<IpPrefix, string> {
  const slash = input.indexOf('/');
  const addrText = slash < 0 ? input : input.slice(0, slash);
  const address = parseIpAddress(addrText);
  if (!address.ok) return address;
  const maxLength = address.value.family === 4 ? 32 : 128;
  if (slash < 0) {
    if (options.requireLength === true) return err(`"${input}" has no prefix length (/N)`);
    return ok(makePrefix(address.value, maxLength));
  }
  const lenText = input.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > maxLength) {
    return err(`"${input}" has an invalid prefix length (0-${maxLength} for IPv${address.value.family})`);
  }
  return ok(makePrefix(address.value, Number(lenText)));
}

export function ipFromBytes(bytes: Uint8Array): IpAddress {
  if (bytes.length !== 4 && bytes.length !== 16) throw new RangeError(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  return fromBytes(bytes.slice()); // a copy: never a view into someone's buffer (a netlink reply, say)
}

export function ipEquals(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.text === b.text;
}

/** Numeric order (IPv4 before IPv6), as used by VRRP's tie-break on the primary address. */
export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family - b.family;
  for (let i = 0; i < a.bytes.length; i++) {
    const d = (a.bytes[i] ?? 0) - (b.bytes[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** True when `address` lies inside `prefix`. */
export function prefixContains(prefix: IpPrefix, address: IpAddress): boolean {
  if (prefix.address.family !== address.family) return false;
  let bits = prefix.prefixLength;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((prefix.address.bytes[i] ?? 0) & mask) !== ((address.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

export function isLinkLocal(address: IpAddress): boolean {
  if (address.family === 4) return address.bytes[0] === 169 && address.bytes[1] === 254;
  return address.bytes[0] === 0xfe && ((address.bytes[1] ?? 0) & 0xc0) === 0x80;
}

export function isMulticast(address: IpAddress): boolean {
  if (address.family === 4) return ((address.bytes[0] ?? 0) & 0xf0) === 0xe0;
  return address.bytes[0] === 0xff;
}

function makePrefix(address: IpAddress, prefixLength: number): IpPrefix {
  return { address, prefixLength, text: `${address.text}/${prefixLength}` };
}

function fromBytes(bytes: Uint8Array): IpAddress {
  const family: IpFamily = bytes.length === 4 ? 4 : 6;
  // Template rather than Array.from(bytes).join('.'): decoding a 10,000-destination IPVS dump formats
  // every address, and the array round trip was the largest cost in its profile.
  const text = family === 4 ? `${bytes[0] ?? 0}.${bytes[1] ?? 0}.${bytes[2] ?? 0}.${bytes[3] ?? 0}` : formatIpv6(bytes);
  return { family, bytes, text };
}

function parseIpv4Bytes(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    // Leading zeros are refused: "010" is octal to inet_aton and decimal to others.
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseIpv6Bytes(input: string): Uint8Array | undefined {
  const s = input.split('%')[0] ?? ''; // a zone index belongs to the interface, not the address
  if (input.includes('%') && !/^fe[89ab]/i.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] ?? '';
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4Bytes(piece);
        if (v4 === undefined) return undefined;
        groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
      groups.push(parseInt(piece, 16));
    }
    return groups;
  };
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** RFC 5952 section 4: lower case, no leading zeros, the longest run (>= 2) of zero groups becomes "::". */
function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
  if (bestLen < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

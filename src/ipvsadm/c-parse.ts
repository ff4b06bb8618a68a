/**
 * The C library's string parsing as ipvsadm 1.31 relies on it, so that `lvsd ipvsadm` accepts and
 * refuses exactly the same spellings: strtol (base 10, sign, leading blanks), atoi, inet_aton (octal,
 * hex and the short a, a.b, a.b.c forms) and inet_pton(AF_INET6) (no zone index). Pure.
 */
import { ipFromBytes, parseIpAddress, type IpAddress } from '../core/ip.js';

const C_SPACE = /^[ \t\n\v\f\r]*/;

/**
 * ipvsadm's string_to_number: strtol(s, &end, 10) that must consume the whole string, within
 * [min, max]. Undefined when it does not (ipvsadm's -1).
 */
export function stringToNumber(s: string, min: number, max: number): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(s);
  if (m === null) return undefined;
  const value = BigInt(`${m[1] ?? ''}${m[2] ?? ''}`);
  // strtol saturates at LONG_MIN/LONG_MAX with ERANGE: out of any int range, so refused either way.
  if (value < BigInt(min) || value > BigInt(max)) return undefined;
  return Number(value);
}

/** atoi: leading blanks, an optional sign, then digits; stops at the first other character; 0 if none. */
export function atoi(s: string): number {
  const m = /^([+-]?)(\d*)/.exec(s.replace(C_SPACE, ''));
  const digits = m?.[2] ?? '';
  if (digits === '') return 0;
  const value = Number(BigInt(`${m?.[1] ?? ''}${digits}`) & 0xffffffffn);
  return value > 0x7fffffff ? value - 0x100000000 : value;
}

/** ipvsadm's str_is_digit: every character is a decimal digit (true for the empty string). */
export function isAllDigits(s: string): boolean {
  return /^\d*$/.test(s);
}

/**
 * strtoul(s, NULL, 16) truncated to 32 bits, as ipvsadm reads the hexadecimal addresses of
 * /proc/net/ip_vs_conn: leading hex digits only, saturating at ULONG_MAX (64 bits).
 */
export function strtoulHex32(s: string): number {
  const m = /^[ \t\n\v\f\r]*\+?(?:0[xX])?([0-9a-fA-F]*)/.exec(s);
  const digits = m?.[1] ?? '';
  if (digits === '') return 0;
  const value = BigInt(`0x${digits}`);
  const saturated = value > 0xffffffffffffffffn ? 0xffffffffffffffffn : value;
  return Number(saturated & 0xffffffffn);
}

/** One part of an inet_aton address: strtoul base 0 (0x hex, leading 0 octal, else decimal). */
function parseAtonPart(part: string): bigint | undefined {
  if (/^0[xX][0-9a-fA-F]*$/.test(part)) return part.length === 2 ? 0n : BigInt(part);
  if (/^0[0-7]*$/.test(part)) return part.length === 1 ? 0n : BigInt(`0o${part.slice(1)}`);
  if (/^[1-9]\d*$/.test(part)) return BigInt(part);
  return undefined;
}

/**
 * inet_aton (glibc): "a.b.c.d", "a.b.c" (c is 16 bits), "a.b" (b is 24 bits) or "a" (32 bits), each
 * part decimal, octal (leading 0) or hex (0x). Returns the address as a 32-bit number in host order.
 */
export function inetAton(s: string): number | undefined {
  const text = s.replace(/[ \t\n\v\f\r].*$/s, ''); // glibc stops at the first blank
  if (text === '') return undefined;
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const values: bigint[] = [];
  for (const p of parts) {
    const v = parseAtonPart(p);
    if (v === undefined || v > 0xffffffffn) return undefined;
    values.push(v);
  }
  const last = values[values.length - 1] ?? 0n;
  const head = values.slice(0, -1);
  if (head.some((v) => v > 255n)) return undefined;
  const lastBits = 8 * (4 - head.length);
  if (last >= 1n << BigInt(lastBits)) return undefined;
  let value = 0n;
  head.forEach((v, i) => {
    value |= v << BigInt(24 - 8 * i);
  });
  return Number(value | last);
}

export function ipv4FromNumber(value: number): IpAddress {
  return ipFromBytes(Uint8Array.of((value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255));
}

/** inet_aton as an address value. */
export function parseInetAton(s: string): IpAddress | undefined {
  const n = inetAton(s);
  return n === undefined ? undefined : ipv4FromNumber(n);
}

/** inet_pton(AF_INET6): RFC 4291 text, with an optional trailing dotted quad; no zone index. */
export function parseInet6(s: string): IpAddress | undefined {
  if (!s.includes(':') || s.includes('%') || /\s/.test(s)) return undefined;
  const parsed = parseIpAddress(s);
  return parsed.ok && parsed.value.family === 6 ? parsed.value : undefined;
}

/** inet_pton(AF_INET): strictly four decimal parts. */
export function parseInet4(s: string): IpAddress | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return undefined;
  const parts = s.split('.').map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ipFromBytes(Uint8Array.from(parts));
}

/**
 * inet_ntop as glibc prints addresses: IPv6 with the longest run (2 or more, the first of equals)
 * of zero groups as "::", and the last 32 bits dotted for ::a.b.c.d and ::ffff:a.b.c.d.
 */
export function inetNtop(address: IpAddress): string {
  if (address.family === 4) return address.text;
  const b = address.bytes;
  const words = Array.from({ length: 8 }, (_, i) => ((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0));
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  words.forEach((w, i) => {
    if (w === 0) {
      cur = cur.base === -1 ? { base: i, len: 1 } : { base: cur.base, len: cur.len + 1 };
      if (best.base === -1 || cur.len > best.len) best = cur;
    } else {
      cur = { base: -1, len: 0 };
    }
  });
  if (best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      out += `${b[12] ?? 0}.${b[13] ?? 0}.${b[14] ?? 0}.${b[15] ?? 0}`;
      return out;
    }
    out += (words[i] ?? 0).toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ':';
  return out;
}

/** The address as the 32-bit words of `union nf_inet_addr` in host order (IPv4 fills word 0). */
export function addressWords(address: IpAddress): readonly [number, number, number, number] {
  const b = address.bytes;
  const word = (i: number): number => (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)) >>> 0;
  return address.family === 4 ? [word(0), 0, 0, 0] : [word(0), word(4), word(8), word(12)];
}

/** inet_ntoa of an IPv4 netmask given as a prefix length. */
export function formatIpv4Netmask(prefixLength: number): string {
  const value = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  return ipv4FromNumber(value).text;
}

/** The prefix length of a contiguous IPv4 netmask (host order), undefined when it has holes. */
export function netmaskPrefixLength(value: number): number | undefined {
  const inverted = ~value >>> 0;
  if ((inverted & (inverted + 1)) !== 0) return undefined;
  return 32 - Math.log2(inverted + 1);
}

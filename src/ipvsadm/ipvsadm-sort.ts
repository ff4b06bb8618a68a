/**
 * The order of ipvsadm's listings, reproduced exactly: libipvs's comparators (ipvs_cmp_services,
 * ipvs_cmp_dests) subtract 32-bit unsigned fields and keep the result as a C `int`, so that
 * addresses more than 2^31 apart compare the wrong way round (10.1.1.1 sorts after 200.1.1.1), and
 * glibc's qsort is a top-down merge sort (msort) whose result this comparator, no longer a total
 * order, depends on. Pure.
 */
import type { IpvsDestination, IpvsService } from '../ipvs/model.js';
import { addressWords } from './c-parse.js';

const AF_INET = 2;
const AF_INET6 = 10;
const PROTOCOL_NUMBER = { tcp: 6, udp: 17, sctp: 132 } as const;

/** A C `int` from the difference of two 32-bit unsigned values. */
const intDiff = (a: number, b: number): number => (a - b) | 0;

/** ipvs_cmp_services: fwmark, family, protocol, address, port. */
export function compareServices(a: IpvsService, b: IpvsService): number {
  const fa = a.key.kind === 'fwmark' ? a.key.fwmark : 0;
  const fb = b.key.kind === 'fwmark' ? b.key.fwmark : 0;
  let r = intDiff(fa, fb);
  if (r !== 0) return r;
  const afA = familyOf(a) === 6 ? AF_INET6 : AF_INET;
  r = afA - (familyOf(b) === 6 ? AF_INET6 : AF_INET);
  if (r !== 0) return r;
  // libipvs leaves the protocol (and address and port) of a firewall-mark service at 0.
  const protocolOf = (s: IpvsService): number => (s.key.kind === 'inet' ? PROTOCOL_NUMBER[s.key.protocol] : 0);
  r = protocolOf(a) - protocolOf(b);
  if (r !== 0) return r;
  r = compareWords(a.key.kind === 'inet' ? addressWords(a.key.address) : ZERO, b.key.kind === 'inet' ? addressWords(b.key.address) : ZERO, afA === AF_INET6);
  if (r !== 0) return r;
  return (a.key.kind === 'inet' ? a.key.port : 0) - (b.key.kind === 'inet' ? b.key.port : 0);
}

/** ipvs_cmp_dests: address (all four words when the first one is IPv6, else one), then port. */
export function compareDestinations(a: IpvsDestination, b: IpvsDestination): number {
  const r = compareWords(addressWords(a.key.address), addressWords(b.key.address), a.key.address.family === 6);
  return r !== 0 ? r : a.key.port - b.key.port;
}

const ZERO = [0, 0, 0, 0] as const;

function compareWords(a: readonly number[], b: readonly number[], isIpv6: boolean): number {
  let r = 0;
  for (let i = 0; r === 0 && i < (isIpv6 ? 4 : 1); i++) r = intDiff(a[i] ?? 0, b[i] ?? 0);
  return r;
}

function familyOf(s: IpvsService): 4 | 6 {
  return s.key.kind === 'inet' ? s.key.address.family : s.key.family;
}

/**
 * glibc's msort_with_tmp: split at n/2, sort both halves, merge taking from the left half while
 * cmp(left, right) <= 0. Same input and comparator, same output as ipvsadm, even for a comparator
 * that is not transitive.
 */
export function glibcMergeSort<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  const out = [...items];
  sortRange(out, 0, out.length, cmp);
  return out;
}

function sortRange<T>(a: T[], start: number, n: number, cmp: (x: T, y: T) => number): void {
  if (n <= 1) return;
  const n1 = Math.floor(n / 2);
  const n2 = n - n1;
  sortRange(a, start, n1, cmp);
  sortRange(a, start + n1, n2, cmp);
  const left = a.slice(start, start + n1);
  const right = a.slice(start + n1, start + n);
  let i = 0;
  let j = 0;
  let k = start;
  while (i < n1 && j < n2) {
    const l = left[i] as T;
    const r = right[j] as T;
    if (cmp(l, r) <= 0) {
      a[k++] = l;
      i++;
    } else {
      a[k++] = r;
      j++;
    }
  }
  while (i < n1) a[k++] = left[i++] as T;
  while (j < n2) a[k++] = right[j++] as T;
}

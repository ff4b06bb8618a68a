/** Test helpers for the VRRP tests: parsed addresses and the golden packets of test/fixtures/vrrp. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseIpAddress, type IpAddress } from '../../../../src/core/ip.js';
import {
  internetChecksum,
  simpleTextAuthData,
  vrrpPseudoHeader,
  type VrrpAdvertisement,
  type VrrpPacketContext,
} from '../../../../ha/vrrp-packet.js';

export function ip(text: string): IpAddress {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export interface ExpectedFields {
  readonly version: 2 | 3;
  readonly vrid: number;
  readonly priority: number;
  readonly ipAddresses: readonly string[];
  readonly maxAdverIntervalCs?: number;
  readonly adverIntervalS?: number;
  readonly authType?: 'none' | 'simple-text-password';
  readonly authString?: string;
}

export interface GoldenPacket {
  readonly name: string;
  readonly sourceAddress: string;
  readonly destinationAddress: string;
  readonly ttl: number;
  readonly vrrpHex: string;
  readonly expected: ExpectedFields;
}

// Tests run from dist/test/unit/ha/support: the fixtures stay in the source tree.
const fixturesDir = fileURLToPath(new URL('../../../../../test/fixtures/vrrp/', import.meta.url));

function readJson(name: string): unknown {
  return JSON.parse(readFileSync(fixturesDir + name, 'utf8')) as unknown;
}

export function keepalivedCaptures(): GoldenPacket[] {
  const data = readJson('keepalived-2.2.7-adverts.json') as { captures: { name: string; packets: Omit<GoldenPacket, 'name'>[] }[] };
  return data.captures.flatMap((c) => c.packets.map((p) => ({ ...p, name: `${c.name} priority ${p.expected.priority}` })));
}

export function handBuiltPackets(): GoldenPacket[] {
  return (readJson('hand-built-adverts.json') as { packets: GoldenPacket[] }).packets;
}

/** The advertisement a golden packet must decode to, built from its expected fields. */
export function expectedAdvertisement(e: ExpectedFields): VrrpAdvertisement {
  const ipAddresses = e.ipAddresses.map(ip);
  if (e.version === 3) return { version: 3, vrid: e.vrid, priority: e.priority, ipAddresses, maxAdverIntervalCs: e.maxAdverIntervalCs ?? -1 };
  const authData = simpleTextAuthData(e.authString ?? '');
  if (authData === undefined) throw new Error(`password too long in fixture: ${e.authString ?? ''}`);
  return {
    version: 2,
    vrid: e.vrid,
    priority: e.priority,
    ipAddresses,
    authType: e.authType ?? 'none',
    adverIntervalS: e.adverIntervalS ?? -1,
    authData,
  };
}

/**
 * Applies `edit` to a copy of `bytes`, then rewrites the checksum (v3: over the IPv4 or IPv6 pseudo-header
 * of `ctx`), so that a test reaches the check it means to hit instead of the checksum check.
 */
export function editWithChecksum(bytes: Uint8Array, edit: (b: Uint8Array) => void, ctx: VrrpPacketContext): Uint8Array {
  const out = Uint8Array.from(bytes);
  edit(out);
  out[6] = 0;
  out[7] = 0;
  const version = (out[0] ?? 0) >> 4;
  const sum = internetChecksum(version === 3 ? [vrrpPseudoHeader(ctx, out.length), out] : [out]);
  out[6] = sum >> 8;
  out[7] = sum & 0xff;
  return out;
}

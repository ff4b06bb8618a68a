/**
 * The params file of the VRRP lab director (director-main.ts): one VRRP instance as JSON, parsed into
 * ha/'s VrrpInstanceSettings with keepalived's defaults for what is left out. For integration tests and
 * manual experiments in network namespaces; the daemon reads the real config instead. Pure.
 */
import { z } from 'zod';
import { parseIpAddress, parseIpPrefix, type IpAddress, type IpPrefix } from '../core/ip.js';
import { err, ok, type Result } from '../core/result.js';
import { KEEPALIVED_GARP_SETTINGS } from '../../ha/garp-schedule.js';
import { simpleTextAuthData } from '../../ha/vrrp-packet.js';
import { VRRP_SETTINGS_DEFAULTS, type VipSpec, type VrrpInstanceSettings } from '../../ha/vrrp-instance-settings.js';
import type { KernelTransportChoice } from '../../ha/kernel-vrrp-deps.js';

const paramsSchema = z.strictObject({
  name: z.string().min(1).default('VI_1'),
  interface: z.string().min(1).max(15),
  vrid: z.number().int(),
  version: z.union([z.literal(2), z.literal(3)]).default(3),
  priority: z.number().int().default(100),
  advertIntervalCs: z.number().int().default(100),
  /** The interface's primary IPv4 address, or its IPv6 link-local address. */
  primaryAddress: z.string(),
  vips: z.array(z.string()).min(1),
  excludedVips: z.array(z.string()).default([]),
  unicastPeers: z.array(z.string()).default([]),
  preempt: z.boolean().default(true),
  preemptDelayMs: z.number().default(0),
  /** Default: 100 ms, or one advert interval when that is shorter. */
  handoverReleaseDelayMs: z.number().optional(),
  authPass: z.string().optional(),
  transport: z.enum(['ip', 'udp']).default('ip'),
  udpPort: z.number().int().min(1).max(65535).default(1985),
  garp: z
    .strictObject({
      masterRepeat: z.number().int().optional(),
      masterDelayMs: z.number().optional(),
      masterRefreshMs: z.number().optional(),
      masterRefreshRepeat: z.number().int().optional(),
      lowerPrioRepeat: z.number().int().optional(),
      lowerPrioDelayMs: z.number().optional(),
      intervalMs: z.number().optional(),
    })
    .default({}),
  logLevel: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
});

export interface DirectorParams {
  readonly settings: VrrpInstanceSettings;
  readonly transport: KernelTransportChoice;
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
}

export function parseDirectorParams(json: unknown): Result<DirectorParams, string> {
  const parsed = paramsSchema.safeParse(json);
  if (!parsed.success) return err(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const p = parsed.data;
  try {
    const vip = (text: string): VipSpec => ({ address: prefix(text) });
    const authData = p.authPass === undefined ? undefined : simpleTextAuthData(p.authPass);
    if (p.authPass !== undefined && authData === undefined) return err('authPass: at most 8 bytes');
    const settings: VrrpInstanceSettings = {
      ...VRRP_SETTINGS_DEFAULTS,
      name: p.name,
      interfaceName: p.interface,
      vrid: p.vrid,
      version: p.version,
      priority: p.priority,
      adverIntervalCs: p.advertIntervalCs,
      primaryAddress: address(p.primaryAddress),
      preemptMode: p.preempt ? 'preempt' : 'nopreempt',
      preemptDelayMs: p.preemptDelayMs,
      vips: p.vips.map(vip),
      excludedVips: p.excludedVips.map(vip),
      unicastPeers: p.unicastPeers.map(address),
      authentication: authData === undefined ? { type: 'none' } : { type: 'simple-text-password', authData },
      garp: { ...KEEPALIVED_GARP_SETTINGS, ...definedOnly(p.garp) },
      handoverReleaseDelayMs: p.handoverReleaseDelayMs ?? Math.min(100, p.advertIntervalCs * 10),
    };
    const transport: KernelTransportChoice = p.transport === 'udp' ? { kind: 'udp', port: p.udpPort } : { kind: 'ip' };
    return ok({ settings, transport, logLevel: p.logLevel });
  } catch (e) {
    return err((e as Error).message);
  }
}

function definedOnly<T extends Record<string, number | undefined>>(values: T): { [K in keyof T]?: number } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: number };
}

function address(text: string): IpAddress {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function prefix(text: string): IpPrefix {
  const r = parseIpPrefix(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

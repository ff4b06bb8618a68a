/**
 * What `lvsd realserver setup` changed on this host, kept between runs so that `--undo` restores
 * exactly that and nothing else. Pure: JSON in, a validated value out (and back).
 *
 * A held change remembers the value before lvsd first changed it and which VIPs need it
 * (`holders`). Several VIPs share the ARP sysctls: undoing one VIP keeps a sysctl that another
 * still needs, and the last one out restores the original value.
 * Something that was already as wanted is not held: lvsd did not change it, so undo leaves it.
 */
import { z } from 'zod';
import { err, ok, type Result } from '../core/result.js';

export const REALSERVER_STATE_VERSION = 1;

export type RealServerMethod = 'dr' | 'tun';

export interface RealServerSetupRecord {
  /** The VIP's canonical text (IpAddress.text): the holder name in held changes. */
  readonly vip: string;
  readonly method: RealServerMethod;
  /** Where the VIP lives: lo (DR) or tunl0 (TUN). */
  readonly device: string;
  /** The --interface given on the latest setup, if any. */
  readonly interfaceName?: string;
}

export type HeldChange =
  | {
      readonly kind: 'sysctl';
      /** Path under /proc/sys: net/ipv4/conf/all/arp_ignore. */
      readonly name: string;
      /** Before lvsd changed it. */
      readonly previous: string;
      /** What lvsd wrote. Undo restores `previous` only while the value is still this one. */
      readonly applied: string;
      readonly holders: readonly string[];
    }
  | { readonly kind: 'link-up'; readonly device: string; readonly holders: readonly string[] }
  | { readonly kind: 'address'; readonly device: string; readonly address: string; readonly holders: readonly string[] };

export interface RealServerState {
  readonly version: typeof REALSERVER_STATE_VERSION;
  readonly setups: readonly RealServerSetupRecord[];
  /** In the order they were made; undo walks them backwards. */
  readonly held: readonly HeldChange[];
}

export const EMPTY_REALSERVER_STATE: RealServerState = { version: REALSERVER_STATE_VERSION, setups: [], held: [] };

const holders = z.array(z.string().min(1));
const stateSchema = z.strictObject({
  version: z.literal(REALSERVER_STATE_VERSION),
  setups: z.array(
    z.strictObject({
      vip: z.string().min(1),
      method: z.enum(['dr', 'tun']),
      device: z.string().min(1),
      interfaceName: z.string().min(1).optional(),
    }),
  ),
  held: z.array(
    z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('sysctl'), name: z.string().min(1), previous: z.string(), applied: z.string(), holders }),
      z.strictObject({ kind: z.literal('link-up'), device: z.string().min(1), holders }),
      z.strictObject({ kind: z.literal('address'), device: z.string().min(1), address: z.string().min(1), holders }),
    ]),
  ),
});

/** Validates parsed JSON; the error names the first offending path. */
export function parseRealServerState(json: unknown): Result<RealServerState, string> {
  const parsed = stateSchema.safeParse(json);
  if (parsed.success) return ok(parsed.data as RealServerState);
  const issue = parsed.error.issues[0];
  const path = issue === undefined || issue.path.length === 0 ? '(top level)' : issue.path.join('.');
  return err(`${path}: ${issue?.message ?? 'invalid'}`);
}

/** A stable identity per held change: one entry per sysctl, link or address. */
export function heldKey(change: HeldChange): string {
  switch (change.kind) {
    case 'sysctl':
      return `sysctl ${change.name}`;
    case 'link-up':
      return `link-up ${change.device}`;
    case 'address':
      return `address ${change.device} ${change.address}`;
  }
}

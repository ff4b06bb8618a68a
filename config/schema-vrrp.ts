/**
 * The `vrrp` section of the one schema: instances, tracked scripts and files, sync groups, and the
 * defaults keepalived sets in `global_defs` (vrrp_version, vrrp_garp_*). Defaults are keepalived's,
 * so an imported keepalived.conf behaves as it did. Cross-field rules: rules-vrrp.ts.
 */
import { z } from 'zod';
import type { IpPrefix } from '../src/core/ip.js';
import { commandLine, duration, interfaceName, ipAddress, ipPrefix, objectName, port } from './schema-values.js';

/** A tracker's weight: keepalived's -253..253; 0 means a failure puts the instance in FAULT. */
const trackerWeight = z.number().int().min(-253).max(253);

const garpSchema = z
  .strictObject({
    /** Second GARP/NA burst this long after becoming master; 0s: none (keepalived garp_master_delay). */
    masterDelay: duration.optional(),
    /** GARPs per burst (keepalived garp_master_repeat). */
    masterRepeat: z.number().int().min(1).max(255).optional(),
    /** Periodic GARP while master; 0s: none (keepalived garp_master_refresh). */
    masterRefresh: duration.optional(),
    masterRefreshRepeat: z.number().int().min(1).max(255).optional(),
    /** Burst when the master hears a lower-priority advert: split-brain repair (keepalived garp_lower_prio_*). */
    lowerPrioDelay: duration.optional(),
    lowerPrioRepeat: z.number().int().min(1).max(255).optional(),
  })
  .describe('Gratuitous ARP / unsolicited neighbour advertisement settings; unset values come from vrrp.defaults.garp.');

/** A VIP: "192.0.2.50/32" or { address, label, interface }; the model always holds the object form. */
export interface VipConfig {
  readonly address: IpPrefix;
  readonly label?: string | undefined;
  readonly interface?: string | undefined;
}

const vipSchema = z.union([
  ipPrefix.transform((address): VipConfig => ({ address })),
  z.strictObject({
    address: ipPrefix,
    /** IPv4 only: the address label (ip addr ... label), at most 15 characters. */
    label: z.string().regex(/^[A-Za-z0-9_.:-]{1,15}$/, { error: 'expected a label of at most 15 characters' }).optional(),
    /** Another interface than the instance's. */
    interface: interfaceName.optional(),
  }),
]);

const notifySchema = z
  .strictObject({
    /** keepalived notify_master / notify_backup / notify_fault / notify_stop: run on that transition. */
    master: commandLine.optional(),
    backup: commandLine.optional(),
    fault: commandLine.optional(),
    stop: commandLine.optional(),
    /** keepalived notify: run on every transition with TYPE NAME STATE PRIORITY appended. */
    any: commandLine.optional(),
  })
  .describe('Scripts run on state transitions, with keepalived\'s arguments.');

const trackersSchema = {
  trackInterfaces: z.array(z.strictObject({ interface: interfaceName, weight: trackerWeight.default(0), isReversed: z.boolean().default(false) })).default([]),
  trackScripts: z.array(z.strictObject({ script: objectName, weight: trackerWeight.optional(), isReversed: z.boolean().default(false) })).default([]),
  trackFiles: z.array(z.strictObject({ file: objectName, weight: trackerWeight.optional(), isReversed: z.boolean().default(false) })).default([]),
};

/** An HMAC key in hexadecimal: at least 16 bytes (`openssl rand -hex 32` gives 32). */
const hmacKeyHex = z
  .string({ error: 'expected the key as a quoted string of hexadecimal digits' })
  .transform((text) => text.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^(?:[0-9a-fA-F]{2}){16,}$/, { error: 'expected at least 16 bytes in hexadecimal (openssl rand -hex 32)' }));

const authenticationSchema = z.discriminatedUnion('type', [
  /** VRRPv2 simple text password (RFC 2338; keepalived auth_type PASS): at most 8 characters, sent in clear. */
  z.strictObject({ type: z.literal('pass'), password: z.string().min(1).max(8) }),
  /**
   * lvsd-to-lvsd only (VRRPv3): every advert carries a sequence number and an HMAC-SHA256 of it (ha/vrrp-hmac.ts);
   * forged and replayed adverts are dropped and counted. keepalived and routers drop these adverts, so every
   * peer of the instance must be an lvsd with the same key. The key, in hexadecimal: in a file (keyFile, read
   * at start; keep it mode 0600) or, for labs and tests, inline (key). Exactly one of the two.
   */
  z.strictObject({
    type: z.literal('hmac-sha256'),
    keyFile: z.string().regex(/^\//, { error: 'expected an absolute path' }).optional(),
    key: hmacKeyHex.optional(),
  }),
]);

export const vrrpInstanceSchema = z.strictObject({
  name: objectName,
  interface: interfaceName,
  /** VRID, 1-255 (keepalived virtual_router_id). */
  vrid: z.number().int().min(1).max(255),
  /** 1-255; 255 is the address owner. Default: 255 when initialState is master, else 100 (as keepalived). */
  priority: z.number().int().min(1).max(255).optional(),
  /** VRRP version; default vrrp.defaults.version. IPv6 needs 3. */
  version: z.union([z.literal(2), z.literal(3)]).optional(),
  /** keepalived `state`: only a start-up wish; the election decides. */
  initialState: z.enum(['backup', 'master']).default('backup'),
  /** v2: whole seconds, 1-255 s; v3: 10 ms steps, up to 40.95 s. */
  advertInterval: duration.prefault('1s'),
  /** A higher-priority backup takes over from a lower-priority master (keepalived: not nopreempt). */
  preempt: z.boolean().default(true),
  /**
   * The instance's own interface is tracked at weight 0: while it is down (no carrier, or down), the
   * instance is in FAULT, holds no VIP and sends nothing, as keepalived does unless dont_track_primary.
   */
  isPrimaryTracked: z.boolean().default(true),
  /** Wait this long before preempting after start-up (keepalived preempt_delay, 0-1000 s). */
  preemptDelay: duration.prefault('0s'),
  /** Adverts go to these peers instead of the multicast group (keepalived unicast_peer, unicast_src_ip). */
  unicast: z.strictObject({ source: ipAddress.optional(), peers: z.array(ipAddress).min(1) }).optional(),
  /** ip: IP protocol 112 (interoperates with keepalived and routers); udp: the same packets over UDP between lvsd directors. */
  transport: z.enum(['ip', 'udp']).default('ip'),
  /** UDP transport port. */
  udpPort: port.default(1985),
  vips: z.array(vipSchema).default([]),
  /** Addresses managed with the VIPs but not carried in adverts (keepalived virtual_ipaddress_excluded). */
  excludedVips: z.array(vipSchema).default([]),
  /**
   * A macvlan with the VRRP virtual MAC 00:00:5e:00:01:VRID (IPv6: 00:00:5e:00:02:VRID) carries the VIPs
   * and sends the adverts (keepalived use_vmac); named "vrrp.VRID" unless `interface` is given.
   */
  virtualMac: z.union([z.boolean(), z.strictObject({ interface: interfaceName })]).default(false),
  garp: garpSchema.prefault({}),
  authentication: authenticationSchema.optional(),
  notify: notifySchema.prefault({}),
  ...trackersSchema,
});

const vrrpScriptSchema = z.strictObject({
  name: objectName,
  command: commandLine,
  interval: duration.prefault('1s'),
  /** Default: the interval. */
  timeout: duration.optional(),
  weight: trackerWeight.default(0),
  isReversed: z.boolean().default(false),
  rise: z.number().int().min(1).max(1000).default(1),
  fall: z.number().int().min(1).max(1000).default(1),
  /** Run as this user instead of global.scripts.user. */
  user: z.string().regex(/^[a-z_][a-z0-9_-]*$/i).optional(),
  /** Start in the failed state until the first success (keepalived init_fail). */
  isInitiallyFailed: z.boolean().default(false),
});

const trackFileSchema = z.strictObject({
  name: objectName,
  path: z.string().regex(/^\//, { error: 'expected an absolute path' }),
  weight: trackerWeight.default(1),
  isReversed: z.boolean().default(false),
  /** Create the file with this value when it is missing (keepalived init_file). */
  initialValue: z.number().int().optional(),
});

/**
 * keepalived's vrrp_sync_group: the members move together (all FAULT when one's trackers fail, all BACKUP
 * when a master member yields, MASTER only when every member wants it). The group's trackers apply to
 * every member with their weights; a member's own weighted trackers follow keepalived's rule unless
 * isTrackingWeighted: a weighted interface counts as weight 0 (its failure is FAULT), a weighted script
 * and a tracked file of weight other than 0 or 1 are ignored, a file of weight 1 counts as weight 0.
 */
const syncGroupSchema = z.strictObject({
  name: objectName,
  members: z.array(objectName).min(1),
  notify: notifySchema.prefault({}),
  /** keepalived sync_group_tracking_weight: members' own tracker weights apply (keepalived warns this "probably won't work"). */
  isTrackingWeighted: z.boolean().default(false),
  ...trackersSchema,
});

export const vrrpSchema = z
  .strictObject({
    defaults: z
      .strictObject({
        /** keepalived vrrp_version (its default is 2). */
        version: z.union([z.literal(2), z.literal(3)]).default(2),
        garp: garpSchema.prefault({}),
      })
      .prefault({}),
    instances: z.array(vrrpInstanceSchema).default([]),
    scripts: z.array(vrrpScriptSchema).default([]),
    trackFiles: z.array(trackFileSchema).default([]),
    syncGroups: z.array(syncGroupSchema).default([]),
    /** Append every VRRP event (transitions with their reason, VIP changes, GARP rounds) as JSON lines. */
    eventLog: z.string().regex(/^\//, { error: 'expected an absolute path' }).optional(),
  })
  .describe('VRRP between directors: the instances that float VIPs, their trackers and sync groups.');

export type VrrpConfig = z.output<typeof vrrpSchema>;
export type VrrpInstanceConfig = z.output<typeof vrrpInstanceSchema>;

/** keepalived's GARP defaults (vrrp_garp_master_delay 5 s, _repeat 5, _refresh 0, lower prio = master). */
export const KEEPALIVED_GARP_DEFAULTS = {
  masterDelayMs: 5000,
  masterRepeat: 5,
  masterRefreshMs: 0,
  masterRefreshRepeat: 1,
} as const;

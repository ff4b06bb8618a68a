/**
 * The `ipvs` section of the one schema: virtual services, their real servers, virtual server groups,
 * connection timeouts and the kernel settings lvsd manages. Defaults are keepalived's and ipvsadm's
 * (scheduler wlc, forwarding NAT, weight 1). Cross-field rules: rules-ipvs.ts.
 */
import { z } from 'zod';
import { duration, ipAddress, port } from './schema-values.js';
import { realServerHealthFields, virtualServerHealthFields } from './schema-health.js';

export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'sh', 'dh', 'sed', 'nq', 'mh', 'fo', 'ovf'] as const;
export const SCHEDULER_FLAGS = ['sh-fallback', 'sh-port', 'mh-fallback', 'mh-port', 'flag-1', 'flag-2', 'flag-3'] as const;

/** nat (masquerading, ipvsadm -m), dr (direct routing, -g), tun (IP tunnelling, -i). */
const forwardingMethod = z.enum(['nat', 'dr', 'tun']);

const tunnelSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ipip') }),
  z.strictObject({ type: z.literal('gue'), port, checksum: z.enum(['nocsum', 'csum', 'remcsum']).default('nocsum') }),
  z.strictObject({ type: z.literal('gre'), checksum: z.enum(['nocsum', 'csum', 'remcsum']).default('nocsum') }),
]);

const realServerSchema = z.strictObject({
  address: ipAddress,
  /** Default: the virtual service's port (0 for firewall-mark services: keep the client's port). */
  port: z.number().int().min(0).max(65535).optional(),
  /** 0: quiescent (no new connections). */
  weight: z.number().int().min(0).max(65535).default(1),
  /** Default: the virtual server's forwarding. */
  forwarding: forwardingMethod.optional(),
  tunnel: tunnelSchema.optional(),
  /** Stop new connections above this many (ipvsadm -x, keepalived uthreshold); 0: no limit. */
  upperThreshold: z.number().int().min(0).default(0),
  /** Accept new connections again below this many (-y, lthreshold). */
  lowerThreshold: z.number().int().min(0).default(0),
  ...realServerHealthFields,
});

const persistenceSchema = z.strictObject({
  timeout: duration,
  /** Clients of one network (this prefix length) stick to one real server; default: one client address. */
  netmaskPrefixLength: z.number().int().min(0).max(128).optional(),
  /** Persistence engine (ipvsadm --pe), such as sip. */
  engine: z.string().regex(/^[a-z0-9_]{1,16}$/).optional(),
});

export const virtualServerSchema = z.strictObject({
  /** An IP service: address, port and protocol (keepalived `virtual_server IP PORT`). */
  address: ipAddress.optional(),
  port: z.number().int().min(0).max(65535).optional(),
  protocol: z.enum(['tcp', 'udp', 'sctp']).default('tcp'),
  /** A firewall-mark service (keepalived `virtual_server fwmark N`), with its address family. */
  fwmark: z.number().int().min(1).max(0xffffffff).optional(),
  family: z.union([z.literal(4), z.literal(6)]).default(4),
  /** Every member of a virtual server group gets this service (keepalived `virtual_server group NAME`). */
  group: z.string().min(1).optional(),
  scheduler: z.enum(SCHEDULERS).default('wlc'),
  schedulerFlags: z.array(z.enum(SCHEDULER_FLAGS)).default([]),
  persistence: persistenceSchema.optional(),
  /** One-packet scheduling for UDP (ipvsadm -o, keepalived ops). */
  isOnePacket: z.boolean().default(false),
  /** Forwarding of real servers that do not set their own (keepalived lb_kind / lvs_method). */
  forwarding: forwardingMethod.default('nat'),
  tunnel: tunnelSchema.optional(),
  realServers: z.array(realServerSchema).default([]),
  /**
   * Takes the traffic while the service has no quorum (keepalived sorry_server): the live real servers
   * leave the table (drained) and return when quorum does. With isInhibitedOnFailure (keepalived
   * sorry_server_inhibit) it stays in the table with weight 0 while not needed.
   */
  sorryServer: realServerSchema.optional(),
  ...virtualServerHealthFields,
});

/** A member of a virtual server group: "192.0.2.10:80", "192.0.2.10-20:80" (a range of the last part), or a mark. */
const groupMemberSchema = z.union([
  z.strictObject({ address: ipAddress, lastAddress: ipAddress.optional(), port: z.number().int().min(0).max(65535) }),
  z.strictObject({ fwmark: z.number().int().min(1).max(0xffffffff) }),
]);

export const ipvsSchema = z
  .strictObject({
    virtualServers: z.array(virtualServerSchema).default([]),
    virtualServerGroups: z.array(z.strictObject({ name: z.string().min(1), members: z.array(groupMemberSchema).min(1) })).default([]),
    /** Connection timeouts (keepalived lvs_timeouts, ipvsadm --set); unset: the kernel's. */
    timeouts: z.strictObject({ tcp: duration.optional(), tcpFin: duration.optional(), udp: duration.optional() }).optional(),
    /** Removing a real server: weight 0 first, then delete once its connections are gone or after this long. */
    drainTimeout: duration.prefault('30s'),
    /** How often the kernel table is compared with the config and repaired. */
    repairInterval: duration.prefault('10s'),
    /**
     * net.ipv4.vs sysctls lvsd sets so that removal takes effect at once. Measured in our lab: with
     * expire_nodest_conn=0 clients kept reaching a removed real server for 4 s.
     */
    sysctls: z
      .strictObject({
        expireNodestConn: z.boolean().default(true),
        expireQuiescentTemplate: z.boolean().default(true),
      })
      .prefault({}),
  })
  .describe('IPVS: the virtual services lvsd programs into the kernel, and how it keeps them there.');

export type IpvsConfig = z.output<typeof ipvsSchema>;
export type VirtualServerConfig = z.output<typeof virtualServerSchema>;
export type RealServerConfig = z.output<typeof realServerSchema>;

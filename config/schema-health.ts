/**
 * Health checks of real servers (issue 5), part of the `ipvs` section: each real server lists its
 * checks; a virtual server sets the defaults of timing and behaviour. HAProxy's semantics (rise,
 * fall, interval, fastInterval, downInterval, slowStart) with keepalived's checkers; a keepalived.conf
 * is translated onto them (delay_loop, retry, delay_before_retry, connect_timeout...).
 */
import { z } from 'zod';
import { splitCommandLine } from '../src/core/command-line.js';
import { commandLine, duration, ipAddress, port } from './schema-values.js';

/** A script line: split as keepalived splits it (quotes group words), run without a shell. */
const scriptLine = commandLine.refine((text) => splitCommandLine(text).ok, { error: 'expected a command line with balanced quotes' });

/** Timing and hysteresis of one check; unset values come from its real server's healthCheckDefaults, then the virtual server's. */
export const checkTimingFields = {
  /** Between probes while up (HAProxy inter, keepalived delay_loop). */
  interval: duration.optional(),
  /** While changing state and before the first result (HAProxy fastinter, keepalived delay_before_retry). */
  fastInterval: duration.optional(),
  /** While down (HAProxy downinter). */
  downInterval: duration.optional(),
  /** Each probe's limit (keepalived connect_timeout). */
  timeout: duration.optional(),
  rise: z.number().int().min(1).max(100).optional(),
  fall: z.number().int().min(1).max(100).optional(),
  /** Start down until the first success (keepalived alpha). */
  isAlpha: z.boolean().optional(),
  /**
   * The first probe after start fires at a random moment within this (keepalived warmup; "0s": at
   * once). Unset: within fastInterval. keepalived's own default is delay_loop; lvsd's keeps the first
   * round short, since VRRP does not preempt before it completes.
   */
  warmup: duration.optional(),
};

const pattern = z.strictObject({ regex: z.string().min(1) });

/** 200, or a range "200-299" (keepalived status_code takes both). */
const statusCode = z.union([
  z.number().int().min(100).max(599).transform((n) => ({ from: n, to: n })),
  z
    .string()
    .regex(/^[1-5]\d\d-[1-5]\d\d$/, { error: 'expected a status code or a range such as "200-299"' })
    .transform((text, ctx) => {
      const [from, to] = text.split('-').map(Number);
      if (from === undefined || to === undefined || from > to) {
        ctx.addIssue({ code: 'custom', message: `"${text}" goes downwards` });
        return z.NEVER;
      }
      return { from, to };
    }),
]);

const urlPath = z.string().regex(/^\//, { error: 'expected a path starting with /' });

/** One more request of an HTTP check (keepalived's second and later `url` blocks). */
const extraUrl = z.strictObject({
  path: urlPath,
  host: z.string().min(1).optional(),
  statusCodes: z.array(statusCode).min(1).optional(),
  body: pattern.optional(),
  digest: z.string().regex(/^[0-9a-fA-F]{32}$/, { error: 'expected an MD5 digest: 32 hex digits' }).optional(),
});

const httpFields = {
  port: port.optional(),
  method: z.enum(['GET', 'HEAD', 'POST', 'OPTIONS']).optional(),
  path: urlPath.optional(),
  /** Host header (keepalived virtualhost). */
  host: z.string().min(1).optional(),
  /** Accepted status codes and ranges; default 200-299. */
  statusCodes: z.array(statusCode).min(1).optional(),
  /** The body must match (keepalived regex). */
  body: pattern.optional(),
  /** MD5 of the body, hex (keepalived digest). */
  digest: z.string().regex(/^[0-9a-fA-F]{32}$/, { error: 'expected an MD5 digest: 32 hex digits' }).optional(),
  bindAddress: ipAddress.optional(),
  /**
   * Further requests, each judged on its own fields (unset ones: 200-299, no body test); the check is
   * up only while every request passes (keepalived: several `url` blocks, all must pass). Each runs as
   * its own probe with the check's timing.
   */
  urls: z.array(extraUrl).optional(),
};

export const healthCheckSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('tcp'), port: port.optional(), send: z.string().optional(), expect: pattern.optional(), bindAddress: ipAddress.optional(), ...checkTimingFields }),
  z.strictObject({ type: z.literal('http'), ...httpFields, ...checkTimingFields }),
  z.strictObject({
    type: z.literal('https'),
    ...httpFields,
    /** Certificate verification is on by default; keepalived's SSL_GET never verifies. */
    tls: z.strictObject({ isVerifyDisabled: z.boolean().default(false), serverName: z.string().min(1).optional() }).prefault({}),
    ...checkTimingFields,
  }),
  z.strictObject({
    type: z.literal('udp'),
    port: port.optional(),
    /** Hex bytes to send (keepalived payload); default an empty datagram. */
    payloadHex: z.string().regex(/^(\s*[0-9a-fA-F]{2})*\s*$/, { error: 'expected hex bytes such as "0a0b0c"' }).optional(),
    /** A reply is required, matching these hex bytes where X is any nibble (keepalived require_reply). */
    requireReplyHex: z.string().regex(/^(\s*[0-9a-fA-FxX]{2})*\s*$/, { error: 'expected hex bytes, X for any nibble' }).optional(),
    minReplyBytes: z.number().int().min(0).optional(),
    maxReplyBytes: z.number().int().min(1).optional(),
    bindAddress: ipAddress.optional(),
    ...checkTimingFields,
  }),
  z.strictObject({
    type: z.literal('dns'),
    port: port.optional(),
    queryType: z.enum(['A', 'AAAA', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'PTR']).optional(),
    name: z.string().min(1).optional(),
    expectedAnswers: z.array(z.string().min(1)).optional(),
    ...checkTimingFields,
  }),
  z.strictObject({ type: z.literal('smtp'), port: port.optional(), heloName: z.string().min(1).optional(), ...checkTimingFields }),
  z.strictObject({ type: z.literal('icmp'), ...checkTimingFields }),
  /** An external program (keepalived MISC_CHECK): exit 0 up; with isDynamic, exit 2-255 sets the weight to code - 2. */
  z.strictObject({ type: z.literal('exec'), command: commandLine, isDynamic: z.boolean().default(false), ...checkTimingFields }),
  /** A watched file (keepalived FILE_CHECK). */
  z.strictObject({ type: z.literal('file'), path: z.string().regex(/^\//, { error: 'expected an absolute path' }), weight: z.number().int().default(0), isReversed: z.boolean().default(false), ...checkTimingFields }),
  /** HAProxy's agent check: one line with N%, ready, drain, maint, up, down. */
  z.strictObject({ type: z.literal('agent'), port, send: z.string().optional(), ...checkTimingFields }),
]);

export type HealthCheckConfig = z.output<typeof healthCheckSchema>;

/** Real-server fields about health (merged into the real server schema). */
export const realServerHealthFields = {
  healthChecks: z.array(healthCheckSchema).default([]),
  /**
   * Timing defaults of this real server's checks, between each check's own and the service's
   * healthCheckDefaults: keepalived's retry, delay_before_retry, connect_timeout, delay_loop, warmup
   * and alpha written on a real_server (its translator writes those onto the checks themselves).
   */
  healthCheckDefaults: z.strictObject(checkTimingFields).optional(),
  /** Keep a failed server with weight 0 instead of removing it (keepalived inhibit_on_failure); default the service's. */
  isInhibitedOnFailure: z.boolean().optional(),
  /** A recovered server's weight ramps up over this long (HAProxy slowstart); default the service's. */
  slowStart: duration.optional(),
  /**
   * keepalived notify_up / notify_down: run when the server's health changes to up or down (not at
   * start), as written, without arguments added; one at a time, in order, under a timeout.
   */
  notify: z.strictObject({ up: scriptLine.optional(), down: scriptLine.optional() }).prefault({}),
};

/** Virtual-server fields about health. */
export const virtualServerHealthFields = {
  /** Timing defaults of this service's checks: HAProxy's (2s, rise 2, fall 3) unless set. */
  healthCheckDefaults: z.strictObject(checkTimingFields).prefault({}),
  isInhibitedOnFailure: z.boolean().default(false),
  slowStart: duration.prefault('0s'),
  /**
   * keepalived quorum and hysteresis: the service has quorum while the weights of its live real
   * servers add up to at least `weight`; once it has, it loses it below `weight - hysteresis` (or at a
   * sum of 0); once lost, it regains it at `weight + hysteresis`. Without quorum the sorry server, if
   * any, replaces the live real servers.
   */
  quorum: z.strictObject({ weight: z.number().int().min(1).max(0xffffffff).default(1), hysteresis: z.number().int().min(0).max(0xffffffff).default(0) }).prefault({}),
  notify: z
    .strictObject({
      /** keepalived quorum_up: run when the service gains quorum (not at start). */
      quorumUp: scriptLine.optional(),
      /** keepalived quorum_down: run when it loses quorum, and at start without quorum when it has a sorry server. */
      quorumDown: scriptLine.optional(),
      /** keepalived omega: at stop, run notify.down of every live real server, then quorumDown. */
      isRunAtStop: z.boolean().default(false),
    })
    .prefault({}),
};

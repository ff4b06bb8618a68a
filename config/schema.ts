/**
 * The one schema of lvsd's configuration (STYLE 9): the single source of its types, defaults and
 * documentation. Both syntaxes (native YAML, keepalived.conf) are translated into data of this shape
 * and validated here. Later features add their sections to this file's `configSchema`.
 */
import { z } from 'zod';
import { duration, port } from './schema-values.js';
import { vrrpSchema } from './schema-vrrp.js';
import { ipvsSchema } from './schema-ipvs.js';

export { duration, formatDurationMs, parseDurationMs, port } from './schema-values.js';

/** A host name or an IP address (checked for shape here; resolved by whoever connects). */
const hostName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_%-]+$/, { error: 'expected a host name or an IP address' });

/**
 * Mail addresses as operators write them: `ops@example.com`, `root@localhost`, or a bare local part
 * (`root`, as in keepalived's samples) that the local mail relay qualifies with its own domain.
 */
const mailAddress = z.string().regex(/^[^\s@<>,;]+(@[^\s@<>,;]+)?$/, { error: 'expected a mail address such as ops@example.com' });

const absolutePath = z.string().regex(/^\//, { error: 'expected an absolute path' });

const notificationSchema = z
  .strictObject({
    /** Addresses that receive notification mail (keepalived `notification_email`). */
    email: z.array(mailAddress).default([]),
    /** Sender address (keepalived `notification_email_from`). */
    from: mailAddress.optional(),
    /** SMTP relay (keepalived `smtp_server`). */
    smtpServer: hostName.optional(),
    smtpPort: port.default(25),
    /** Name sent in HELO (keepalived `smtp_helo_name`). */
    smtpHeloName: hostName.optional(),
    /** keepalived `smtp_connect_timeout`. */
    smtpConnectTimeout: duration.prefault('30s'),
  })
  .describe('Where lvsd sends notification mail about state changes.');

const scriptsSchema = z
  .strictObject({
    /** User (and optional group) that runs notify, track and check scripts (keepalived `script_user`). */
    user: z.string().regex(/^[a-z_][a-z0-9_-]*$/i, { error: 'expected a user name' }).optional(),
    group: z.string().regex(/^[a-z_][a-z0-9_-]*$/i, { error: 'expected a group name' }).optional(),
    /** Refuse scripts that a non-root user could modify (keepalived `enable_script_security`). */
    isSecurityEnforced: z.boolean().default(false),
  })
  .describe('How external scripts are run.');

const globalSchema = z
  .strictObject({
    /** This director's name in logs, status and notifications (keepalived `router_id`). Default: the host name. */
    routerId: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected letters, digits, ".", "_" or "-"' })
      .optional(),
    notification: notificationSchema.prefault({}),
    scripts: scriptsSchema.prefault({}),
  })
  .describe('Settings of the whole director (keepalived `global_defs`).');

const daemonSchema = z
  .strictObject({
    pidFile: absolutePath.default('/run/lvsd/lvsd.pid'),
    /** Unix socket for `lvsd status` and other control commands. */
    controlSocket: absolutePath.default('/run/lvsd/lvsd.sock'),
    /** Where lvsd keeps state across restarts (which IPVS services it owns). */
    stateDir: absolutePath.default('/var/lib/lvsd'),
    /** How long components may take to stop before the daemon exits anyway. */
    stopTimeout: duration.prefault('10s'),
  })
  .describe('The lvsd process itself.');

const logSchema = z
  .strictObject({
    level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
    /** auto: readable lines on a terminal, JSON lines otherwise. */
    format: z.enum(['auto', 'json', 'text']).default('auto'),
    /** Also append JSON lines to this file. */
    file: absolutePath.optional(),
  })
  .describe('Logging.');

export const configSchema = z.strictObject({
  /** Version of this file format. */
  version: z.literal(1).default(1),
  global: globalSchema.prefault({}),
  daemon: daemonSchema.prefault({}),
  log: logSchema.prefault({}),
  vrrp: vrrpSchema.prefault({}),
  ipvs: ipvsSchema.prefault({}),
});

/** The validated configuration, with every default filled in. */
export type LvsdConfig = z.output<typeof configSchema>;
/** What a user may write (defaults optional). */
export type LvsdConfigInput = z.input<typeof configSchema>;

/** Value types shared by the schema's sections: durations, addresses, names. Pure. */
import { z } from 'zod';
import { parseIpAddress, parseIpPrefix, type IpAddress, type IpPrefix } from '../src/core/ip.js';

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "250ms", "1s", "1.5s", "2m", "1h" to milliseconds. A bare number is refused: its unit would be a guess. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (m === null) return undefined;
  const ms = Number(m[1]) * (DURATION_UNITS_MS[m[2] ?? ''] ?? Number.NaN);
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** Renders milliseconds back as the shortest exact duration string. */
export function formatDurationMs(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** A duration written with its unit; the model holds milliseconds. */
export const duration = z
  .string({ error: 'expected a duration with a unit, such as "250ms", "1s" or "2m"' })
  .transform((text, ctx) => {
    const ms = parseDurationMs(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration: write a number and a unit (ms, s, m, h), such as "1s"` });
      return z.NEVER;
    }
    return ms;
  });

export const port = z.number().int().min(1).max(65535);

/** An IP address, parsed into the value type at the config boundary (STYLE 21). */
export const ipAddress = z.string({ error: 'expected an IP address' }).transform((text, ctx): IpAddress => {
  const r = parseIpAddress(text);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.value;
});

/** "192.0.2.50/24", or a bare address meaning a host prefix (/32, /128), as keepalived reads VIPs. */
export const ipPrefix = z.string({ error: 'expected an IP address with an optional /prefix' }).transform((text, ctx): IpPrefix => {
  const r = parseIpPrefix(text);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.value;
});

/** A Linux interface name: at most 15 bytes (IFNAMSIZ - 1), no slash, colon or white space. */
export const interfaceName = z
  .string()
  .regex(/^[A-Za-z0-9_.@-]{1,15}$/, { error: 'expected an interface name (at most 15 characters; letters, digits, "_", ".", "-", "@")' });

/** Names of instances, scripts and groups: referred to by other entries. */
export const objectName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, { error: 'expected a name of letters, digits, "_", ".", ":" or "-" (at most 64)' });

/** A command line, split as keepalived splits scripts (white space; double quotes group words). */
export const commandLine = z.string().min(1, { error: 'expected a command' });

/**
 * From the config to the health scheduler's plan (pure): every real server of every service (a group
 * member counts as a service) that has checks, identified like its IPVS destination
 * ("tcp 192.0.2.50:80 -> 192.0.2.21:80"). Timing: the check's own, else its real server's
 * healthCheckDefaults, else the service's, else HAProxy's (2 s, rise 2, fall 3; fastInterval and
 * downInterval default to the interval, the timeout too; no warmup: first probes within fastInterval).
 */
import { splitCommandLine } from '../core/command-line.js';
import { LvsdError } from '../core/errors.js';
import type { IpvsConfig, VirtualServerConfig } from '../../config/schema-ipvs.js';
import type { HealthCheckConfig } from '../../config/schema-health.js';
import type { CheckSpec } from '../../health/check-spec.js';
import { DEFAULT_CHECK_TIMING, type CheckTiming } from '../../health/hysteresis.js';
import type { HealthPlan, ProbeSpec, RealServerSpec } from '../../health/scheduler.js';
import { parseHexPattern } from '../../health/text-pattern.js';
import { realServerId, serviceKeysOf } from './desired-table.js';

export function buildHealthPlan(config: IpvsConfig): HealthPlan {
  const realServers: RealServerSpec[] = [];
  for (const vs of config.virtualServers) {
    for (const key of serviceKeysOf(vs, config)) {
      for (const rs of vs.realServers) {
        if (rs.healthChecks.length === 0) continue;
        realServers.push({
          id: realServerId(key, rs),
          address: rs.address,
          port: rs.port ?? (key.kind === 'inet' ? key.port : 0),
          weight: rs.weight,
          isInhibitedOnFailure: rs.isInhibitedOnFailure ?? vs.isInhibitedOnFailure,
          slowstartMs: rs.slowStart ?? vs.slowStart,
          checks: rs.healthChecks.flatMap((c) => toCheckSpecs(c).map((check) => ({ check, timing: timingOf(c, vs, rs) }) satisfies ProbeSpec)),
        });
      }
    }
  }
  return { realServers };
}

type CheckTimingConfig = VirtualServerConfig['healthCheckDefaults'];

/** The check's own timing, else its real server's healthCheckDefaults, else its service's, else HAProxy's. */
export function timingOf(check: HealthCheckConfig, vs: VirtualServerConfig, rs: { readonly healthCheckDefaults?: CheckTimingConfig | undefined } = {}): CheckTiming {
  const r: CheckTimingConfig = rs.healthCheckDefaults ?? {};
  const d = vs.healthCheckDefaults;
  const intervalMs = check.interval ?? r.interval ?? d.interval ?? DEFAULT_CHECK_TIMING.intervalMs;
  const warmupMs = check.warmup ?? r.warmup ?? d.warmup;
  return {
    intervalMs,
    fastIntervalMs: check.fastInterval ?? r.fastInterval ?? d.fastInterval ?? intervalMs,
    downIntervalMs: check.downInterval ?? r.downInterval ?? d.downInterval ?? intervalMs,
    timeoutMs: check.timeout ?? r.timeout ?? d.timeout ?? intervalMs,
    rise: check.rise ?? r.rise ?? d.rise ?? DEFAULT_CHECK_TIMING.rise,
    fall: check.fall ?? r.fall ?? d.fall ?? DEFAULT_CHECK_TIMING.fall,
    isAlpha: check.isAlpha ?? r.isAlpha ?? d.isAlpha ?? DEFAULT_CHECK_TIMING.isAlpha,
    ...(warmupMs === undefined ? {} : { warmupMs }),
  };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
/** Keys whose value is undefined become absent keys (exactOptionalPropertyTypes tells the two apart). */
type Compact<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> };
const pick = <T extends object>(o: T): Compact<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Compact<T>;

type HttpCheckConfig = Extract<HealthCheckConfig, { type: 'http' | 'https' }>;
type HttpRequestConfig = Pick<HttpCheckConfig, 'path' | 'host' | 'statusCodes' | 'body' | 'digest'>;

/**
 * The check as probes: one, or for an HTTP check with `urls` one per request (keepalived's several
 * url blocks), each judged alone; the real server is up only while all are. A further url without
 * its own Host header uses the check's.
 */
export function toCheckSpecs(c: HealthCheckConfig): CheckSpec[] {
  if ((c.type !== 'http' && c.type !== 'https') || c.urls === undefined) return [toCheckSpec(c)];
  return [httpSpec(c, c), ...c.urls.map((u) => httpSpec(c, { ...u, ...pick({ host: u.host ?? c.host }) }))];
}

function httpSpec(c: HttpCheckConfig, request: HttpRequestConfig): CheckSpec {
  const params = pick({
    port: c.port,
    bindAddress: c.bindAddress,
    method: c.method,
    path: request.path,
    host: request.host,
    statusCodes: request.statusCodes,
    bodyPattern: request.body === undefined ? undefined : { source: request.body.regex },
    bodyMd5: request.digest?.toLowerCase(),
  });
  if (c.type === 'http') return { kind: 'http', ...params };
  return { kind: 'https', ...params, tls: pick({ isVerifyDisabled: c.tls.isVerifyDisabled, serverName: c.tls.serverName }) };
}

/** The check as the health domain's data. Throws ERR_CONFIG_INVALID for what validation cannot see (a bad command). */
export function toCheckSpec(c: HealthCheckConfig): CheckSpec {
  switch (c.type) {
    case 'tcp':
      return pick({ kind: 'tcp' as const, port: c.port, bindAddress: c.bindAddress, send: c.send === undefined ? undefined : bytes(c.send), expect: c.expect === undefined ? undefined : { source: c.expect.regex } });
    case 'http':
    case 'https':
      return httpSpec(c, c);
    case 'udp': {
      const pattern = c.requireReplyHex === undefined ? undefined : parseHexPattern(c.requireReplyHex);
      if (pattern !== undefined && !pattern.ok) throw new LvsdError('ERR_CONFIG_INVALID', pattern.error);
      const payload = c.payloadHex === undefined ? undefined : parseHexPattern(c.payloadHex);
      const isReplyRequired = pattern !== undefined || c.minReplyBytes !== undefined || c.maxReplyBytes !== undefined;
      return pick({
        kind: 'udp' as const,
        port: c.port,
        bindAddress: c.bindAddress,
        payload: payload?.ok === true ? payload.value.value : undefined,
        reply: isReplyRequired ? pick({ pattern: pattern?.ok === true ? pattern.value : undefined, minBytes: c.minReplyBytes, maxBytes: c.maxReplyBytes }) : undefined,
      });
    }
    case 'dns':
      return pick({ kind: 'dns' as const, port: c.port, type: c.queryType, name: c.name, expectedAnswers: c.expectedAnswers });
    case 'smtp':
      return pick({ kind: 'smtp' as const, port: c.port, heloName: c.heloName });
    case 'icmp':
      return { kind: 'icmp' };
    case 'exec': {
      const argv = splitCommandLine(c.command);
      if (!argv.ok) throw new LvsdError('ERR_CONFIG_INVALID', `health check command: ${argv.error}`);
      const [file, ...args] = argv.value;
      return { kind: 'misc', file: file ?? '', args, isDynamic: c.isDynamic };
    }
    case 'file':
      return { kind: 'file', path: c.path, weight: c.weight, isReversed: c.isReversed };
    case 'agent':
      return pick({ kind: 'agent' as const, port: c.port, send: c.send });
    default:
      return assertNeverCheck(c);
  }
}

function assertNeverCheck(c: never): never {
  throw new Error(`unexpected health check ${JSON.stringify(c)}`);
}

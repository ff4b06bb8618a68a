/**
 * Checks as data: what the config layer produces and the scheduler consumes. A spec is plain data
 * (addresses as IpAddress, bytes as Uint8Array, patterns as source text), so that two virtual
 * services naming the same check on the same real server are recognised as one probe (`checkSpecKey`).
 * `createChecker` is the one place that maps a spec to its module.
 */
import type { Clock } from '../src/core/clock.js';
import type { CommandRunner } from '../src/core/command-runner.js';
import { assertNever } from '../src/core/errors.js';
import { createAgentChecker, type AgentCheckParams } from './agent-checker.js';
import type { HealthChecker } from './checker.js';
import { createDnsChecker, type DnsCheckParams } from './dns-checker.js';
import { createFileChecker, type FileCheckParams } from './file-checker.js';
import { createHttpChecker, type HttpCheckParams } from './http-checker.js';
import { createIcmpChecker, type IcmpEchoTransport } from './icmp-checker.js';
import { createMiscChecker, type MiscCheckParams } from './misc-checker.js';
import { createSmtpChecker, type SmtpCheckParams } from './smtp-checker.js';
import { createTcpChecker, type TcpCheckParams } from './tcp-checker.js';
import { createUdpChecker, type UdpCheckParams } from './udp-checker.js';

export type CheckSpec =
  | ({ readonly kind: 'tcp' } & TcpCheckParams)
  | ({ readonly kind: 'http' } & Omit<HttpCheckParams, 'isTls'>)
  | ({ readonly kind: 'https' } & Omit<HttpCheckParams, 'isTls'>)
  | ({ readonly kind: 'udp' } & UdpCheckParams)
  | ({ readonly kind: 'dns' } & DnsCheckParams)
  | ({ readonly kind: 'smtp' } & SmtpCheckParams)
  | { readonly kind: 'icmp' }
  | ({ readonly kind: 'misc' } & MiscCheckParams)
  | ({ readonly kind: 'file' } & FileCheckParams)
  | ({ readonly kind: 'agent' } & AgentCheckParams);

export type CheckKind = CheckSpec['kind'];

export interface CheckerDeps {
  readonly clock: Clock;
  /** [0, 1): DNS IDs, ICMP identifiers. */
  readonly random: () => number;
  /** For MISC_CHECK. */
  readonly runner: CommandRunner;
  /** For PING_CHECK (icmp-checker.ts `createRawIcmpTransport`). */
  readonly icmp: IcmpEchoTransport;
  /** The environment MISC_CHECK programs start from (see misc-checker.ts). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Builds the checker for a spec. Throws LvsdError ERR_INVALID_ARGUMENT for a spec that cannot work (a bad regex). */
export function createChecker(spec: CheckSpec, deps: CheckerDeps): HealthChecker {
  switch (spec.kind) {
    case 'tcp':
      return createTcpChecker(spec, deps);
    case 'http':
      return createHttpChecker({ ...spec, isTls: false }, deps);
    case 'https':
      return createHttpChecker({ ...spec, isTls: true }, deps);
    case 'udp':
      return createUdpChecker(spec, deps);
    case 'dns':
      return createDnsChecker(spec, deps);
    case 'smtp':
      return createSmtpChecker(spec, deps);
    case 'icmp':
      return createIcmpChecker(deps);
    case 'misc':
      return createMiscChecker(spec, deps);
    case 'file':
      return createFileChecker(spec, deps);
    case 'agent':
      return createAgentChecker(spec, deps);
    default:
      return assertNever(spec, 'check kind');
  }
}

/**
 * A stable text key for any plain-data value: object keys sorted, IP addresses as their text,
 * bytes as hex. Equal specs give equal keys whatever order their fields were written in.
 */
export function stableKey(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(value: unknown): unknown {
  if (value instanceof Uint8Array) return { hex: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') };
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record['text'] === 'string' && record['bytes'] instanceof Uint8Array && typeof record['family'] === 'number') return { ip: record['text'] };
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) {
      if (record[key] !== undefined) out[key] = normalise(record[key]);
    }
    return out;
  }
  return value;
}

export function checkSpecKey(spec: CheckSpec): string {
  return stableKey(spec);
}

/**
 * The messages between the daemon's main thread and its health worker (health-worker-main.ts), and
 * the encoding of what crosses: structured clone keeps plain data and bytes but drops prototypes and
 * cannot carry functions, so IP addresses cross as their text (re-parsed on the other side) and log
 * fields as plain data (an Error as { name, message, code }). Pure: no worker_threads here.
 */
import type { EchoOutcome } from '../../health/icmp-checker.js';
import type { HealthPlan } from '../../health/health-plan.js';
import type { Destination } from '../../health/real-server-verdict.js';
import type { LogFields, LogLevel } from '../core/logger.js';
import { parseIpAddress } from '../core/ip.js';

/** A HealthPlan with every IpAddress replaced by `{ $ip: text }`. */
export type EncodedPlan = { readonly encoded: unknown };

export type ToWorker =
  | { readonly type: 'set-plan'; readonly plan: EncodedPlan }
  | { readonly type: 'start' }
  | { readonly type: 'stop' }
  | { readonly type: 'begin-round' }
  | { readonly type: 'icmp-outcome'; readonly id: number; readonly outcome: EchoOutcome };

export type FromWorker =
  | { readonly type: 'real-server-changed'; readonly realServerId: string; readonly isUp: boolean; readonly destination: Destination }
  | { readonly type: 'real-server-removed'; readonly realServerId: string }
  | { readonly type: 'first-round-complete' }
  | { readonly type: 'status'; readonly probes: number; readonly isRunning: boolean; readonly stalls: number; readonly stalledMs: number }
  | { readonly type: 'plan-refused'; readonly message: string }
  | { readonly type: 'log'; readonly level: LogLevel; readonly message: string; readonly fields: LogFields }
  | { readonly type: 'icmp-echo'; readonly id: number; readonly address: string }
  | { readonly type: 'icmp-abort'; readonly id: number }
  | { readonly type: 'stopped' };

export interface HealthWorkerData {
  readonly plan: EncodedPlan;
  readonly spreadRatio: number;
}

function isIpAddressLike(record: Record<string, unknown>): boolean {
  return typeof record['text'] === 'string' && record['bytes'] instanceof Uint8Array && (record['family'] === 4 || record['family'] === 6);
}

function encodeValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(encodeValue);
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (isIpAddressLike(record)) return { $ip: record['text'] };
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(record)) if (v !== undefined) out[key] = encodeValue(v);
    return out;
  }
  return value;
}

function decodeValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(decodeValue);
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && typeof record['$ip'] === 'string') {
      const parsed = parseIpAddress(record['$ip']);
      if (!parsed.ok) throw new TypeError(`health worker: ${parsed.error}`);
      return parsed.value;
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = decodeValue(record[key]);
    return out;
  }
  return value;
}

export function encodePlan(plan: HealthPlan): EncodedPlan {
  return { encoded: encodeValue(plan) };
}

export function decodePlan(plan: EncodedPlan): HealthPlan {
  return decodeValue(plan.encoded) as HealthPlan;
}

/** Log fields as plain data: Errors as { name, message, code }, IP addresses as text, functions dropped. */
export function toPlainFields(fields: LogFields): LogFields {
  const plain = (value: unknown, depth: number): unknown => {
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      return { name: value.name, message: value.message, ...(typeof code === 'string' ? { code } : {}) };
    }
    if (typeof value === 'function' || typeof value === 'symbol') return undefined;
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Uint8Array || typeof value !== 'object' || value === null) return value;
    if (depth > 8) return '[nested]';
    if (Array.isArray(value)) return value.map((v) => plain(v, depth + 1));
    const record = value as Record<string, unknown>;
    if (isIpAddressLike(record)) return record['text'];
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(record)) {
      const p = plain(v, depth + 1);
      if (p !== undefined) out[key] = p;
    }
    return out;
  };
  return plain(fields, 0) as LogFields;
}

/**
 * FILE_CHECK (keepalived track_file): a number written in a file drives the real server, so that an
 * operator or a tool can take it out or reweight it without a reload.
 * - `weight` 0 (default): 0 is up, any other value is down (`isReversed`: the other way round);
 * - `weight` W: the value x W (x -1 when reversed) is added to the configured weight; at or below
 *   -65535 (IPVS's largest weight) the server is down.
 * As keepalived: a missing or empty file reads as 0. Beyond keepalived: content that is not an
 * integer is a failure (`file-invalid`) instead of a silent 0, and the file is read on each probe
 * (the scheduler's interval) rather than through inotify. At most 128 bytes are read, as keepalived does.
 */
import { open } from 'node:fs/promises';
import type { Clock } from '../src/core/clock.js';
import { abortedFailure, startStopwatch, type CheckResult, type CheckTarget, type HealthChecker } from './checker.js';

export interface FileCheckParams {
  readonly path: string;
  /** Default 0: up/down mode. */
  readonly weight?: number;
  readonly isReversed?: boolean;
}

export const IPVS_WEIGHT_MAX = 65535;
const MAX_FILE_BYTES = 128;

export type FileValueRead = { readonly ok: true; readonly value: number; readonly note: string } | { readonly ok: false; readonly reason: 'file-unreadable' | 'file-invalid'; readonly detail: string };

/** What the file says, as a check result (pure). */
export function judgeFileValue(value: number, params: FileCheckParams): { readonly isUp: boolean; readonly offset?: number } {
  const weight = params.weight ?? 0;
  const sign = params.isReversed === true ? -1 : 1;
  if (weight === 0) return { isUp: (value === 0) !== (params.isReversed === true) };
  const offset = value * weight * sign;
  return offset <= -IPVS_WEIGHT_MAX ? { isUp: false, offset } : { isUp: true, offset };
}

export function parseFileValue(text: string): { readonly ok: true; readonly value: number } | { readonly ok: false } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: 0 };
  if (!/^[-+]?\d{1,15}$/.test(trimmed)) return { ok: false };
  return { ok: true, value: Number(trimmed) };
}

async function readValue(path: string, signal: AbortSignal): Promise<FileValueRead> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: true, value: 0, note: 'file missing, read as 0' };
    return { ok: false, reason: 'file-unreadable', detail: `${path}: ${code ?? (e as Error).message}` };
  }
  try {
    if (signal.aborted) return { ok: false, reason: 'file-unreadable', detail: 'aborted' };
    const buffer = Buffer.alloc(MAX_FILE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_FILE_BYTES, 0);
    const text = buffer.subarray(0, bytesRead).toString('latin1');
    const parsed = parseFileValue(text);
    if (!parsed.ok) return { ok: false, reason: 'file-invalid', detail: `${path} holds ${JSON.stringify(text.slice(0, 40))}, not an integer` };
    return { ok: true, value: parsed.value, note: `value ${parsed.value}` };
  } catch (e) {
    return { ok: false, reason: 'file-unreadable', detail: `${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  } finally {
    await handle.close();
  }
}

export function createFileChecker(params: FileCheckParams, deps: { readonly clock: Clock }): HealthChecker {
  return {
    kind: 'file',
    async check(_target: CheckTarget, signal: AbortSignal): Promise<CheckResult> {
      const elapsed = startStopwatch(deps.clock);
      const read = await readValue(params.path, signal);
      const latencyMs = elapsed();
      if (signal.aborted) return abortedFailure(signal, 'timeout', latencyMs, `a value from ${params.path}`);
      if (!read.ok) return { ok: false, reason: read.reason, detail: read.detail, latencyMs };
      const verdict = judgeFileValue(read.value, params);
      const weight = verdict.offset === undefined ? {} : { weight: { kind: 'offset', value: verdict.offset } as const };
      if (!verdict.isUp) return { ok: false, reason: 'file-down', detail: `${params.path}: ${read.note}`, latencyMs, ...weight };
      return { ok: true, latencyMs, detail: `${params.path}: ${read.note}`, ...weight };
    },
  };
}

/**
 * MISC_CHECK (keepalived): run a program; exit 0 is up, 1 is down. With `isDynamic` (misc_dynamic),
 * exit 2-255 is up with the destination weight set to code - 2, and exit 0 restores the configured
 * weight; without it, any exit but 0 is down. The program runs without a shell in its own process
 * group; when the probe's time is up (or the scheduler stops) the whole group is killed (SIGTERM,
 * SIGKILL 0.5 s later: src/core/command-runner.ts), so a hanging script leaves nothing behind.
 */
import type { Clock } from '../src/core/clock.js';
import type { CommandRunner } from '../src/core/command-runner.js';
import { describeError, isLvsdError } from '../src/core/errors.js';
import { abortedFailure, isProbeTimeout, startStopwatch, type CheckResult, type CheckTarget, type HealthChecker } from './checker.js';

export interface MiscCheckParams {
  /** The program (keepalived `misc_path`, split into argv by the config layer: no shell). */
  readonly file: string;
  readonly args?: readonly string[];
  /** keepalived `misc_dynamic`. */
  readonly isDynamic?: boolean;
  /** keepalived `misc_timeout`: its own limit, when shorter than the probe's timeout. */
  readonly timeoutMs?: number;
}

/** setTimeout's ceiling: the probe's signal is the real limit when the program has none of its own. */
const NO_LIMIT_MS = 2 ** 31 - 1;

export interface MiscCheckDeps {
  readonly clock: Clock;
  readonly runner: CommandRunner;
  /**
   * The environment programs start from (the composition root passes lvsd's own); with it they also
   * get LVSD_RS_ADDRESS and LVSD_RS_PORT. Without it they inherit lvsd's environment unchanged.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export function createMiscChecker(params: MiscCheckParams, deps: MiscCheckDeps): HealthChecker {
  return {
    kind: 'misc',
    async check(target: CheckTarget, signal: AbortSignal): Promise<CheckResult> {
      const elapsed = startStopwatch(deps.clock);
      if (signal.aborted) return abortedFailure(signal, 'program-timeout', elapsed(), 'program exit');
      const env = deps.env === undefined ? undefined : { ...definedOnly(deps.env), LVSD_RS_ADDRESS: target.address.text, LVSD_RS_PORT: String(target.port) };
      let result;
      try {
        result = await deps.runner.run({ file: params.file, args: params.args ?? [], timeoutMs: params.timeoutMs ?? NO_LIMIT_MS, signal, maxOutputBytes: 4096, ...(env === undefined ? {} : { env }) });
      } catch (e) {
        const reason = isLvsdError(e, 'ERR_COMMAND_NOT_FOUND') ? 'program-not-found' : isLvsdError(e, 'ERR_COMMAND_ABORTED') ? 'aborted' : 'program-error';
        return { ok: false, reason, detail: describeError(e), latencyMs: elapsed() };
      }
      const latencyMs = elapsed();
      const said = firstLine(result.stderr) ?? firstLine(result.stdout);
      const suffix = said === undefined ? '' : `: ${said}`;
      if (result.isTimedOut || (result.isAborted && isProbeTimeout(signal))) {
        const limit = result.isTimedOut ? (params.timeoutMs ?? 0) : (signal.reason as { timeoutMs: number }).timeoutMs;
        return { ok: false, reason: 'program-timeout', detail: `${params.file} still running after ${limit} ms: its process group was killed`, latencyMs };
      }
      if (result.isAborted) return { ok: false, reason: 'aborted', detail: `${params.file} stopped: its process group was killed`, latencyMs };
      if (result.exitCode === null) return { ok: false, reason: 'program-killed', detail: `${params.file} killed by ${result.signal ?? 'a signal'}${suffix}`, latencyMs };
      const code = result.exitCode;
      if (code === 0) return { ok: true, latencyMs, detail: 'exit 0', ...(params.isDynamic === true ? { weight: { kind: 'percent', value: 100 } } : {}) };
      if (code >= 2 && params.isDynamic === true) return { ok: true, latencyMs, detail: `exit ${code}: weight ${code - 2}`, weight: { kind: 'absolute', value: code - 2 } };
      return { ok: false, reason: 'program-failed', detail: `${params.file} exited ${code}${suffix}`, latencyMs };
    },
  };
}

function firstLine(text: string): string | undefined {
  const line = text.trim().split('\n')[0]?.trim();
  return line === undefined || line === '' ? undefined : line.slice(0, 200);
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

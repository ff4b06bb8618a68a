/**
 * Runs programs without a shell (argv only, nothing is interpolated), under a timeout, and kills the
 * whole process group on timeout or abort: a hanging script's children die with it.
 */
import { spawn } from 'node:child_process';
import { LvsdError } from './errors.js';

export interface CommandSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly input?: string | Buffer;
  /** Output beyond this many bytes per stream is dropped (and flagged). Default 1 MiB. */
  readonly maxOutputBytes?: number;
}

export interface CommandResult {
  /** Exit code, or null when the process was ended by a signal. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly isTimedOut: boolean;
  readonly isAborted: boolean;
  readonly isOutputTruncated: boolean;
  readonly durationMs: number;
}

export interface CommandRunner {
  /** Resolves with the outcome whatever the exit code; rejects only when the program cannot start. */
  run(spec: CommandSpec): Promise<CommandResult>;
}

/** After SIGTERM to the group, how long before SIGKILL. */
const KILL_GRACE_MS = 500;

export function createProcessRunner(): CommandRunner {
  return { run: runProcess };
}

function runProcess(spec: CommandSpec): Promise<CommandResult> {
  const started = performance.now();
  const maxBytes = spec.maxOutputBytes ?? 1 << 20;
  return new Promise((resolve, reject) => {
    if (spec.signal?.aborted) {
      reject(new LvsdError('ERR_COMMAND_ABORTED', `${spec.file}: aborted before start`, { cause: spec.signal.reason }));
      return;
    }
    const child = spawn(spec.file, [...spec.args], {
      detached: true, // own process group, so the whole tree can be killed
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
      ...(spec.env === undefined ? {} : { env: { ...spec.env } }), // default: inherit the parent's environment
    });
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let isTruncated = false;
    let isTimedOut = false;
    let isAborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      if (outBytes + chunk.length > maxBytes) isTruncated = true;
      if (outBytes < maxBytes) out.push(chunk.subarray(0, maxBytes - outBytes));
      outBytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errBytes + chunk.length > maxBytes) isTruncated = true;
      if (errBytes < maxBytes) errOut.push(chunk.subarray(0, maxBytes - errBytes));
      errBytes += chunk.length;
    });
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      killTimer ??= setTimeout(() => child.pid !== undefined && signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timeout = setTimeout(() => {
      isTimedOut = true;
      killGroup();
    }, spec.timeoutMs);
    const onAbort = (): void => {
      isAborted = true;
      killGroup();
    };
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timeout);
      spec.signal?.removeEventListener('abort', onAbort);
      const code = e.code === 'ENOENT' ? 'ERR_COMMAND_NOT_FOUND' : 'ERR_COMMAND_FAILED';
      reject(new LvsdError(code, `${spec.file}: ${e.code === 'ENOENT' ? 'not found' : e.message}`, { cause: e }));
    });
    child.stdin.on('error', () => undefined); // the program may exit without reading its input
    child.stdin.end(spec.input);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timeout);
      spec.signal?.removeEventListener('abort', onAbort);
      // The leader is gone; make sure nothing it left in its group outlives it after a timeout or abort.
      if ((isTimedOut || isAborted) && child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      if (killTimer !== undefined) clearTimeout(killTimer);
      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(errOut).toString('utf8'),
        isTimedOut,
        isAborted,
        isOutputTruncated: isTruncated,
        durationMs: performance.now() - started,
      });
    });
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Runs and throws a typed error unless the program exited 0. For setup steps where failure is fatal. */
export async function runChecked(runner: CommandRunner, spec: CommandSpec): Promise<CommandResult> {
  const result = await runner.run(spec);
  if (result.exitCode === 0) return result;
  const why = result.isTimedOut
    ? `timed out after ${spec.timeoutMs} ms`
    : result.isAborted
      ? 'aborted'
      : `exited ${result.exitCode ?? result.signal ?? '?'}`;
  const code = result.isTimedOut ? 'ERR_COMMAND_TIMEOUT' : result.isAborted ? 'ERR_COMMAND_ABORTED' : 'ERR_COMMAND_FAILED';
  throw new LvsdError(code, `${[spec.file, ...spec.args].join(' ')}: ${why}: ${result.stderr.trim().slice(0, 500)}`, {
    details: { exitCode: result.exitCode, stderr: result.stderr, stdout: result.stdout },
  });
}

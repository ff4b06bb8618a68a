/**
 * Long-lived processes of a lab (HTTP servers, daemons): started in their own process group,
 * stdout/stderr kept as lines (bounded), waited on for a readiness line under a timeout, and
 * stopped with SIGTERM then SIGKILL. The lab owns this interface; the adapter uses child_process.
 */
import { spawn } from 'node:child_process';
import type { Clock } from '../core/clock.js';
import { LvsdError } from '../core/errors.js';

export interface SpawnSpec {
  /** For logs and errors: "rs-1 http server". */
  readonly name: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface ProcessExit {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

export type OutputStream = 'stdout' | 'stderr';

export interface LabProcess {
  readonly name: string;
  readonly pid: number;
  /** Settles when the process has exited. Never rejects. */
  readonly exited: Promise<ProcessExit>;
  isRunning(): boolean;
  /** Lines seen so far (the most recent MAX_KEPT_LINES). */
  lines(stream: OutputStream): readonly string[];
  /**
   * Resolves with the first line (past or future) that matches. Rejects with ERR_LAB when the
   * process exits first or `timeoutMs` passes.
   */
  waitForLine(match: (line: string) => boolean, options: { readonly stream?: OutputStream; readonly timeoutMs: number }): Promise<string>;
  /** SIGTERM to the process group, SIGKILL after `graceMs`. Idempotent. */
  stop(graceMs: number): Promise<ProcessExit>;
  /** Sends `signal` to the process alone (SIGHUP: reload); false when it has exited. */
  kill(signal: NodeJS.Signals): boolean;
}

export interface ProcessSpawner {
  /** Resolves once the process is running; rejects with ERR_COMMAND_NOT_FOUND / ERR_LAB when it cannot start. */
  spawn(spec: SpawnSpec): Promise<LabProcess>;
}

const MAX_KEPT_LINES = 2000;

export function createChildProcessSpawner(clock: Clock): ProcessSpawner {
  return { spawn: (spec) => spawnLabProcess(spec, clock) };
}

function spawnLabProcess(spec: SpawnSpec, clock: Clock): Promise<LabProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.file, [...spec.args], {
      detached: true, // own process group: stop() reaches its children too
      // stdin stays open and unused: a child may watch it to exit when its parent dies (see http-name-server-main).
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(spec.env === undefined ? {} : { env: { ...spec.env } }),
      ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
    });
    const kept: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
    const listeners = new Set<(stream: OutputStream, line: string) => void>();
    let exitInfo: ProcessExit | undefined;
    const exitListeners = new Set<() => void>();
    const exited = new Promise<ProcessExit>((resolveExit) => {
      child.on('close', (exitCode, signal) => {
        exitInfo = { exitCode, signal };
        resolveExit(exitInfo);
        for (const l of exitListeners) l();
      });
    });
    const splitLines = (stream: OutputStream): ((chunk: Buffer) => void) => {
      let partial = '';
      return (chunk) => {
        const parts = (partial + chunk.toString('utf8')).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) {
          kept[stream].push(line);
          if (kept[stream].length > MAX_KEPT_LINES) kept[stream].shift();
          for (const l of listeners) l(stream, line);
        }
      };
    };
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', splitLines('stdout'));
    child.stderr.on('data', splitLines('stderr'));
    child.once('error', (e: NodeJS.ErrnoException) => {
      const code = e.code === 'ENOENT' ? 'ERR_COMMAND_NOT_FOUND' : 'ERR_LAB';
      reject(new LvsdError(code, `${spec.name}: cannot start ${spec.file}: ${e.message}`, { cause: e }));
    });
    child.once('spawn', () => {
      const pid = child.pid;
      if (pid === undefined) return;
      let stopping: Promise<ProcessExit> | undefined;
      resolve({
        name: spec.name,
        pid,
        exited,
        isRunning: () => exitInfo === undefined,
        lines: (stream) => [...kept[stream]],
        waitForLine(match, options) {
          const stream = options.stream ?? 'stdout';
          const seen = kept[stream].find(match);
          if (seen !== undefined) return Promise.resolve(seen);
          return new Promise((resolveLine, rejectLine) => {
            const cleanup = (): void => {
              listeners.delete(onLine);
              exitListeners.delete(onExit);
              timer.cancel();
            };
            const onLine = (s: OutputStream, line: string): void => {
              if (s !== stream || !match(line)) return;
              cleanup();
              resolveLine(line);
            };
            const onExit = (): void => {
              cleanup();
              const tail = kept.stderr.slice(-5).join(' | ');
              rejectLine(new LvsdError('ERR_LAB', `${spec.name} exited (${describeExit(exitInfo)}) before it was ready: ${tail}`));
            };
            const timer = clock.setTimeout(() => {
              cleanup();
              rejectLine(new LvsdError('ERR_LAB', `${spec.name} not ready after ${options.timeoutMs} ms`));
            }, options.timeoutMs);
            listeners.add(onLine);
            exitListeners.add(onExit);
            if (exitInfo !== undefined) onExit();
          });
        },
        kill(signal) {
          if (exitInfo !== undefined) return false;
          try {
            return process.kill(pid, signal);
          } catch {
            return false;
          }
        },
        stop(graceMs) {
          if (exitInfo !== undefined) return exited;
          stopping ??= (async () => {
            signalGroup(pid, 'SIGTERM');
            const timer = clock.setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
            const exit = await exited;
            timer.cancel();
            // Anything the process left in its group goes too.
            signalGroup(pid, 'SIGKILL');
            return exit;
          })();
          return stopping;
        },
      });
    });
  });
}

export function describeExit(exit: ProcessExit | undefined): string {
  if (exit === undefined) return 'running';
  return exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.exitCode ?? '?'}`;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

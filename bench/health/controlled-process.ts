/**
 * A helper process of the health benchmarks that speaks JSON lines: commands go to its stdin, one
 * event per line comes back on stdout. Started in its own process group; `stop` sends SIGTERM to the
 * group and SIGKILL after a grace time. Every wait is bounded.
 */
import { spawn } from 'node:child_process';

export interface ControlledProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the next event (after this call) that matches; rejects on timeout or exit. */
  next(match: (event: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
  /** Writes `line`, then waits for the next matching event. */
  request(line: string, match: (event: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
  /** The last lines of stderr (for error messages). */
  stderrTail(): string;
  isRunning(): boolean;
  stop(graceMs: number): Promise<void>;
}

const KEPT_STDERR_LINES = 20;

export function startControlledProcess(name: string, file: string, args: readonly string[], env?: Readonly<Record<string, string>>): Promise<ControlledProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { detached: true, stdio: ['pipe', 'pipe', 'pipe'], ...(env === undefined ? {} : { env: { ...process.env, ...env } }) });
    const waiters = new Set<{ match: (e: Record<string, unknown>) => boolean; done: (e: Record<string, unknown> | Error) => void }>();
    const stderr: string[] = [];
    let hasExited = false;
    let partial = '';
    const exited = new Promise<void>((resolveExit) => {
      child.once('close', (code, signal) => {
        hasExited = true;
        for (const w of [...waiters]) w.done(new Error(`${name} exited (${signal ?? code ?? '?'}): ${tail()}`));
        resolveExit();
      });
    });
    const tail = (): string => stderr.slice(-5).join(' | ');
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        let event: Record<string, unknown>;
        try {
          event = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        for (const w of [...waiters]) if (w.match(event)) w.done(event);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      if (stderr.length > KEPT_STDERR_LINES) stderr.splice(0, stderr.length - KEPT_STDERR_LINES);
    });
    child.once('error', (e) => reject(new Error(`${name}: cannot start ${file}: ${e.message}`)));
    child.once('spawn', () => {
      const pid = child.pid;
      if (pid === undefined) return;
      const next = (match: (e: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>> =>
        new Promise((resolveEvent, rejectEvent) => {
          if (hasExited) return rejectEvent(new Error(`${name} has exited: ${tail()}`));
          const waiter = {
            match,
            done: (e: Record<string, unknown> | Error): void => {
              waiters.delete(waiter);
              clearTimeout(timer);
              if (e instanceof Error) rejectEvent(e);
              else resolveEvent(e);
            },
          };
          const timer = setTimeout(() => waiter.done(new Error(`${name}: no answer within ${timeoutMs} ms: ${tail()}`)), timeoutMs);
          waiters.add(waiter);
        });
      resolve({
        name,
        pid,
        next,
        request(line, match, timeoutMs) {
          const answer = next(match, timeoutMs);
          child.stdin.write(`${line}\n`);
          return answer;
        },
        stderrTail: tail,
        isRunning: () => !hasExited,
        async stop(graceMs) {
          if (hasExited) return;
          signalGroup(pid, 'SIGTERM');
          const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
          signalGroup(pid, 'SIGKILL');
        },
      });
    });
  });
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export function eventIs(name: string): (e: Record<string, unknown>) => boolean {
  return (e) => e['event'] === name || e['event'] === 'failed' || e['event'] === 'error';
}

/** The event, or an Error naming what came instead (a 'failed' or 'error' event). */
export async function expectEvent(answer: Promise<Record<string, unknown>>, name: string): Promise<Record<string, unknown>> {
  const event = await answer;
  if (event['event'] !== name) throw new Error(`expected "${name}", got ${JSON.stringify(event).slice(0, 300)}`);
  return event;
}

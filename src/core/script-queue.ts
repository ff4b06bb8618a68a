/**
 * Runs scripts one after the other, in submission order, each under a timeout that kills its process
 * group (CommandRunner), never through a shell. keepalived runs its notify scripts concurrently and
 * unordered (its issues #584, #996); lvsd's VRRP notify and its IPVS quorum and real-server scripts
 * go through one of these queues each, so a script sees transitions in the order they happened.
 */
import { describeError } from './errors.js';
import type { CommandRunner } from './command-runner.js';
import type { Logger } from './logger.js';

export const SCRIPT_TIMEOUT_MS = 10_000;
/** Output kept per stream: enough for the log line. */
const MAX_OUTPUT_BYTES = 4096;

export interface ScriptQueue {
  /** Queues argv (argv[0] is the program); `fields` are added to the log line (vs, rs, reason...). */
  submit(argv: readonly string[], fields?: Readonly<Record<string, unknown>>): void;
  /** Resolves when every script submitted so far has finished. */
  drain(): Promise<void>;
  snapshot(): { readonly submitted: number; readonly failed: number; readonly pending: number };
}

export function createScriptQueue(runner: CommandRunner, logger: Logger, timeoutMs = SCRIPT_TIMEOUT_MS): ScriptQueue {
  let tail: Promise<void> = Promise.resolve();
  let submitted = 0;
  let finished = 0;
  let failed = 0;
  return {
    submit(argv, fields = {}) {
      const [file, ...args] = argv;
      if (file === undefined) return;
      submitted++;
      tail = tail.then(async () => {
        const command = argv.join(' ');
        try {
          const r = await runner.run({ file, args, timeoutMs, maxOutputBytes: MAX_OUTPUT_BYTES });
          const logged = { ...fields, command, exitCode: r.exitCode, durationMs: Math.round(r.durationMs) };
          if (r.exitCode === 0) {
            logger.info('notify script ran', logged);
          } else {
            failed++;
            logger.warn('notify script failed', { ...logged, isTimedOut: r.isTimedOut, stderr: r.stderr.slice(0, 200) });
          }
        } catch (e) {
          failed++;
          logger.warn('notify script could not run', { ...fields, command, err: describeError(e) });
        } finally {
          finished++;
        }
      });
    },
    drain: () => tail,
    snapshot: () => ({ submitted, failed, pending: submitted - finished }),
  };
}

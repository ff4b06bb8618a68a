/**
 * Runs prober-main inside a lab namespace (one Node process for the whole run) and reads its
 * JSON lines back.
 */
import { fileURLToPath } from 'node:url';
import { LvsdError } from '../core/errors.js';
import { tailLines } from './uml-init-script.js';
import { analyzeProbes, type ProbeSummary } from './probe-analysis.js';
import { parseProberOutput } from './prober-lines.js';
import type { ProberStopReason, ProbeRecord } from './prober.js';
import type { LabTopology } from './topology.js';

export const PROBER_ENTRY = fileURLToPath(new URL('./prober-main.js', import.meta.url));

/** Node start inside UML can take ~1 s; leave room beyond the prober's own bound. */
const START_SLACK_MS = 30_000;

export interface RemoteProbeOptions {
  readonly url: string;
  readonly count: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly maxDurationMs: number;
  readonly signal?: AbortSignal;
}

export interface RemoteProbeRun {
  readonly records: readonly ProbeRecord[];
  readonly summary: ProbeSummary;
  readonly stoppedBy: ProberStopReason;
  readonly durationMs: number;
}

export async function runProberIn(
  topology: Pick<LabTopology, 'exec'>,
  namespace: string,
  options: RemoteProbeOptions,
  nodePath: string,
): Promise<RemoteProbeRun> {
  const args = [
    PROBER_ENTRY,
    '--url', options.url,
    '--count', String(options.count),
    '--interval-ms', String(options.intervalMs),
    '--timeout-ms', String(options.timeoutMs),
    '--max-duration-ms', String(options.maxDurationMs),
  ];
  const result = await topology.exec(namespace, nodePath, args, {
    timeoutMs: options.maxDurationMs + START_SLACK_MS,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const output = parseProberOutput(result.stdout);
  if (result.exitCode !== 0 || output.summary === undefined) {
    const why = result.isTimedOut ? 'timed out' : `exited ${result.exitCode ?? result.signal ?? '?'}`;
    throw new LvsdError('ERR_LAB', `prober in ${namespace} ${why}: ${tailLines(result.stderr, 10)}`, {
      details: { stdout: result.stdout, stderr: result.stderr },
    });
  }
  // The summary is recomputed from the records: the same function, but no trust in a foreign line.
  return { records: output.records, summary: analyzeProbes(output.records), stoppedBy: output.summary.stoppedBy, durationMs: output.summary.durationMs };
}

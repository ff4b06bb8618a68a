/**
 * Entry point, run in the client namespace:
 *   node prober-main.js --url http://192.0.2.50/ --count 30 --interval-ms 50 --timeout-ms 1000 --max-duration-ms 20000
 * Prints one JSON line per request, then a summary line (prober-lines.ts). Exit 0 when the run
 * completed (whatever the outcomes), 2 on bad usage. SIGTERM/SIGINT stop it early, with a summary.
 */
import { systemClock } from '../core/clock.js';
import { parseFlags } from './cli-flags.js';
import { createHttpProbeRequest } from './http-probe.js';
import { analyzeProbes } from './probe-analysis.js';
import { formatProbeLine, formatSummaryLine } from './prober-lines.js';
import { runProber } from './prober.js';

const flags = parseFlags(process.argv.slice(2), {
  url: { kind: 'string', isRequired: true },
  count: { kind: 'integer', isRequired: true, min: 1 },
  'interval-ms': { kind: 'integer', min: 0 },
  'timeout-ms': { kind: 'integer', min: 1 },
  'max-duration-ms': { kind: 'integer', min: 1 },
});
if (!flags.ok) {
  process.stderr.write(`prober: ${flags.error}\n`);
  process.exit(2);
}
let url: URL;
try {
  url = new URL(String(flags.value['url']));
} catch {
  process.stderr.write(`prober: --url: "${String(flags.value['url'])}" is not a URL\n`);
  process.exit(2);
}
const controller = new AbortController();
process.once('SIGTERM', () => controller.abort());
process.once('SIGINT', () => controller.abort());
const num = (name: string, fallback: number): number => {
  const v = flags.value[name];
  return typeof v === 'number' ? v : fallback;
};
const run = await runProber(
  {
    count: num('count', 1),
    intervalMs: num('interval-ms', 100),
    timeoutMs: num('timeout-ms', 1000),
    maxDurationMs: num('max-duration-ms', 30_000),
    signal: controller.signal,
    onRecord: (record) => process.stdout.write(`${formatProbeLine(record)}\n`),
  },
  { clock: systemClock, request: createHttpProbeRequest(url) },
);
process.stdout.write(`${formatSummaryLine({ summary: analyzeProbes(run.records), stoppedBy: run.stoppedBy, durationMs: Math.round(run.durationMs) })}\n`);

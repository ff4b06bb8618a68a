/**
 * Entry point, run in the client namespace:
 *   node stream-client-main.js --connect 192.0.2.50:7000 --mode hold --interval-ms 100 --max-duration-ms 120000
 *   node stream-client-main.js --connect 192.0.2.50:7000 --mode each --count 6
 * Prints one StreamEvent JSON line each (stream-lines.ts). Hold mode closes cleanly on SIGTERM, SIGINT
 * or the end of its stdin. Exit 0 when no error event was printed, 1 otherwise, 2 on bad usage.
 */
import { systemClock } from '../core/clock.js';
import { parseFlags } from './cli-flags.js';
import { parseListenAddress } from './http-name-server.js';
import { connectEach, holdStream } from './stream-client.js';
import { formatStreamEvent, type StreamEvent } from './stream-lines.js';

const flags = parseFlags(process.argv.slice(2), {
  connect: { kind: 'string', isRequired: true },
  mode: { kind: 'string', isRequired: true },
  count: { kind: 'integer', min: 1 },
  'interval-ms': { kind: 'integer', min: 1 },
  'timeout-ms': { kind: 'integer', min: 1 },
  'max-duration-ms': { kind: 'integer', min: 1 },
});
const target = flags.ok ? parseListenAddress(String(flags.value['connect'])) : flags;
const mode = flags.ok ? flags.value['mode'] : undefined;
if (!flags.ok || !target.ok || (mode !== 'hold' && mode !== 'each')) {
  const why = !flags.ok ? flags.error : !target.ok ? target.error : `--mode must be hold or each, not "${String(mode)}"`;
  process.stderr.write(`stream-client: ${why}\n`);
  process.exit(2);
}
const num = (name: string, fallback: number): number => {
  const v = flags.value[name];
  return typeof v === 'number' ? v : fallback;
};
let hasError = false;
const onEvent = (e: StreamEvent): void => {
  if (e.event === 'error') hasError = true;
  process.stdout.write(`${formatStreamEvent(e)}\n`);
};
const base = { host: target.value.host, port: target.value.port, timeoutMs: num('timeout-ms', 2000), onEvent };
if (mode === 'hold') {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
  await holdStream({ ...base, intervalMs: num('interval-ms', 100), maxDurationMs: num('max-duration-ms', 120_000), signal: controller.signal }, { clock: systemClock });
  process.stdin.pause();
  process.stdin.destroy();
} else {
  await connectEach({ ...base, count: num('count', 1) }, { clock: systemClock });
}
process.exitCode = hasError ? 1 : 0;

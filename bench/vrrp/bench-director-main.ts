/**
 * The lvsd director of the VRRP bench: the lab director (src/vrrp-lab/director-main.ts: one VRRP
 * instance, the same PARAMS.json and the same stdout JSON lines) with optional work in the same
 * process, so that the bench can measure what health checks next to VRRP do to the adverts:
 *   ip netns exec NS node dist/bench/vrrp/bench-director-main.js PARAMS.json [LOAD.json]
 * LOAD.json: HealthCheckLoadParams (health-check-load.ts). On SIGTERM/SIGINT it stops the load
 * first, prints {"type":"load-stats",...} (event loop utilisation and delay over the run), then
 * stops the instance as the lab director does. Exit 0 after a stop, 1 when the instance cannot
 * start, 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { systemClock } from '../../src/core/clock.js';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { describeError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logger.js';
import { parseDirectorParams } from '../../src/vrrp-lab/director-params.js';
import { createKernelVrrpResources, kernelVrrpInstanceDeps } from '../../ha/kernel-vrrp-deps.js';
import { createVrrpInstance } from '../../ha/vrrp-instance.js';
import { startHealthCheckLoad, type HealthCheckLoad, type HealthCheckLoadParams } from './health-check-load.js';

const [paramsPath, loadPath] = process.argv.slice(2);
if (paramsPath === undefined) {
  process.stderr.write('usage: bench-director-main.js PARAMS.json [LOAD.json]\n');
  process.exit(2);
}
const params = parseDirectorParams(JSON.parse(readFileSync(paramsPath, 'utf8')) as unknown);
if (!params.ok) {
  process.stderr.write(`bench director: ${params.error}\n`);
  process.exit(2);
}
const loadParams = loadPath === undefined ? undefined : (JSON.parse(readFileSync(loadPath, 'utf8')) as HealthCheckLoadParams);
const write = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const wallClock = (): number => performance.timeOrigin + performance.now();
const logger = createLogger({ level: params.value.logLevel, format: 'json', stream: process.stderr });
const resources = createKernelVrrpResources({ runner: createProcessRunner(), logger });
const { settings, transport } = params.value;
const instance = createVrrpInstance(settings, kernelVrrpInstanceDeps(settings, transport, resources, { clock: systemClock, logger, wallClock }));
instance.onEvent((event) => write({ type: 'event', ...event }));
let load: HealthCheckLoad | undefined;

let isStopping = false;
const stop = async (isPlannedHandover: boolean): Promise<void> => {
  if (isStopping) return;
  isStopping = true;
  if (load !== undefined) write({ type: 'load-stats', ...(await load.stop()) });
  await instance.stop({ isPlannedHandover });
  write({ type: 'snapshot', ...instance.snapshot() });
  resources.close();
  write({ type: 'stopped', wallTimeMs: wallClock() });
  process.exit(0);
};
process.on('SIGTERM', () => void stop(true));
process.on('SIGINT', () => void stop(false));

try {
  await instance.start();
  write({ type: 'started', wallTimeMs: wallClock(), source: instance.snapshot().transport?.sourceAddress ?? null });
} catch (e) {
  write({ type: 'start-failed', message: describeError(e) });
  resources.close();
  process.exit(1);
}
if (loadParams !== undefined) {
  load = startHealthCheckLoad(loadParams, { clock: systemClock, logger: logger.child({ component: 'bench-load' }) });
  write({ type: 'load-started', checks: loadParams.checks, kind: loadParams.kind, intervalMs: loadParams.intervalMs });
}

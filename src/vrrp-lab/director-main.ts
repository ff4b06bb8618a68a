/**
 * The VRRP lab director: runs ONE lvsd VRRP instance on the kernel it runs on, for integration tests and
 * experiments in network namespaces:
 *   ip netns exec NS node dist/src/vrrp-lab/director-main.js PARAMS.json
 * PARAMS.json is described in director-params.ts. stdout: one JSON line per event of the instance
 * ({"type":"event",...}, see ha/vrrp-instance-events.ts), {"type":"started"} once running, and a final
 * {"type":"snapshot",...} then {"type":"stopped"}. Logs (winston JSON) go to stderr.
 * SIGTERM: planned handover (priority 0, VIPs kept until the new master speaks). SIGINT: plain stop.
 * SIGUSR2: one {"type":"snapshot",...} line of the running instance (SIGUSR1 is Node's debugger's).
 * Exit 0 after a stop, 1 when the instance cannot start, 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { systemClock } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { createKernelVrrpResources, kernelVrrpInstanceDeps } from '../../ha/kernel-vrrp-deps.js';
import { createVrrpInstance } from '../../ha/vrrp-instance.js';
import { parseDirectorParams } from './director-params.js';

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: director-main.js PARAMS.json\n');
  process.exit(2);
}
const params = parseDirectorParams(JSON.parse(readFileSync(path, 'utf8')) as unknown);
if (!params.ok) {
  process.stderr.write(`director: ${params.error}\n`);
  process.exit(2);
}
const write = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
/** Sub-millisecond wall time, to line events up with packet capture timestamps. */
const wallClock = (): number => performance.timeOrigin + performance.now();
const logger = createLogger({ level: params.value.logLevel, format: 'json', stream: process.stderr });
const resources = createKernelVrrpResources({ logger });
const { settings, transport } = params.value;
const instance = createVrrpInstance(settings, kernelVrrpInstanceDeps(settings, transport, resources, { clock: systemClock, logger, wallClock }));
instance.onEvent((event) => write({ type: 'event', ...event }));

let isStopping = false;
const stop = async (isPlannedHandover: boolean): Promise<void> => {
  if (isStopping) return;
  isStopping = true;
  await instance.stop({ isPlannedHandover });
  write({ type: 'snapshot', ...instance.snapshot() });
  resources.close();
  write({ type: 'stopped', wallTimeMs: wallClock() });
  process.exit(0);
};
process.on('SIGTERM', () => void stop(true));
process.on('SIGINT', () => void stop(false));
process.on('SIGUSR2', () => write({ type: 'snapshot', wallTimeMs: wallClock(), ...instance.snapshot() }));

try {
  await instance.start();
  write({ type: 'started', wallTimeMs: wallClock(), source: instance.snapshot().transport?.sourceAddress ?? null });
} catch (e) {
  write({ type: 'start-failed', message: describeError(e) });
  resources.close();
  process.exit(1);
}

/**
 * The lvsd director of the VRRP bench: the lab director (src/vrrp-lab/director-main.ts: one VRRP
 * instance, the same PARAMS.json and the same stdout JSON lines) with optional work in the same
 * process, so that the bench can measure what health checks next to VRRP do to the adverts:
 *   ip netns exec NS node dist/bench/vrrp/bench-director-main.js PARAMS.json [--load LOAD.json] [--vrrp-in main|process]
 * LOAD.json: HealthCheckLoadParams (health-check-load.ts), on this process's event loop.
 * --vrrp-in process (the prototype of STYLE rule 8) runs the VRRP instance in a child process, the
 * lab director itself, with an event loop of its own; its lines are passed through. Not a worker
 * thread: the raw-socket addon registers its socket on the process's default loop (uv_default_loop()
 * in raw.cc), the main thread's, so in a worker it loads but its sends and receives never run there.
 * First line: {"type":"host","vrrpIn":...,"pid":...}. On SIGTERM/SIGINT it stops the load first,
 * prints {"type":"load-stats",...} (event loop utilisation and delay of this process), then stops the
 * instance (SIGTERM: planned handover). Exit 0 after a stop, 1 when the instance cannot start, 2 on
 * bad usage.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { systemClock } from '../../src/core/clock.js';
import { describeError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logger.js';
import { parseDirectorParams } from '../../src/vrrp-lab/director-params.js';
import { startHealthCheckLoad, type HealthCheckLoad, type HealthCheckLoadParams } from './health-check-load.js';
import { createInstanceRunner } from './vrrp-instance-runner.js';

const LAB_DIRECTOR_ENTRY = fileURLToPath(new URL('../../src/vrrp-lab/director-main.js', import.meta.url));
const usage = 'usage: bench-director-main.js PARAMS.json [--load LOAD.json] [--vrrp-in main|process]\n';
let commandLine: ReturnType<typeof parseCommandLine>;
try {
  commandLine = parseCommandLine();
} catch (e) {
  process.stderr.write(`bench director: ${describeError(e)}\n${usage}`);
  process.exit(2);
}
const { paramsPath, loadPath, vrrpIn } = commandLine;
const params = parseDirectorParams(JSON.parse(readFileSync(paramsPath, 'utf8')) as unknown);
if (!params.ok) {
  process.stderr.write(`bench director: ${params.error}\n`);
  process.exit(2);
}
const loadParams = loadPath === undefined ? undefined : (JSON.parse(readFileSync(loadPath, 'utf8')) as HealthCheckLoadParams);
const write = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

interface VrrpHost {
  readonly pid: number;
  start(): Promise<void>;
  stop(isPlannedHandover: boolean): Promise<void>;
}

const host: VrrpHost = vrrpIn === 'process' ? childProcessHost(paramsPath) : { pid: process.pid, ...createInstanceRunner(params.value, write) };
write({ type: 'host', vrrpIn, pid: host.pid });
let load: HealthCheckLoad | undefined;
let isStopping = false;
const stop = async (isPlannedHandover: boolean): Promise<void> => {
  if (isStopping) return;
  isStopping = true;
  if (load !== undefined) write({ type: 'load-stats', ...(await load.stop()) });
  await host.stop(isPlannedHandover);
  process.exit(0);
};
process.on('SIGTERM', () => void stop(true));
process.on('SIGINT', () => void stop(false));

try {
  await host.start();
} catch (e) {
  write({ type: 'start-failed', message: describeError(e) });
  process.exit(1);
}
if (loadParams !== undefined) {
  const logger = createLogger({ level: params.value.logLevel, format: 'json', stream: process.stderr });
  load = startHealthCheckLoad(loadParams, { clock: systemClock, logger: logger.child({ component: 'bench-load' }) });
  write({ type: 'load-started', checks: loadParams.checks, kind: loadParams.kind, intervalMs: loadParams.intervalMs, vrrpIn });
}

/** The lab director as a child process; its stdout lines pass through, its stderr is ours. */
function childProcessHost(path: string): VrrpHost {
  const child: ChildProcess = spawn(process.execPath, [LAB_DIRECTOR_ENTRY, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let started: ((error?: Error) => void) | undefined;
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      process.stdout.write(`${line}\n`);
      if (line.includes('"type":"started"')) started?.();
      if (line.includes('"type":"start-failed"')) started?.(new Error(line));
    }
  });
  void exited.then(() => started?.(new Error('the VRRP process exited')));
  return {
    pid: child.pid ?? -1,
    start: () =>
      new Promise<void>((resolve, reject) => {
        started = (error) => (error === undefined ? resolve() : reject(error));
      }),
    async stop(isPlannedHandover) {
      // The lab director: SIGTERM is a planned handover, SIGINT a plain stop.
      child.kill(isPlannedHandover ? 'SIGTERM' : 'SIGINT');
      await exited;
    },
  };
}

function parseCommandLine(): { paramsPath: string; loadPath: string | undefined; vrrpIn: 'main' | 'process' } {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { load: { type: 'string' }, 'vrrp-in': { type: 'string' } } });
  const [paramsPath, ...rest] = positionals;
  if (paramsPath === undefined || rest.length > 0) throw new Error('one PARAMS.json expected');
  const vrrpIn = values['vrrp-in'] ?? 'main';
  if (vrrpIn !== 'main' && vrrpIn !== 'process') throw new Error(`--vrrp-in: "${vrrpIn}" is neither main nor process`);
  return { paramsPath, loadPath: values.load, vrrpIn };
}

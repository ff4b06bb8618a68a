/**
 * lvsd's daemon for the host half of the health benchmarks: the composition root `lvsd run` uses
 * (createDaemon: stall monitor, health checks, IPVS reconciler, VRRP, control socket), with the
 * in-memory IPVS kernel in place of generic netlink, because the host kernel has no IPVS. The health
 * checks, VRRP and everything else are the real ones. keepalived gets the same treatment in this
 * bench (fake-ipvs-genl.c).
 *
 *   node lvsd-memory-ipvs-main.js CONFIG.yaml
 *
 * Prints {"event":"ready","pid":N} on stdout once started ({"event":"failed",...} and exit 1 if not).
 * Commands on stdin: `table` -> {"event":"table","services":S,"destinations":D} (what lvsd programmed);
 * `memory` -> {"event":"memory",...process.memoryUsage()} (where the RSS goes).
 * Stops (daemon.stop) on SIGTERM or when stdin ends.
 */
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { loadConfigFile } from '../../config/loader.js';
import { formatIssue } from '../../config/issues.js';
import type { ConfigSyntax } from '../../config/raw-config.js';
import type { LvsdConfig } from '../../config/schema.js';
import { systemClock } from '../../src/core/clock.js';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { describeError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logger.js';
import { createDaemon } from '../../src/daemon/daemon.js';
import { useFixedHeapGrowth } from '../../src/daemon/heap-growth.js';
import { readIpvsTable } from '../../src/ipvs/ipvs-client.js';
import { MemoryIpvsClient } from '../../src/ipvs/memory-ipvs-client.js';

function say(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

async function loadConfig(path: string): Promise<{ readonly config: LvsdConfig; readonly syntax: ConfigSyntax }> {
  const loaded = await loadConfigFile(path);
  for (const issue of loaded.issues) process.stderr.write(`${formatIssue(issue)}\n`);
  if (loaded.config !== undefined) return { config: loaded.config, syntax: loaded.raw.syntax };
  say({ event: 'failed', message: `invalid config ${path}` });
  process.exit(1);
}

const file = process.argv[2];
if (file === undefined) {
  say({ event: 'failed', message: 'usage: lvsd-memory-ipvs-main.js CONFIG' });
  process.exit(2);
}
// As `lvsd run` does: the heap growth fixed before the config is read, and the parsed YAML document
// (which `loaded` keeps) not kept alive while the daemon starts.
useFixedHeapGrowth();
const { config, syntax } = await loadConfig(file);
const kernel = new MemoryIpvsClient();
const logger = createLogger({ level: config.log.level, stream: process.stderr, format: 'json' });
const daemon = createDaemon(config, { file, syntax }, {
  logger,
  clock: systemClock,
  pid: process.pid,
  hostname: hostname(),
  wallNow: () => new Date(),
  openIpvsClient: () => Promise.resolve(kernel),
  sysctl: { read: () => Promise.resolve(undefined), write: () => Promise.resolve() },
  runner: createProcessRunner(),
});
const abort = new AbortController();
let stopping: Promise<void> | undefined;
const stop = (): void => {
  stopping ??= (async () => {
    abort.abort();
    await daemon.stop();
    process.exit(0);
  })();
};
process.on('SIGTERM', stop);
try {
  await daemon.start(abort.signal);
} catch (e) {
  say({ event: 'failed', message: describeError(e) });
  process.exit(1);
}
say({ event: 'ready', pid: process.pid });
const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  if (line.trim() === 'memory') return say({ event: 'memory', ...process.memoryUsage() });
  if (line.trim() !== 'table') return say({ event: 'error', message: `unknown command: ${line}` });
  void readIpvsTable(kernel).then(
    (table) => say({ event: 'table', services: table.length, destinations: table.reduce((n, s) => n + s.destinations.length, 0) }),
    (e: unknown) => say({ event: 'error', message: describeError(e) }),
  );
});
input.on('close', stop);

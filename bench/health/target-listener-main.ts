/**
 * The health benchmarks' real servers: one Node process listening on every target (many ports on a few
 * addresses), accepting each connection and closing it at once, and noting when each target accepted.
 *
 *   node target-listener-main.js '{"addressCount":40,"portsPerAddress":250,"basePort":20000}'
 *
 * Commands, one a line on stdin; each answer is one JSON line on stdout:
 *   window              forget earlier accepts, record from now   -> {"event":"window"}
 *   report MS TOL       probe regularity in the window (interval MS, tolerance TOL), and this
 *                       process's own event-loop delay (the measurement's error) -> {"event":"report",...}
 *   close ADDR PORT     stop listening on one target (connections are refused) -> {"event":"closed"}
 *   open ADDR PORT      listen again                               -> {"event":"opened"}
 * Ready: {"event":"ready","targets":N}. Exits when stdin ends (its parent is gone) or on SIGTERM.
 */
import { createServer, type Server } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { allTargets, planTargetGroups, type TargetGridSpec } from './health-bench-config.js';
import { summarizeProbeIntervals } from './probe-stats.js';

const BACKLOG = 1024;

const spec = JSON.parse(process.argv[2] ?? '{}') as TargetGridSpec;
const targets = allTargets(planTargetGroups(spec));
const servers: (Server | undefined)[] = targets.map(() => undefined);
const indexOf = new Map(targets.map((t, i) => [`${t.address} ${t.port}`, i]));
let accepts: number[][] = targets.map(() => []);
let windowStartMs = performance.now();
let totalAccepted = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

function say(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function listen(i: number): Promise<void> {
  const t = targets[i];
  if (t === undefined) return Promise.reject(new RangeError(`no target ${i}`));
  return new Promise((resolve, reject) => {
    const server = createServer({ pauseOnConnect: true }, (socket) => {
      accepts[i]?.push(performance.now());
      totalAccepted += 1;
      socket.destroy();
    });
    server.once('error', reject);
    server.listen({ host: t.address, port: t.port, backlog: BACKLOG }, () => {
      server.off('error', reject);
      server.on('error', (e) => say({ event: 'error', target: `${t.address}:${t.port}`, message: e.message }));
      servers[i] = server;
      resolve();
    });
  });
}

function close(i: number): Promise<void> {
  const server = servers[i];
  servers[i] = undefined;
  return server === undefined ? Promise.resolve() : new Promise((resolve) => server.close(() => resolve()));
}

async function command(line: string): Promise<void> {
  const [name, a, b] = line.trim().split(/\s+/);
  if (name === 'window') {
    accepts = targets.map(() => []);
    windowStartMs = performance.now();
    loopDelay.reset();
    say({ event: 'window' });
  } else if (name === 'report') {
    const endMs = performance.now();
    const summary = summarizeProbeIntervals(accepts, { startMs: windowStartMs, endMs, intervalMs: Number(a), tolerance: Number(b) });
    say({ event: 'report', windowMs: endMs - windowStartMs, summary, totalAccepted, loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 } });
  } else if ((name === 'close' || name === 'open') && a !== undefined && b !== undefined) {
    const i = indexOf.get(`${a} ${b}`);
    if (i === undefined) return say({ event: 'error', message: `no target ${a}:${b}` });
    if (name === 'close') await close(i);
    else if (servers[i] === undefined) await listen(i);
    say({ event: name === 'close' ? 'closed' : 'opened', target: `${a}:${b}` });
  } else {
    say({ event: 'error', message: `unknown command: ${line}` });
  }
}

try {
  // Sequentially: thousands of listen() calls at once would only queue in libuv anyway.
  for (let i = 0; i < targets.length; i++) await listen(i);
} catch (e) {
  say({ event: 'failed', message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}
loopDelay.enable();
say({ event: 'ready', targets: targets.length });
let queue = Promise.resolve();
const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  queue = queue.then(() => command(line)).catch((e: unknown) => say({ event: 'error', message: e instanceof Error ? e.message : String(e) }));
});
input.on('close', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

/**
 * `node dist/bench/health/probe-micro.js --layer L [--targets N] [--interval-ms MS] [--warmup-ms MS] [--window-ms MS]`:
 * a quick, local version of the health-scale section for trying changes: N TCP targets on loopback
 * (one listener child process; 127.0.1.1-10 x ports 20000-20999), probed every interval by one layer of lvsd's health
 * checks, in this process:
 *
 *   floor      net.connect + destroy (node-floor-prober-main.ts)
 *   tcp        the TCP checker's check(), one AbortSignal per target for all its runs
 *   runcheck   runCheck around the TCP checker, as the scheduler calls it
 *   scheduler  the health/ scheduler with the real checkers (spread 5 %, as the daemon)
 *   worker     the daemon's health component on its worker thread (health-worker-component.ts)
 *
 * After the warm-up, over the window: this process's CPU time (user + system, every thread) per
 * probe the listener accepted, the largest RSS (sampled every 250 ms), the probes late (a target's gap
 * beyond interval +- 10 %, as in the scale section) and the listener's CPU. One JSON line on stdout.
 * No root, no namespace: loopback only. The numbers are for comparing layers and changes in one
 * sitting on the same machine, not for the README's table against keepalived.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runCheck } from '../../health/checker.js';
import { createChecker } from '../../health/check-spec.js';
import type { CheckTiming } from '../../health/hysteresis.js';
import { createHealthScheduler, type RealServerSpec } from '../../health/scheduler.js';
import { createTcpChecker } from '../../health/tcp-checker.js';
import { systemClock } from '../../src/core/clock.js';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { parseIpAddress, type IpAddress } from '../../src/core/ip.js';
import { silentLogger } from '../../src/core/logger.js';
import { SPREAD_RATIO } from '../../src/ipvs/health-component.js';
import { createHealthWorkerComponent } from '../../src/ipvs/health-worker-component.js';
import { summarizeProbeIntervals, type ProbeIntervalSummary } from './probe-stats.js';

const BASE_PORT = 20000;
const PORTS_PER_ADDRESS = 1000;
/** Target i: 127.0.1.(1 + i / 1000), port 20000 + i % 1000 (below the ephemeral ports). */
const hostOf = (i: number): string => `127.0.1.${1 + Math.floor(i / PORTS_PER_ADDRESS)}`;
const portOf = (i: number): number => BASE_PORT + (i % PORTS_PER_ADDRESS);
const TOLERANCE = 0.1;
const RSS_SAMPLE_MS = 250;

type ListenerRequest = { readonly type: 'window' } | { readonly type: 'report'; readonly intervalMs: number };
type ListenerAnswer = { readonly type: 'ready' } | { readonly type: 'window' } | { readonly type: 'report'; readonly summary: ProbeIntervalSummary; readonly cpuUs: number };

const { values } = parseArgs({
  options: {
    layer: { type: 'string' },
    listener: { type: 'string' },
    targets: { type: 'string' },
    'interval-ms': { type: 'string' },
    'warmup-ms': { type: 'string' },
    'window-ms': { type: 'string' },
  },
});

/** The child: listens on every target, accepts and closes, notes each accept's time. */
async function runListener(count: number): Promise<void> {
  let accepts: number[][] = Array.from({ length: count }, () => []);
  let startMs = performance.now();
  let cpu0 = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve, reject) => {
      const server = createServer({ pauseOnConnect: true }, (socket) => {
        accepts[i]?.push(performance.now());
        socket.destroy();
      });
      server.once('error', reject);
      server.listen({ host: hostOf(i), port: portOf(i), backlog: 1024 }, () => resolve());
    });
  }
  const send = (a: ListenerAnswer): void => void process.send?.(a);
  process.on('message', (m: ListenerRequest) => {
    if (m.type === 'window') {
      accepts = accepts.map(() => []);
      startMs = performance.now();
      cpu0 = process.cpuUsage();
      send({ type: 'window' });
    } else {
      const cpu = process.cpuUsage(cpu0);
      send({ type: 'report', summary: summarizeProbeIntervals(accepts, { startMs, endMs: performance.now(), intervalMs: m.intervalMs, tolerance: TOLERANCE }), cpuUs: cpu.user + cpu.system });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready' });
}

function ask(child: ChildProcess, request: ListenerRequest | undefined, type: ListenerAnswer['type']): Promise<ListenerAnswer> {
  return new Promise((resolve) => {
    const on = (m: ListenerAnswer): void => {
      if (m.type !== type) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    if (request !== undefined) child.send(request);
  });
}

function ip(text: string): IpAddress {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the layer's probes; returns a function that stops them. */
async function startLayer(layer: string, count: number, intervalMs: number): Promise<() => Promise<void>> {
  const timers = new Set<NodeJS.Timeout>();
  let isRunning = true;
  /** Probes, then again one interval after this probe started (as the scheduler does). */
  const loop = (delayMs: number, probe: () => Promise<unknown>): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      const started = performance.now();
      void probe().then(() => {
        if (isRunning) loop(Math.max(0, started + intervalMs - performance.now()), probe);
      });
    }, delayMs);
    timers.add(t);
  };
  const stopLoops = (): Promise<void> => {
    isRunning = false;
    for (const t of timers) clearTimeout(t);
    return Promise.resolve();
  };
  const timing: CheckTiming = { intervalMs, fastIntervalMs: intervalMs, downIntervalMs: intervalMs, timeoutMs: 1000, rise: 1, fall: 2, isAlpha: false };
  const specs: RealServerSpec[] = Array.from({ length: count }, (_, i) => ({ id: `rs${i}`, address: ip(hostOf(i)), port: portOf(i), weight: 1, isInhibitedOnFailure: false, slowstartMs: 0, checks: [{ check: { kind: 'tcp' }, timing }] }));
  const first = (): number => Math.random() * intervalMs;
  switch (layer) {
    case 'floor':
      for (let i = 0; i < count; i++) {
        const probe = (): Promise<void> =>
          new Promise((resolve) => {
            const socket = net.connect({ host: hostOf(i), port: portOf(i) });
            const done = (): void => {
              socket.destroy();
              resolve();
            };
            socket.once('connect', done);
            socket.once('error', done);
          });
        loop(first(), probe);
      }
      return stopLoops;
    case 'tcp':
    case 'runcheck': {
      const checker = createTcpChecker({}, { clock: systemClock });
      for (let i = 0; i < count; i++) {
        const controller = new AbortController();
        const target = { address: ip(hostOf(i)), port: portOf(i) };
        const probe = layer === 'tcp' ? () => checker.check(target, controller.signal) : () => runCheck(checker, target, { clock: systemClock, timeoutMs: 1000, signal: controller.signal });
        loop(first(), probe);
      }
      return stopLoops;
    }
    case 'scheduler': {
      const checkerDeps = { clock: systemClock, random: Math.random, runner: createProcessRunner(), icmp: { echo: () => Promise.resolve({ kind: 'aborted' as const }) } };
      const scheduler = createHealthScheduler({ realServers: specs }, { clock: systemClock, random: Math.random, logger: silentLogger, createChecker: (spec) => createChecker(spec, checkerDeps) }, { spreadRatio: SPREAD_RATIO });
      scheduler.start();
      return () => scheduler.stop();
    }
    case 'worker': {
      const component = createHealthWorkerComponent({ realServers: specs }, { clock: systemClock, random: Math.random, logger: silentLogger, runner: createProcessRunner(), onChange: () => undefined });
      await component.start(new AbortController().signal);
      return () => component.stop();
    }
    default:
      throw new Error(`--layer floor|tcp|runcheck|scheduler|worker, not ${layer}`);
  }
}

async function runBench(): Promise<void> {
  const layer = values.layer ?? 'scheduler';
  const count = Number(values.targets ?? '3000');
  const intervalMs = Number(values['interval-ms'] ?? '1000');
  const warmupMs = Number(values['warmup-ms'] ?? '5000');
  const windowMs = Number(values['window-ms'] ?? '10000');
  const child = fork(new URL(import.meta.url), ['--listener', String(count)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    await ask(child, undefined, 'ready');
    const stop = await startLayer(layer, count, intervalMs);
    await sleepMs(warmupMs);
    await ask(child, { type: 'window' }, 'window');
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    let rssMax = 0;
    while (performance.now() - started < windowMs) {
      rssMax = Math.max(rssMax, process.memoryUsage.rss());
      await sleepMs(RSS_SAMPLE_MS);
    }
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - started;
    const report = await ask(child, { type: 'report', intervalMs }, 'report');
    await stop();
    if (report.type !== 'report') throw new Error('no report');
    const s = report.summary;
    const late = s.intervals + s.missedAtEdges === 0 ? undefined : 100 * (1 - s.onTime / (s.intervals + s.missedAtEdges));
    const round = (n: number): number => Math.round(n * 10) / 10;
    process.stdout.write(`${JSON.stringify({
      layer,
      targets: count,
      intervalMs,
      cpuPerProbeUs: s.checks === 0 ? undefined : round((cpu.user + cpu.system) / s.checks),
      cpuPercent: round((100 * (cpu.user + cpu.system)) / 1000 / wallMs),
      rssMaxMb: round(rssMax / 2 ** 20),
      checkRate: round(100 * s.checkRate),
      latePercent: late === undefined ? undefined : round(late),
      listenerCpuPercent: round((100 * report.cpuUs) / 1000 / wallMs),
      execArgv: process.execArgv.join(' '),
    })}\n`);
  } finally {
    child.disconnect();
    child.kill();
  }
}

if (values.listener !== undefined) await runListener(Number(values.listener));
else await runBench();

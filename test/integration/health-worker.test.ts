/**
 * The health component on a real worker thread (health-worker-component.ts + health-worker-main.ts):
 * TCP checks against loopback listeners, verdicts mirrored into the main thread's view, onVerdict per
 * change, the worker's log entries written by the main thread's logger, PING_CHECK through the proxy
 * to the main thread's raw socket, a bad plan refused synchronously, and a worker that dies being
 * reported and started again. Waits are bounded polls of observable state; no timing is asserted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'ava';
import type { CheckSpec } from '../../health/check-spec.js';
import type { CheckTiming } from '../../health/hysteresis.js';
import type { EchoOutcome, IcmpEchoTransport } from '../../health/icmp-checker.js';
import type { RealServerSpec } from '../../health/scheduler.js';
import { systemClock } from '../../src/core/clock.js';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { LvsdError } from '../../src/core/errors.js';
import { parseIpAddress, type IpAddress } from '../../src/core/ip.js';
import { createMemoryLogger, type LogEntry } from '../../src/core/logger.js';
import { createHealthWorkerComponent, type HealthWorkerComponentDeps } from '../../src/ipvs/health-worker-component.js';
import { requirePrereqs } from '../support/prereqs.js';

const timing: CheckTiming = { intervalMs: 100, fastIntervalMs: 50, downIntervalMs: 100, timeoutMs: 500, rise: 1, fall: 1, isAlpha: false };

function ip(text: string): IpAddress {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function rs(id: string, port: number, check: CheckSpec = { kind: 'tcp' }, address = '127.0.0.1'): RealServerSpec {
  return { id, address: ip(address), port, weight: 7, isInhibitedOnFailure: false, slowstartMs: 0, checks: [{ check, timing }] };
}

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

/** Polls every 20 ms, at most `limitMs`. */
async function until(condition: () => boolean, limitMs = 10_000): Promise<boolean> {
  for (let waited = 0; waited < limitMs; waited += 20) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

function setup(extra: Partial<HealthWorkerComponentDeps> = {}) {
  const entries: LogEntry[] = [];
  const verdictIds: string[] = [];
  let changes = 0;
  const deps: HealthWorkerComponentDeps = {
    clock: systemClock,
    logger: createMemoryLogger(entries),
    runner: createProcessRunner(),
    random: Math.random,
    onChange: () => changes++,
    onVerdict: (id) => verdictIds.push(id),
    ...extra,
  };
  return { deps, entries, verdictIds, changes: () => changes };
}

test.serial('a TCP-checked server that goes away is reported down through the view, with onVerdict and the worker logs', async (t) => {
  const a = await listen();
  const b = await listen();
  const { deps, entries, verdictIds, changes } = setup();
  const health = createHealthWorkerComponent({ realServers: [rs('a', a.port), rs('b', b.port)] }, deps);
  t.deepEqual(health.view('a'), { isUp: true, isPresent: true, weight: 7 }, 'the initial verdict is known before the worker runs');
  try {
    await health.start(new AbortController().signal);
    t.true(await until(() => health.hasCompletedFirstRound()), 'first round completes in the worker');
    t.true(health.view('a')?.isUp);
    t.true(health.view('b')?.isUp);
    const verdictsBefore = verdictIds.length;
    await new Promise<void>((resolve) => a.server.close(() => resolve()));
    t.true(await until(() => health.view('a')?.isUp === false), 'the closed listener is seen down');
    t.deepEqual(health.view('a'), { isUp: false, isPresent: false, weight: 0 });
    t.true(health.view('b')?.isUp, 'the other server stays up');
    t.true(verdictIds.slice(verdictsBefore).includes('a'), 'onVerdict names the changed server');
    t.false(verdictIds.slice(verdictsBefore).includes('b'));
    t.true(await until(() => changes() > 0), 'onChange is called (coalesced)');
    const change = entries.find((e) => e.message === 'real server health changed' && e.fields['rs'] === 'a' && e.fields['up'] === false);
    t.truthy(change, 'the worker logs the change through the main logger');
    t.is(change?.fields['thread'], 'health-worker');
    t.is(change?.fields['component'], 'health');
    t.is(change?.fields['check'], 'tcp');
    t.is(typeof change?.fields['reason'], 'string');
    const snap = health.snapshot() as { worker: { state: string; crashes: number }; probes: number };
    t.is(snap.worker.state, 'running');
    t.is(snap.worker.crashes, 0);
    t.is(snap.probes, 2);

    t.throws(() => health.setPlan({ realServers: [rs('b', b.port), rs('b', b.port)] }), { instanceOf: LvsdError }, 'a bad plan is refused synchronously');
    t.true(health.view('b')?.isUp, 'a refused plan changes nothing');
    health.setPlan({ realServers: [rs('b', b.port)] });
    t.is(health.view('a'), undefined, 'a removed server leaves the view at once');
  } finally {
    await health.stop();
    b.server.close();
    a.server.close();
  }
  t.is((health.snapshot() as { worker: { state: string } }).worker.state, 'stopped');
  t.true(entries.some((e) => e.message === 'health checks stopped' && e.fields['thread'] === 'health-worker'), 'the worker stopped its scheduler before it was terminated');
});

test.serial('PING_CHECK in the worker goes through the main thread transport, aborts included', async (t) => {
  const asked: string[] = [];
  const aborted: string[] = [];
  // A working transport: 192.0.2.1 answers, 192.0.2.2 never does (the probe's timeout aborts it).
  const icmp: IcmpEchoTransport = {
    echo: (address, signal) =>
      new Promise<EchoOutcome>((resolve) => {
        asked.push(address.text);
        if (address.text === '192.0.2.1') {
          resolve({ kind: 'reply' });
          return;
        }
        signal.addEventListener('abort', () => {
          aborted.push(address.text);
          resolve({ kind: 'aborted' });
        }, { once: true });
      }),
  };
  const { deps } = setup({ icmp });
  const health = createHealthWorkerComponent({ realServers: [rs('up', 0, { kind: 'icmp' }, '192.0.2.1'), rs('silent', 0, { kind: 'icmp' }, '192.0.2.2')] }, deps);
  try {
    await health.start(new AbortController().signal);
    t.true(await until(() => health.view('silent')?.isUp === false), 'the silent address goes down');
    t.true(health.view('up')?.isUp);
    t.true(asked.includes('192.0.2.1') && asked.includes('192.0.2.2'), 'the worker asked the main thread for both echoes');
    t.true(await until(() => aborted.includes('192.0.2.2')), 'the timed-out echo was aborted on the main thread');
  } finally {
    await health.stop();
  }
});

requirePrereqs(['root']).serial('PING_CHECK of 127.0.0.1 from the worker over the real raw socket', async (t) => {
  const { deps } = setup();
  const health = createHealthWorkerComponent({ realServers: [rs('lo', 0, { kind: 'icmp' })] }, { ...deps });
  try {
    await health.start(new AbortController().signal);
    t.true(await until(() => health.hasCompletedFirstRound()));
    t.deepEqual(health.view('lo'), { isUp: true, isPresent: true, weight: 7 });
  } finally {
    await health.stop();
  }
});

test.serial('a worker that dies is logged, shown in the snapshot, and started again', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-health-worker-'));
  const entry = join(dir, 'crashing-worker.mjs');
  writeFileSync(entry, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => { throw new Error('boom in the worker'); });\n");
  const { deps, entries } = setup({ workerUrl: pathToFileURL(entry), restartDelayMs: 20 });
  const health = createHealthWorkerComponent({ realServers: [rs('x', 9)] }, deps);
  type WorkerSnap = { worker: { state: string; crashes: number; restarts: number; lastError?: string } };
  try {
    await health.start(new AbortController().signal);
    t.true(await until(() => (health.snapshot() as WorkerSnap).worker.restarts >= 1 && (health.snapshot() as WorkerSnap).worker.crashes >= 2), 'crashed, restarted, crashed again');
    const snap = (health.snapshot() as WorkerSnap).worker;
    t.is(snap.lastError, 'boom in the worker');
    t.true(entries.some((e) => e.level === 'error' && e.message === 'health worker exited: verdicts stay as they were until it runs again'));
    t.deepEqual(health.view('x'), { isUp: true, isPresent: true, weight: 7 }, 'the view keeps the last verdicts');
  } finally {
    await health.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  t.is((health.snapshot() as WorkerSnap).worker.state, 'stopped');
});

/**
 * The daemon's health checks on a worker thread (STYLE 8): the same `HealthComponent` as
 * health-component.ts, with the health/ scheduler and its checkers running in health-worker-main.ts
 * on their own event loop, so that the main loop, which sends the VRRP adverts, stays free.
 *
 * This side keeps a mirror of every real server's verdict (so `view` stays a synchronous look-up),
 * calls `onVerdict` on every change and `onChange` once per burst, writes the worker's log entries
 * to the daemon's logger, and sends the worker's ICMP echo requests on the raw socket, which works
 * on the main thread only. A plan is validated here first, synchronously (a bad plan throws before
 * anything changes), which also gives the initial verdicts of new real servers at once. A worker
 * that dies is logged, shown in snapshot(), and started again after `restartDelayMs`.
 */
import { Worker } from 'node:worker_threads';
import { createChecker } from '../../health/check-spec.js';
import { createRawIcmpTransport, type IcmpEchoTransport } from '../../health/icmp-checker.js';
import { createHealthScheduler, type HealthPlan } from '../../health/scheduler.js';
import type { Timer } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import { parseIpAddress } from '../core/ip.js';
import { silentLogger } from '../core/logger.js';
import { useFixedHeapGrowth } from '../daemon/heap-growth.js';
import type { RealServerHealth } from './desired-table.js';
import { SPREAD_RATIO, type HealthComponent, type HealthComponentDeps } from './health-component.js';
import { encodePlan, type FromWorker, type HealthWorkerData, type ToWorker } from './health-worker-protocol.js';

/** As the in-process component's deps (the runner only validates plans here: MISC_CHECK checkers are built, never run), without stalledMs: the worker measures its own loop. */
export interface HealthWorkerComponentDeps extends Omit<HealthComponentDeps, 'stalledMs'> {
  /** The raw ICMP transport the worker's PING_CHECKs use; default createRawIcmpTransport. */
  readonly icmp?: IcmpEchoTransport;
  /** Default 1000. */
  readonly restartDelayMs?: number;
  /** How long stop() waits for the worker to finish its probes before terminating it. Default 5000. */
  readonly stopTimeoutMs?: number;
  /** The worker's entry; default health-worker-main.js next to this file. For tests. */
  readonly workerUrl?: URL;
}

export interface HealthWorkerComponent extends HealthComponent {
  /** Probes everything now and counts a new first round (the scheduler's beginRound). */
  beginRound(): void;
}

type WorkerState = 'idle' | 'running' | 'crashed' | 'stopping' | 'stopped';

/**
 * The worker's young generation (V8 semi spaces, about a third of it each), against V8's default of
 * up to 48 MB: a probe's garbage dies within the probe, what lives one interval is promoted with
 * either size. Measured with bench/health/probe-micro.ts, 10,000 targets every second on loopback,
 * two runs each, interleaved: RSS 344-358 MB against 416-423 MB, CPU per probe 103-106 µs against
 * 107-109 µs (bench/health/README.md).
 */
const WORKER_YOUNG_GENERATION_MB = 3;

export function createHealthWorkerComponent(initialPlan: HealthPlan, deps: HealthWorkerComponentDeps): HealthWorkerComponent {
  const log = deps.logger.child({ component: 'health' });
  const icmp = deps.icmp ?? createRawIcmpTransport({ random: deps.random });
  const workerUrl = deps.workerUrl ?? new URL('./health-worker-main.js', import.meta.url);
  const checkerDeps = { clock: deps.clock, random: deps.random, runner: deps.runner, icmp };
  const verdicts = new Map<string, RealServerHealth>();
  const echoes = new Map<number, AbortController>();
  let plan = initialPlan;
  let worker: Worker | undefined;
  let state: WorkerState = 'idle';
  let isRunning = false;
  let isRoundComplete = false;
  let probes = 0;
  let crashes = 0;
  let restarts = 0;
  let lastError: string | undefined;
  let workerStats = { stalls: 0, stalledMs: 0 };
  let pending: Timer | undefined;
  let restartTimer: Timer | undefined;
  let stopping: Promise<void> | undefined;
  let onStopped: (() => void) | undefined;

  /** Builds the plan's checkers and initial verdicts without running anything; throws for a bad plan. */
  const validate = (next: HealthPlan): Map<string, RealServerHealth> => {
    const scheduler = createHealthScheduler(next, { clock: deps.clock, random: () => 0, logger: silentLogger, createChecker: (spec) => createChecker(spec, checkerDeps) }, { spreadRatio: SPREAD_RATIO });
    const snapshot = scheduler.snapshot();
    probes = snapshot.probes.length;
    return new Map(snapshot.realServers.map((rs) => [rs.id, { isUp: rs.isUp, ...rs.destination }]));
  };

  const notify = (realServerId: string): void => {
    if (!isRunning) return;
    deps.onVerdict?.(realServerId);
    pending ??= deps.clock.setTimeout(() => {
      pending = undefined;
      if (isRunning) deps.onChange();
    }, 0);
  };

  const abortEchoes = (): void => {
    for (const controller of echoes.values()) controller.abort(new Error('health worker gone'));
    echoes.clear();
  };

  const echo = (w: Worker, id: number, addressText: string): void => {
    const address = parseIpAddress(addressText);
    const send = (message: ToWorker): void => {
      if (worker === w) w.postMessage(message);
    };
    if (!address.ok) {
      send({ type: 'icmp-outcome', id, outcome: { kind: 'error', reason: 'socket-error', detail: address.error } });
      return;
    }
    const controller = new AbortController();
    echoes.set(id, controller);
    icmp.echo(address.value, controller.signal).then(
      (outcome) => {
        echoes.delete(id);
        send({ type: 'icmp-outcome', id, outcome });
      },
      (e: unknown) => {
        echoes.delete(id);
        send({ type: 'icmp-outcome', id, outcome: { kind: 'error', reason: 'socket-error', detail: describeError(e) } });
      },
    );
  };

  const onMessage = (w: Worker, message: FromWorker): void => {
    if (worker !== w) return;
    switch (message.type) {
      case 'real-server-changed':
        verdicts.set(message.realServerId, { isUp: message.isUp, ...message.destination });
        notify(message.realServerId);
        return;
      case 'real-server-removed':
        verdicts.delete(message.realServerId);
        notify(message.realServerId);
        return;
      case 'first-round-complete':
        if (!isRoundComplete) log.info('health: first round complete');
        isRoundComplete = true;
        return;
      case 'status':
        probes = message.probes;
        workerStats = { stalls: message.stalls, stalledMs: message.stalledMs };
        return;
      case 'plan-refused':
        log.error('health worker refused a plan that passed validation here', { reason: message.message });
        return;
      case 'log':
        deps.logger[message.level](message.message, message.fields);
        return;
      case 'icmp-echo':
        echo(w, message.id, message.address);
        return;
      case 'icmp-abort':
        echoes.get(message.id)?.abort(new Error('probe aborted'));
        echoes.delete(message.id);
        return;
      case 'stopped':
        onStopped?.();
        return;
    }
  };

  const onExit = (w: Worker, exitCode: number): void => {
    if (worker !== w) return;
    worker = undefined;
    abortEchoes();
    onStopped?.();
    if (!isRunning) return;
    state = 'crashed';
    crashes++;
    log.error('health worker exited: verdicts stay as they were until it runs again', { exitCode, err: lastError, restartInMs: deps.restartDelayMs ?? 1000 });
    restartTimer = deps.clock.setTimeout(() => {
      restartTimer = undefined;
      if (!isRunning) return;
      restarts++;
      spawn();
    }, deps.restartDelayMs ?? 1000);
  };

  const spawn = (): void => {
    // Before the worker's heap is created: with thousands of probes a second promoting what lives one
    // interval, V8's own growth factor (up to 4) is most of the worker's RSS. probe-micro, worker layer,
    // 10,000 targets every second, runs interleaved (flag on the command line): factor 2: RSS 211-213 MB,
    // CPU per probe 72-83 µs; V8's own: 311-330 MB, 63-86 µs; 1.6: 186-194 MB, 69-80 µs; 1.2: 181 MB
    // but 97-117 µs (bench/health/README.md). The daemon's entry sets it earlier, for the main thread.
    useFixedHeapGrowth();
    const data: HealthWorkerData = { plan: encodePlan(plan), spreadRatio: SPREAD_RATIO };
    const w = new Worker(workerUrl, { workerData: data, name: 'lvsd-health', resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    worker = w;
    state = 'running';
    w.on('message', (message: FromWorker) => onMessage(w, message));
    w.on('error', (e) => {
      lastError = describeError(e);
      log.error('health worker failed', { err: e });
    });
    w.on('exit', (exitCode) => onExit(w, exitCode));
    w.postMessage({ type: 'start' } satisfies ToWorker);
  };

  const stopWorker = async (w: Worker): Promise<void> => {
    await new Promise<void>((resolve) => {
      const timer = deps.clock.setTimeout(() => {
        log.warn('health worker did not stop in time; terminating it', { timeoutMs: deps.stopTimeoutMs ?? 5000 });
        resolve();
      }, deps.stopTimeoutMs ?? 5000);
      onStopped = () => {
        timer.cancel();
        resolve();
      };
      w.postMessage({ type: 'stop' } satisfies ToWorker);
    });
    onStopped = undefined;
    worker = undefined;
    abortEchoes();
    await w.terminate();
  };

  for (const [id, verdict] of validate(plan)) verdicts.set(id, verdict);

  return {
    name: 'health',
    view: (id) => verdicts.get(id),
    setPlan(next) {
      const initial = validate(next);
      for (const id of [...verdicts.keys()]) if (!initial.has(id)) verdicts.delete(id);
      for (const [id, verdict] of initial) if (!verdicts.has(id)) verdicts.set(id, verdict);
      plan = next;
      worker?.postMessage({ type: 'set-plan', plan: encodePlan(next) } satisfies ToWorker);
    },
    hasCompletedFirstRound: () => isRoundComplete,
    beginRound() {
      isRoundComplete = false;
      worker?.postMessage({ type: 'begin-round' } satisfies ToWorker);
    },
    start() {
      if (isRunning) return Promise.resolve();
      isRunning = true;
      stopping = undefined;
      spawn();
      return Promise.resolve();
    },
    stop() {
      if (stopping !== undefined) return stopping;
      isRunning = false;
      pending?.cancel();
      pending = undefined;
      restartTimer?.cancel();
      restartTimer = undefined;
      const w = worker;
      if (w === undefined) {
        if (state !== 'idle') state = 'stopped';
        return Promise.resolve();
      }
      state = 'stopping';
      stopping = stopWorker(w).then(() => {
        state = 'stopped';
      });
      return stopping;
    },
    snapshot: () => ({
      hasCompletedFirstRound: isRoundComplete,
      probes,
      realServers: [...verdicts].map(([id, v]) => ({ id, isUp: v.isUp, weight: v.weight, isPresent: v.isPresent })),
      worker: { state, crashes, restarts, ...(lastError === undefined ? {} : { lastError }), ...workerStats },
    }),
  };
}

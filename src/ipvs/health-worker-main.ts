/**
 * The health worker thread's entry (STYLE 8): the health/ scheduler and its checkers on their own
 * event loop, so that thousands of probes a second do not delay the VRRP adverts of the main loop
 * (bench/health/README.md measured adverts up to 1 s late with them in one loop). The main thread
 * (health-worker-component.ts) sends the plan and start/stop; this posts every real-server change,
 * every log entry (the main thread's logger writes it, in order with its own) and the ICMP echo
 * requests, which the main thread sends: raw sockets work only there.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createChecker } from '../../health/check-spec.js';
import type { EchoOutcome, IcmpEchoTransport } from '../../health/icmp-checker.js';
import { createHealthScheduler } from '../../health/scheduler.js';
import { systemClock } from '../core/clock.js';
import { createProcessRunner } from '../core/command-runner.js';
import { describeError } from '../core/errors.js';
import type { LogFields, Logger, LogLevel } from '../core/logger.js';
import { createStallMonitor } from '../daemon/stall-monitor.js';
import { decodePlan, toPlainFields, type FromWorker, type HealthWorkerData, type ToWorker } from './health-worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('health-worker-main.ts runs as a worker thread only');

const post = (message: FromWorker): void => port.postMessage(message);

function createForwardingLogger(bound: LogFields): Logger {
  const log = (level: LogLevel) => (message: string, fields?: LogFields): void => {
    post({ type: 'log', level, message, fields: toPlainFields({ ...bound, ...fields }) });
  };
  return { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), child: (fields) => createForwardingLogger({ ...bound, ...fields }) };
}

/** Echo requests go to the main thread, which owns the raw socket; outcomes come back by id. */
function createProxyIcmpTransport(): { transport: IcmpEchoTransport; settle(id: number, outcome: EchoOutcome): void } {
  const pending = new Map<number, (outcome: EchoOutcome) => void>();
  let nextId = 1;
  return {
    transport: {
      echo(address, signal) {
        return new Promise((resolve) => {
          if (signal.aborted) {
            resolve({ kind: 'aborted' });
            return;
          }
          const id = nextId++;
          const onAbort = (): void => {
            if (!pending.delete(id)) return;
            post({ type: 'icmp-abort', id });
            resolve({ kind: 'aborted' });
          };
          pending.set(id, (outcome) => {
            pending.delete(id);
            signal.removeEventListener('abort', onAbort);
            resolve(outcome);
          });
          signal.addEventListener('abort', onAbort, { once: true });
          post({ type: 'icmp-echo', id, address: address.text });
        });
      },
    },
    settle: (id, outcome) => pending.get(id)?.(outcome),
  };
}

const data = workerData as HealthWorkerData;
const logger = createForwardingLogger({ thread: 'health-worker' });
// This loop's own stalls: probe deadlines discount the time this thread did not run.
const stallMonitor = createStallMonitor({ clock: systemClock, logger });
const icmp = createProxyIcmpTransport();
const checkerDeps = { clock: systemClock, random: Math.random, runner: createProcessRunner(), icmp: icmp.transport };
const scheduler = createHealthScheduler(decodePlan(data.plan), {
  clock: systemClock,
  random: Math.random,
  logger,
  createChecker: (spec) => createChecker(spec, checkerDeps),
  stalledMs: stallMonitor.stalledMs,
}, { spreadRatio: data.spreadRatio });

const postStatus = (): void => {
  const s = scheduler.snapshot();
  post({ type: 'status', probes: s.probes.length, isRunning: s.isRunning, stalls: stallMonitor.stats().stalls, stalledMs: stallMonitor.stalledMs() });
};

scheduler.onEvent((event) => {
  switch (event.type) {
    case 'real-server-changed':
      post({ type: 'real-server-changed', realServerId: event.realServerId, isUp: event.isUp, destination: { isPresent: event.destination.isPresent, weight: event.destination.weight } });
      return;
    case 'real-server-removed':
      post({ type: 'real-server-removed', realServerId: event.realServerId });
      return;
    case 'first-round-complete':
      post({ type: 'first-round-complete' });
      return;
    case 'check-changed':
      return;
  }
});

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'set-plan':
      try {
        scheduler.setPlan(decodePlan(message.plan));
      } catch (e) {
        post({ type: 'plan-refused', message: describeError(e) });
      }
      postStatus();
      return;
    case 'start':
      void stallMonitor.start(new AbortController().signal);
      scheduler.start();
      postStatus();
      return;
    case 'begin-round':
      scheduler.beginRound();
      return;
    case 'icmp-outcome':
      icmp.settle(message.id, message.outcome);
      return;
    case 'stop':
      void stallMonitor.stop();
      scheduler.stop().then(
        () => {
          postStatus();
          post({ type: 'stopped' });
        },
        (e: unknown) => {
          logger.error('health worker: stopping failed', { err: e });
          post({ type: 'stopped' });
        },
      );
      return;
  }
});

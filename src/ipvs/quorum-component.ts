/**
 * Keeps the quorum verdict of every virtual service between evaluations (the hysteresis needs the
 * last verdict) and runs keepalived's quorum_up / quorum_down and notify_up / notify_down scripts
 * (quorum-plan.ts) through one queue: in order, one at a time, each under a timeout, no shell.
 * It re-evaluates on every health change (`refresh`, called synchronously by the health component,
 * so no change is missed between two IPVS rounds), on a reload (`update`) and at start; the IPVS
 * reconciler reads `view` when it builds the desired table.
 */
import type { CommandRunner } from '../core/command-runner.js';
import type { Logger } from '../core/logger.js';
import { createScriptQueue, SCRIPT_TIMEOUT_MS } from '../core/script-queue.js';
import type { Component } from '../daemon/lifecycle.js';
import type { IpvsConfig } from '../../config/schema-ipvs.js';
import type { HealthView, QuorumView } from './desired-table.js';
import { planQuorum, planQuorumFor, planStopScripts, serviceIndexByRealServerId, type QuorumEvent, type VirtualServerQuorum } from './quorum-plan.js';

export interface QuorumComponentDeps {
  readonly logger: Logger;
  readonly runner: CommandRunner;
  /** The health checks' verdicts, when the config has checks. */
  readonly health?: HealthView;
  /** Each script's limit; its process group is killed after it. Default 10 s. */
  readonly scriptTimeoutMs?: number;
}

export interface QuorumComponent extends Component {
  readonly view: QuorumView;
  /** A real server's health changed: evaluate its service now (every service without an id). */
  refresh(realServerId?: string): void;
  /** A reload: evaluate the new config against the current health (services kept keep their memory). */
  update(config: IpvsConfig): void;
}

export function createQuorumComponent(initial: IpvsConfig, deps: QuorumComponentDeps): QuorumComponent {
  const log = deps.logger.child({ component: 'quorum' });
  const scripts = createScriptQueue(deps.runner, log, deps.scriptTimeoutMs ?? SCRIPT_TIMEOUT_MS);
  let config = initial;
  // The memory (hysteresis), kept per service and real server; undefined before the first evaluation.
  let memory: { quorum: Map<string, boolean>; realServers: Map<string, boolean> } | undefined;
  let services = new Map<string, VirtualServerQuorum>();
  let serviceIndex = serviceIndexByRealServerId(initial);
  let isRunning = false;
  let changes = 0;

  const handle = (event: QuorumEvent): void => {
    if (event.kind === 'quorum' && event.change !== 'stopping') {
      changes++;
      const fields = { vs: event.vs, change: event.change, liveWeight: event.liveWeight, thresholdWeight: event.thresholdWeight };
      if (event.change === 'gained') log.info('virtual service quorum gained', fields);
      else log.warn('virtual service quorum lost', fields);
    }
    if (event.argv === undefined) return;
    const fields = event.kind === 'quorum' ? { vs: event.vs, reason: `quorum ${event.change}` } : { vs: event.vs, rs: event.rs, reason: event.isUp ? 'real server up' : 'real server down' };
    scripts.submit(event.argv, fields);
  };

  const evaluate = (): void => {
    const plan = planQuorum(config, deps.health, memory);
    memory = { quorum: new Map(plan.memory.quorum), realServers: new Map(plan.memory.realServers) };
    services = new Map(plan.services.map((x) => [x.vs, x]));
    for (const event of plan.events) handle(event);
  };

  /** One service only: its entries replace its old ones. */
  const evaluateOne = (index: number): void => {
    if (memory === undefined) return evaluate();
    const plan = planQuorumFor(config, [index], deps.health, memory);
    for (const [k, v] of plan.memory.quorum) memory.quorum.set(k, v);
    for (const [k, v] of plan.memory.realServers) memory.realServers.set(k, v);
    for (const service of plan.services) services.set(service.vs, service);
    for (const event of plan.events) handle(event);
  };

  return {
    name: 'quorum',
    view: (vs) => memory?.quorum.get(vs),
    refresh(realServerId) {
      if (!isRunning) return;
      const index = realServerId === undefined ? undefined : serviceIndex.get(realServerId);
      if (index === undefined) evaluate();
      else evaluateOne(index);
    },
    update(next) {
      config = next;
      serviceIndex = serviceIndexByRealServerId(next);
      if (isRunning) evaluate();
    },
    start() {
      if (isRunning) return Promise.resolve();
      isRunning = true;
      evaluate();
      return Promise.resolve();
    },
    async stop() {
      if (!isRunning) return;
      isRunning = false;
      if (memory !== undefined) for (const event of planStopScripts(config, memory)) handle(event);
      await scripts.drain();
    },
    snapshot: () => ({
      services: [...services.values()].map((s) => ({ vs: s.vs, hasQuorum: s.hasQuorum, liveWeight: s.liveWeight, thresholdWeight: s.thresholdWeight, quorum: s.params.weight, hysteresis: s.params.hysteresis, hasSorryServer: s.hasSorryServer })),
      changes,
      scripts: scripts.snapshot(),
    }),
  };
}

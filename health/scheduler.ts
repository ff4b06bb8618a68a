/**
 * The health scheduler (seesaw's layer 3): runs one probe per distinct (real server address, port,
 * check, timing) however many virtual services name it, staggers their starts with injected
 * randomness so probes never fire all at once, runs each under its timeout and an AbortSignal,
 * feeds results through the hysteresis (hysteresis.ts) and the real-server verdict
 * (real-server-verdict.ts), and reports every change as an event with its reason: which check, what
 * failed, how long it took.
 *
 * The plan is data (`HealthPlan`); `setPlan` applies a new one as a diff: unchanged probes keep their
 * state and schedule, new ones start with jitter (within their warmup when it is set, keepalived
 * `warmup`; else within fastinter), removed ones are aborted. A plan whose checks cannot
 * be built is refused before anything changes.
 */
import type { Clock, Timer } from '../src/core/clock.js';
import { describeError, LvsdError } from '../src/core/errors.js';
import type { IpAddress } from '../src/core/ip.js';
import type { Logger } from '../src/core/logger.js';
import { isProbeTimeout, runCheck, type CheckResult, type CheckTarget, type HealthChecker } from './checker.js';
import { checkSpecKey, stableKey, type CheckSpec } from './check-spec.js';
import type { HealthEvent, HealthEventListener, HealthPlan, HealthSnapshot, ProbeInfo, ProbeSpec, RealServerCause, RealServerSpec } from './health-plan.js';
import { describeInvalidTiming, firstProbeWindowMs, initialCheckState, stepCheck, type CheckState } from './hysteresis.js';
import { evaluateRealServer, initialRealServerState, type Destination, type RealServerState } from './real-server-verdict.js';

export type * from './health-plan.js';

export interface HealthSchedulerParams {
  /** HAProxy `spread-checks`: each delay is moved by up to +-ratio of itself (0..0.5). Default 0. */
  readonly spreadRatio?: number;
}

export interface HealthSchedulerDeps {
  readonly clock: Clock;
  /** [0, 1): start jitter and spread. */
  readonly random: () => number;
  readonly logger: Logger;
  /** check-spec.ts `createChecker` with its deps bound; a fake in tests. */
  readonly createChecker: (spec: CheckSpec) => HealthChecker;
  /** Milliseconds the process has not run so far (runCheck's `stalledMs`). */
  readonly stalledMs?: () => number;
}

export interface HealthScheduler {
  /** Replaces the plan (a diff). Throws LvsdError ERR_INVALID_ARGUMENT, changing nothing, for a bad plan. */
  setPlan(plan: HealthPlan): void;
  start(): void;
  /** Aborts probes in flight and waits for them. Idempotent. */
  stop(): Promise<void>;
  /** Probes everything now (start jitter within fastinter) and counts a new first round, e.g. after a link returns. */
  beginRound(): void;
  onEvent(listener: HealthEventListener): () => void;
  snapshot(): HealthSnapshot;
}

interface Probe {
  readonly key: string;
  readonly info: ProbeInfo;
  readonly spec: ProbeSpec;
  readonly target: CheckTarget;
  readonly checker: HealthChecker;
  readonly realServerIds: Set<string>;
  state: CheckState;
  runs: number;
  hasRunThisRound: boolean;
  timer: Timer | undefined;
  nextDueMs: number | undefined;
  /** Aborted by stop() and removal; kept between runs otherwise. */
  controller: AbortController | undefined;
  inFlight: Promise<void> | undefined;
}

interface RealServer {
  spec: RealServerSpec;
  probeKeys: string[];
  state: RealServerState;
  destination: Destination;
  rampTimer: Timer | undefined;
}

export function targetText(address: IpAddress, port: number): string {
  return address.family === 6 ? `[${address.text}]:${port}` : `${address.text}:${port}`;
}

/**
 * A probe's identity. `warmupMs` is left out: it only places the first run, so a reload that changes
 * it keeps the running probe (and its state); destinations that differ only in warmup share one probe,
 * started with the warmup of the first.
 */
export function probeKeyOf(address: IpAddress, port: number, probe: ProbeSpec): string {
  const { warmupMs: _warmupMs, ...timing } = probe.timing;
  return `${probe.check.kind} ${targetText(address, port)} ${checkSpecKey(probe.check)} ${stableKey(timing)}`;
}

export function createHealthScheduler(plan: HealthPlan, deps: HealthSchedulerDeps, params: HealthSchedulerParams = {}): HealthScheduler {
  const scheduler = new Scheduler(deps, params);
  scheduler.setPlan(plan);
  return scheduler;
}

class Scheduler implements HealthScheduler {
  private readonly probes = new Map<string, Probe>();
  private readonly realServers = new Map<string, RealServer>();
  private readonly listeners = new Set<HealthEventListener>();
  private readonly log: Logger;
  private isRunning = false;
  private isRoundComplete = false;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly deps: HealthSchedulerDeps,
    private readonly params: HealthSchedulerParams,
  ) {
    this.log = deps.logger.child({ component: 'health' });
    const spread = params.spreadRatio ?? 0;
    if (!(spread >= 0 && spread <= 0.5)) throw new LvsdError('ERR_INVALID_ARGUMENT', `spreadRatio ${spread} is not within 0..0.5`);
  }

  setPlan(plan: HealthPlan): void {
    const wanted = this.prepare(plan);
    const now = this.deps.clock.now();
    for (const [key, probe] of this.probes) {
      if (!wanted.probes.has(key)) this.removeProbe(probe);
    }
    for (const [key, probe] of wanted.probes) {
      if (this.probes.has(key)) continue;
      this.probes.set(key, probe);
      if (this.isRunning) this.scheduleStart(probe);
    }
    for (const probe of this.probes.values()) probe.realServerIds.clear();
    for (const spec of plan.realServers) {
      const keys = wanted.keysByServer.get(spec.id) ?? [];
      for (const key of keys) this.probes.get(key)?.realServerIds.add(spec.id);
      this.upsertRealServer(spec, keys);
    }
    const ids = new Set(plan.realServers.map((r) => r.id));
    for (const [id, rs] of this.realServers) {
      if (ids.has(id)) continue;
      rs.rampTimer?.cancel();
      this.realServers.delete(id);
      this.emit({ type: 'real-server-removed', atMs: now, realServerId: id });
    }
    this.checkRoundComplete();
  }

  /** Validates the plan and builds its new probes; touches nothing. */
  private prepare(plan: HealthPlan): { probes: Map<string, Probe>; keysByServer: Map<string, string[]> } {
    const probes = new Map<string, Probe>();
    const keysByServer = new Map<string, string[]>();
    for (const rs of plan.realServers) {
      if (keysByServer.has(rs.id)) throw new LvsdError('ERR_INVALID_ARGUMENT', `real server "${rs.id}" appears twice in the health plan`);
      const keys: string[] = [];
      for (const spec of rs.checks) {
        const invalid = describeInvalidTiming(spec.timing);
        if (invalid !== undefined) throw new LvsdError('ERR_INVALID_ARGUMENT', `real server "${rs.id}", ${spec.check.kind} check: ${invalid}`);
        const key = probeKeyOf(rs.address, rs.port, spec);
        keys.push(key);
        if (probes.has(key)) continue;
        const existing = this.probes.get(key);
        probes.set(key, existing ?? this.newProbe(key, rs, spec));
      }
      keysByServer.set(rs.id, keys);
    }
    return { probes, keysByServer };
  }

  private newProbe(key: string, rs: RealServerSpec, spec: ProbeSpec): Probe {
    let checker: HealthChecker;
    try {
      checker = this.deps.createChecker(spec.check);
    } catch (e) {
      throw new LvsdError('ERR_INVALID_ARGUMENT', `real server "${rs.id}", ${spec.check.kind} check: ${describeError(e)}`, { cause: e });
    }
    return {
      key,
      info: { key, kind: spec.check.kind, target: targetText(rs.address, rs.port) },
      spec,
      target: { address: rs.address, port: rs.port },
      checker,
      realServerIds: new Set(),
      state: initialCheckState(spec.timing),
      runs: 0,
      hasRunThisRound: false,
      timer: undefined,
      nextDueMs: undefined,
      controller: undefined,
      inFlight: undefined,
    };
  }

  private removeProbe(probe: Probe): void {
    probe.timer?.cancel();
    probe.timer = undefined;
    probe.controller?.abort(new Error('check removed from the plan'));
    this.probes.delete(probe.key);
  }

  private upsertRealServer(spec: RealServerSpec, probeKeys: string[]): void {
    const existing = this.realServers.get(spec.id);
    const states = this.statesOf(probeKeys);
    if (existing === undefined) {
      const rs: RealServer = { spec, probeKeys, state: initialRealServerState(states), destination: { isPresent: false, weight: 0 }, rampTimer: undefined };
      this.realServers.set(spec.id, rs);
      this.evaluate(rs, { kind: 'added' }, true);
      return;
    }
    const isChanged = stableKey({ ...existing.spec, checks: [] }) !== stableKey({ ...spec, checks: [] }) || existing.probeKeys.join('\n') !== probeKeys.join('\n');
    existing.spec = spec;
    existing.probeKeys = probeKeys;
    if (isChanged) this.evaluate(existing, { kind: 'params' }, false);
  }

  private statesOf(keys: readonly string[]): CheckState[] {
    return keys.flatMap((k) => {
      const p = this.probes.get(k);
      return p === undefined ? [] : [p.state];
    });
  }

  start(): void {
    if (this.isRunning) return;
    this.isRunning = true;
    this.stopping = undefined;
    for (const probe of this.probes.values()) this.scheduleStart(probe);
    this.log.info('health checks started', { probes: this.probes.size, realServers: this.realServers.size });
    this.checkRoundComplete();
  }

  stop(): Promise<void> {
    if (this.stopping !== undefined) return this.stopping;
    if (!this.isRunning) return Promise.resolve();
    this.isRunning = false;
    const inFlight: Promise<void>[] = [];
    for (const probe of this.probes.values()) {
      probe.timer?.cancel();
      probe.timer = undefined;
      probe.nextDueMs = undefined;
      probe.controller?.abort(new Error('health checks stopping'));
      if (probe.inFlight !== undefined) inFlight.push(probe.inFlight);
    }
    for (const rs of this.realServers.values()) {
      rs.rampTimer?.cancel();
      rs.rampTimer = undefined;
    }
    this.stopping = Promise.all(inFlight).then(() => this.log.info('health checks stopped', {}));
    return this.stopping;
  }

  beginRound(): void {
    this.isRoundComplete = false;
    for (const probe of this.probes.values()) {
      probe.hasRunThisRound = false;
      if (this.isRunning && probe.inFlight === undefined) this.schedule(probe, this.deps.random() * probe.spec.timing.fastIntervalMs);
    }
  }

  onEvent(listener: HealthEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): HealthSnapshot {
    return {
      isRunning: this.isRunning,
      hasCompletedFirstRound: this.isRoundComplete,
      probes: [...this.probes.values()].map((p) => ({
        ...p.info,
        state: p.state,
        runs: p.runs,
        isInFlight: p.inFlight !== undefined,
        ...(p.nextDueMs === undefined ? {} : { nextDueMs: p.nextDueMs }),
        realServerIds: [...p.realServerIds],
      })),
      realServers: [...this.realServers.values()].map((r) => ({
        id: r.spec.id,
        isUp: r.state.isUp,
        destination: r.destination,
        isRamping: r.state.rampStartMs !== undefined,
        probeKeys: [...r.probeKeys],
      })),
    };
  }

  private schedule(probe: Probe, delayMs: number): void {
    probe.timer?.cancel();
    const now = this.deps.clock.now();
    probe.nextDueMs = now + delayMs;
    probe.timer = this.deps.clock.setTimeout(() => this.fire(probe), delayMs);
  }

  /** Start jitter: at random within the warmup before a probe's first run (else its next delay), so probes never fire all at once. */
  private scheduleStart(probe: Probe): void {
    this.schedule(probe, this.deps.random() * firstProbeWindowMs(probe.state, probe.spec.timing, probe.runs > 0));
  }

  private spread(delayMs: number): number {
    const ratio = this.params.spreadRatio ?? 0;
    return ratio === 0 ? delayMs : delayMs * (1 + ratio * (2 * this.deps.random() - 1));
  }

  private fire(probe: Probe): void {
    probe.timer = undefined;
    probe.nextDueMs = undefined;
    if (!this.isRunning || this.probes.get(probe.key) !== probe || probe.inFlight !== undefined) return;
    // One controller serves a probe's runs until stop(), removal or a deadline (runCheck aborts it
    // then) aborts it; then a new one. An AbortSignal with a listener is about 0.75 KB: per run, it
    // was a tenth of what a TCP probe allocates (bench/health/README.md).
    const controller = probe.controller === undefined || probe.controller.signal.aborted ? new AbortController() : probe.controller;
    const startedAtMs = this.deps.clock.now();
    probe.controller = controller;
    probe.inFlight = runCheck(probe.checker, probe.target, {
      clock: this.deps.clock,
      timeoutMs: probe.spec.timing.timeoutMs,
      controller,
      ...(this.deps.stalledMs === undefined ? {} : { stalledMs: this.deps.stalledMs }),
    })
      .then((result) => {
        probe.inFlight = undefined;
        const isCurrent = this.isRunning && this.probes.get(probe.key) === probe;
        if (controller.signal.aborted && !isProbeTimeout(controller.signal)) {
          // Stopped or removed: the result means nothing. Started again meanwhile: probe afresh.
          if (isCurrent && probe.timer === undefined) this.schedule(probe, this.deps.random() * probe.spec.timing.fastIntervalMs);
          return;
        }
        if (isCurrent) this.onResult(probe, result, startedAtMs);
      })
      .catch((e: unknown) => {
        probe.inFlight = undefined;
        this.log.error('health probe bookkeeping failed', { check: probe.info.kind, rs: probe.info.target, err: e });
      });
  }

  private onResult(probe: Probe, result: CheckResult, startedAtMs: number): void {
    const now = this.deps.clock.now();
    const step = stepCheck(probe.state, result, now, probe.spec.timing);
    const previous = probe.state;
    probe.state = step.next;
    probe.runs += 1;
    probe.hasRunThisRound = true;
    if (step.change !== undefined) {
      this.log.info('health check changed state', logFields(probe.info, step.change.result, { from: step.change.from, to: step.change.to, cause: step.change.cause, count: step.change.count }));
      this.emit({ type: 'check-changed', atMs: now, probe: probe.info, change: step.change });
    } else if (!result.ok && result.reason !== 'aborted') {
      this.log.debug('health check failed', logFields(probe.info, result, { status: step.next.status, failures: step.next.failures }));
    }
    const isReportChanged = stableKey(previous.weight) !== stableKey(step.next.weight) || previous.admin !== step.next.admin;
    if (step.change !== undefined || isReportChanged) {
      const cause: RealServerCause = step.change !== undefined ? { kind: 'check', probe: probe.info, change: step.change } : { kind: 'report', probe: probe.info, result };
      for (const id of probe.realServerIds) {
        const rs = this.realServers.get(id);
        if (rs !== undefined) this.evaluate(rs, cause, false);
      }
    }
    this.checkRoundComplete();
    const dueMs = Math.max(now, startedAtMs + this.spread(step.delayMs));
    this.schedule(probe, dueMs - now);
  }

  private evaluate(rs: RealServer, cause: RealServerCause, isNew: boolean): void {
    const now = this.deps.clock.now();
    const verdict = evaluateRealServer(this.statesOf(rs.probeKeys), rs.state, now, rs.spec);
    const previous = rs.destination;
    const wasUp = rs.state.isUp;
    rs.state = verdict.next;
    rs.destination = verdict.destination;
    rs.rampTimer?.cancel();
    rs.rampTimer = undefined;
    if (verdict.nextEvaluationMs !== undefined && this.isRunning) {
      rs.rampTimer = this.deps.clock.setTimeout(() => {
        rs.rampTimer = undefined;
        if (this.realServers.get(rs.spec.id) === rs) this.evaluate(rs, { kind: 'slowstart' }, false);
      }, verdict.nextEvaluationMs - now);
    }
    const isChanged = isNew || wasUp !== verdict.next.isUp || previous.isPresent !== verdict.destination.isPresent || previous.weight !== verdict.destination.weight;
    if (!isChanged) return;
    if (cause.kind !== 'slowstart') {
      const fields = { rs: rs.spec.id, up: verdict.next.isUp, present: verdict.destination.isPresent, weight: verdict.destination.weight, cause: cause.kind };
      const extra = cause.kind === 'check' ? logFields(cause.probe, cause.change.result, {}) : cause.kind === 'report' ? logFields(cause.probe, cause.result, {}) : {};
      this.log.info('real server health changed', { ...fields, ...extra });
    }
    this.emit({
      type: 'real-server-changed',
      atMs: now,
      realServerId: rs.spec.id,
      isUp: verdict.next.isUp,
      destination: verdict.destination,
      ...(isNew ? {} : { previous }),
      cause,
    });
  }

  private checkRoundComplete(): void {
    if (this.isRoundComplete || !this.isRunning) return;
    for (const probe of this.probes.values()) if (!probe.hasRunThisRound) return;
    this.isRoundComplete = true;
    this.log.info('health checks completed a first round', { probes: this.probes.size });
    this.emit({ type: 'first-round-complete', atMs: this.deps.clock.now() });
  }

  private emit(event: HealthEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (e) {
        this.log.error('health event listener threw', { event: event.type, err: e });
      }
    }
  }
}

function logFields(probe: ProbeInfo, result: CheckResult, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    check: probe.kind,
    target: probe.target,
    ok: result.ok,
    ...(result.ok ? {} : { reason: result.reason }),
    ...(result.detail === undefined ? {} : { detail: result.detail }),
    latencyMs: Math.round(result.latencyMs * 10) / 10,
    ...extra,
  };
}

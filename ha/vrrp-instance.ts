/**
 * The driver of one VRRP instance: the thin shell around the pure core. It feeds received datagrams
 * through the receive filter (RFC 5798 section 7.1, every drop counted) into the state machine
 * (`step(snapshot, event, params) -> { next, effects }`) and executes the effects: timers on the
 * injected Clock, adverts on the VrrpTransport, VIP changes and announcements through the VipWorker,
 * takeover requests through the TakeoverGate, transitions onto the ordered event stream and the log.
 *
 * Lifecycle (STYLE 18): `start()` opens the transport, removes VIPs left over from a crash, and sends
 * the Startup event; `stop({ isPlannedHandover })` sends the Shutdown event. A stopping master sends
 * priority 0 (RFC 5798 section 6.4.3); with a planned handover it keeps its VIPs until it hears the new
 * master or the handover timer fires (beyond the RFC, see vrrp-state-machine.ts), then removes them,
 * `handoverReleaseDelayMs` after hearing the new master (so that its VIPs and GARP are out first), and
 * only then closes its socket. Both are idempotent.
 */
import type { Clock, Timer } from '../src/core/clock.js';
import { abortReason } from '../src/core/clock.js';
import { assertNever, describeError } from '../src/core/errors.js';
import type { Logger } from '../src/core/logger.js';
import type { AddressManager } from './address-manager.js';
import type { GarpSender } from './garp-sender.js';
import { alwaysGrantTakeover, type TakeoverGate } from './takeover-gate.js';
import { VipWorker } from './vip-worker.js';
import { VrrpError } from './vrrp-error.js';
import { VrrpEventLog, type VrrpInstanceEvent, type VrrpInstanceEventListener } from './vrrp-instance-events.js';
import {
  advertDestinations,
  buildAdvertisement,
  describeInvalidSettings,
  toFilterParams,
  toStateParams,
  vipAssignments,
  type VrrpInstanceSettings,
} from './vrrp-instance-settings.js';
import { encodeAdvertisement } from './vrrp-packet.js';
import { filterAdvertisement, VrrpReceiveCounters, type ReceiveFilterParams, type VrrpDropReason } from './vrrp-receive-filter.js';
import { createHmacSha256Mac } from './hmac-sha256-mac.js';
import { HmacReplayWindow, initialSequence, sealAdvertisement, type AdvertMac } from './vrrp-hmac.js';
import { effectivePriority, step } from './vrrp-state-machine.js';
import { createVrrpSnapshot, type TransitionReason, type VrrpEffect, type VrrpEvent, type VrrpInstanceParams, type VrrpSnapshot, type VrrpTimer } from './vrrp-state-types.js';
import { toReceivedDatagram, type AssumedHeaderCounts } from './vrrp-datagram-assumptions.js';
import type { VrrpDatagram, VrrpTransport } from './vrrp-transport.js';
import type { VrrpInstanceSnapshot, VrrpLifecycle } from './vrrp-instance-snapshot.js';
import { RELEASE_PRIORITY } from './vrrp-timers.js';

/** At most one warning and event per HMAC drop reason in this time. */
const AUTH_DROP_REPORT_MS = 1000;

export interface VrrpInstanceDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Opens this instance's transport at start; the instance closes it at the end of stop. */
  readonly openTransport: (signal: AbortSignal) => Promise<VrrpTransport>;
  /** Shared between instances; not closed by the instance. */
  readonly addressManager: AddressManager;
  /** Shared between instances; not closed by the instance. */
  readonly garpSender: GarpSender;
  /** Default: every takeover granted. */
  readonly takeoverGate?: TakeoverGate;
  /** Wall clock for event timestamps and the start of the HMAC sequence (vrrp-hmac.ts); default Date.now. */
  readonly wallClock?: () => number;
}

export interface VrrpStopOptions {
  /** Master only: keep the VIPs until the new master is heard (or a master down interval), then remove them. */
  readonly isPlannedHandover: boolean;
  /** Aborting cuts a planned handover short: the VIPs are removed at once. */
  readonly signal?: AbortSignal;
}

export interface VrrpInstance {
  readonly name: string;
  /** Idempotent; rejects with VrrpError (ERR_VRRP_SOCKET, ERR_VRRP_ABORTED, ERR_VRRP_CLOSED after stop). */
  start(signal?: AbortSignal): Promise<void>;
  /** Idempotent; never rejects for I/O (failures are logged and on the event stream). */
  stop(options: VrrpStopOptions): Promise<void>;
  /** Tracker results (keepalived weight rules are the caller's; see vrrp-state-machine.ts effectivePriority). */
  setTrackers(priorityAdjustment: number, isFault: boolean): void;
  /** keepalived's vrrp_sync_group: the group went MASTER or BACKUP, this member follows (vrrp-state-machine.ts). */
  followSyncGroup(target: 'master' | 'backup'): void;
  snapshot(): VrrpInstanceSnapshot;
  /** The latest events (bounded), oldest first. */
  events(): readonly VrrpInstanceEvent[];
  /** Each event as it happens; returns the unsubscribe function. */
  onEvent(listener: VrrpInstanceEventListener): () => void;
}

/** Throws VrrpError ERR_VRRP_SETTINGS_INVALID (details.problems) when the settings cannot run; nothing is opened. */
export function createVrrpInstance(settings: VrrpInstanceSettings, deps: VrrpInstanceDeps): VrrpInstance {
  const problems = describeInvalidSettings(settings);
  if (problems.length > 0) {
    throw new VrrpError('ERR_VRRP_SETTINGS_INVALID', `VRRP instance ${settings.name}: ${problems.join('; ')}`, { details: { problems } });
  }
  return new VrrpInstanceDriver(settings, deps);
}

class VrrpInstanceDriver implements VrrpInstance {
  readonly name: string;
  private readonly params: VrrpInstanceParams;
  private readonly filterParams: ReceiveFilterParams;
  private readonly logger: Logger;
  private readonly log: VrrpEventLog;
  private readonly worker: VipWorker;
  private readonly receiveCounters = new VrrpReceiveCounters();
  private readonly assumed: AssumedHeaderCounts = { ttl: 0, destination: 0 };
  private readonly timers = new Map<VrrpTimer, Timer>();
  private readonly gateRequests = new Set<AbortController>();
  private readonly lifeAborter = new AbortController();
  private readonly pendingEvents: VrrpEvent[] = [];
  private handoverWaiters: (() => void)[] = [];
  private state: VrrpSnapshot;
  private lifecycle: VrrpLifecycle = 'idle';
  private transport: VrrpTransport | undefined;
  private unsubscribe: (() => void) | undefined;
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private isDispatching = false;
  private advertsSent = 0;
  private transitions = 0;
  /** HMAC (vrrp-hmac.ts): the keyed MAC, the next sequence to send (set at start), the senders' marks. */
  private readonly mac: AdvertMac | undefined;
  private nextSequence: bigint | undefined;
  private readonly replayWindow = new HmacReplayWindow();
  private readonly authDropEventAtMs = new Map<VrrpDropReason, number>();

  constructor(
    private readonly settings: VrrpInstanceSettings,
    private readonly deps: VrrpInstanceDeps,
  ) {
    this.name = settings.name;
    this.params = toStateParams(settings);
    this.mac = settings.authentication.type === 'hmac-sha256' ? createHmacSha256Mac(settings.authentication.key) : undefined;
    this.filterParams = toFilterParams(settings, this.mac);
    this.state = createVrrpSnapshot(this.params);
    this.logger = deps.logger.child({ component: 'vrrp', instance: settings.name, vrid: settings.vrid, iface: settings.interfaceName });
    const identity = { instance: settings.name, vrid: settings.vrid };
    this.log = new VrrpEventLog(identity, () => deps.clock.now(), deps.wallClock ?? Date.now, (err) => this.logger.error('event listener failed', { err }));
    this.worker = new VipWorker(vipAssignments(settings), settings.garp, {
      clock: deps.clock,
      logger: this.logger,
      addressManager: deps.addressManager,
      garpSender: deps.garpSender,
      events: this.log,
    });
  }

  start(signal?: AbortSignal): Promise<void> {
    if (this.stopPromise !== undefined) return Promise.reject(new VrrpError('ERR_VRRP_CLOSED', `VRRP instance ${this.name} was stopped`));
    this.startPromise ??= this.doStart(signal);
    return this.startPromise;
  }

  stop(options: VrrpStopOptions): Promise<void> {
    this.stopPromise ??= this.doStop(options);
    return this.stopPromise;
  }

  setTrackers(priorityAdjustment: number, isFault: boolean): void {
    if (this.lifecycle !== 'running') return;
    this.dispatch({ kind: 'trackers-changed', nowMs: this.deps.clock.now(), priorityAdjustment, isFault });
  }

  followSyncGroup(target: 'master' | 'backup'): void {
    if (this.lifecycle !== 'running') return;
    this.dispatch({ kind: 'sync-group', nowMs: this.deps.clock.now(), target });
  }

  events(): readonly VrrpInstanceEvent[] {
    return this.log.events();
  }

  onEvent(listener: VrrpInstanceEventListener): () => void {
    return this.log.subscribe(listener);
  }

  snapshot(): VrrpInstanceSnapshot {
    const s = this.state;
    const now = this.deps.clock.now();
    const last = this.log.events().findLast((e) => e.kind === 'transition');
    return {
      name: this.name,
      vrid: this.settings.vrid,
      interface: this.settings.interfaceName,
      version: this.settings.version,
      lifecycle: this.lifecycle,
      state: s.state,
      configuredPriority: this.settings.priority,
      effectivePriority: effectivePriority(s, this.params),
      masterAddress: s.masterAddress?.text ?? null,
      masterPriority: s.masterPriority,
      masterAdverIntervalCs: s.masterAdverIntervalCs,
      masterDownInMs: s.masterDownDeadlineMs === null ? null : Math.max(0, s.masterDownDeadlineMs - now),
      isTakeoverPending: s.pendingTakeover !== null,
      lastTransition: last?.kind === 'transition' ? { from: last.from, to: last.to, reason: last.reason, atMs: last.atMs } : null,
      transitions: this.transitions,
      advertsSent: this.advertsSent,
      receive: this.receiveCounters.snapshot(),
      assumedHeaderFields: { ...this.assumed },
      vips: this.worker.snapshot(),
      transport: this.transport?.snapshot() ?? null,
      hmac: this.mac === undefined ? null : { nextSequence: this.nextSequence?.toString() ?? null, highestAccepted: this.replayWindow.snapshot() },
    };
  }

  private async doStart(signal: AbortSignal | undefined): Promise<void> {
    if (this.lifecycle !== 'idle') throw new VrrpError('ERR_VRRP_CLOSED', `VRRP instance ${this.name} was stopped`);
    this.lifecycle = 'starting';
    const startSignal = signal === undefined ? this.lifeAborter.signal : AbortSignal.any([signal, this.lifeAborter.signal]);
    try {
      if (this.mac !== undefined) this.nextSequence = initialSequence((this.deps.wallClock ?? Date.now)());
      this.transport = await this.deps.openTransport(startSignal);
      const stale = await this.worker.removeStale(startSignal);
      if (stale.length > 0) {
        this.logger.warn('stale vips removed at start', { vips: stale });
        this.log.emit({ kind: 'stale-vips-removed', addresses: stale });
      }
      if (startSignal.aborted) throw abortReason(startSignal);
      this.worker.prepareAnnouncements();
    } catch (e) {
      this.closeResources();
      this.lifecycle = 'stopped';
      if (startSignal.aborted) throw new VrrpError('ERR_VRRP_ABORTED', `VRRP instance ${this.name}: start aborted`, { cause: e });
      throw e;
    }
    const transport = this.transport;
    this.unsubscribe = transport.onDatagram((d) => this.receive(d));
    this.lifecycle = 'running';
    this.logger.info('vrrp instance started', { priority: this.settings.priority, version: this.settings.version, source: transport.sourceAddress.text });
    this.dispatch({ kind: 'startup', nowMs: this.deps.clock.now() });
  }

  private async doStop(options: VrrpStopOptions): Promise<void> {
    if (this.lifecycle === 'idle') {
      this.lifecycle = 'stopped';
      return;
    }
    if (this.lifecycle === 'starting') {
      this.lifeAborter.abort(new Error('stopped while starting'));
      await this.startPromise?.catch(() => undefined);
    }
    if (this.lifecycle === 'stopped') return;
    this.lifecycle = 'stopping';
    this.dispatch({ kind: 'shutdown', nowMs: this.deps.clock.now(), isPlannedHandover: options.isPlannedHandover });
    if (this.state.state === 'handover') await this.handoverEnd(options.signal);
    await this.worker.drained();
    this.closeResources();
    this.lifecycle = 'stopped';
    this.logger.info('vrrp instance stopped', { planned: options.isPlannedHandover });
  }

  /** Resolves when Handover ends: new master heard, handover timer, or `signal` (which ends it at once). */
  private handoverEnd(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const onAbort = (): void => this.dispatch({ kind: 'shutdown', nowMs: this.deps.clock.now(), isPlannedHandover: false });
      this.handoverWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      if (signal?.aborted === true) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private closeResources(): void {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    for (const request of this.gateRequests) request.abort(new Error('instance stopped'));
    this.gateRequests.clear();
    this.worker.close();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.transport?.close();
  }

  private receive(datagram: VrrpDatagram): void {
    if (this.lifecycle !== 'running' && this.lifecycle !== 'stopping') return;
    const received = toReceivedDatagram(datagram, this.settings, this.assumed);
    const result = filterAdvertisement(received, this.filterParams, (source) => this.replayWindow.highestOf(source));
    this.receiveCounters.record(result);
    if (!result.ok) {
      this.logger.debug('vrrp advert dropped', { topic: 'packet', reason: result.reason, from: datagram.source.text });
      this.reportAuthDrop(result.reason, datagram);
      return;
    }
    const { advertisement, sourceAddress, adverIntervalCs, warnings, sequence } = result.value;
    if (sequence !== null) this.replayWindow.accept(sourceAddress, sequence);
    if (warnings.length > 0) this.logger.debug('vrrp advert anomaly', { topic: 'packet', warnings, from: sourceAddress.text });
    this.dispatch({ kind: 'advert-received', nowMs: this.deps.clock.now(), advert: { sourceAddress, priority: advertisement.priority, adverIntervalCs } });
  }

  /**
   * Forged, replayed or unauthenticated adverts where HMAC is on: a warning and an event, at most one a
   * second per reason (an attacker must not flood the bounded event log); every one is counted.
   */
  private reportAuthDrop(reason: VrrpDropReason, datagram: VrrpDatagram): void {
    if (reason !== 'hmac-missing' && reason !== 'hmac-mismatch' && reason !== 'replayed') return;
    const now = this.deps.clock.now();
    const last = this.authDropEventAtMs.get(reason);
    if (last !== undefined && now - last < AUTH_DROP_REPORT_MS) return;
    this.authDropEventAtMs.set(reason, now);
    const total = this.receiveCounters.snapshot().drops[reason];
    this.logger.warn('vrrp advert failed authentication', { reason, from: datagram.source.text, total });
    this.log.emit({ kind: 'advert-rejected', reason, from: datagram.source.text, total });
  }

  /** Runs the reducer; events raised while effects run are queued, so effects of one step stay together. */
  private dispatch(event: VrrpEvent): void {
    this.pendingEvents.push(event);
    if (this.isDispatching) return;
    this.isDispatching = true;
    try {
      for (let next = this.pendingEvents.shift(); next !== undefined; next = this.pendingEvents.shift()) {
        const stepAtMs = this.deps.clock.now();
        const result = step(this.state, next, this.params);
        // The end of a planned handover because the new master spoke: release after a short delay.
        const releaseDelayMs = this.state.state === 'handover' && next.kind === 'advert-received' ? this.settings.handoverReleaseDelayMs : 0;
        this.state = result.next;
        for (const effect of result.effects) this.execute(effect, releaseDelayMs, stepAtMs);
      }
    } finally {
      this.isDispatching = false;
    }
    if (this.state.state !== 'handover' && this.handoverWaiters.length > 0) {
      const waiters = this.handoverWaiters;
      this.handoverWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private execute(effect: VrrpEffect, releaseDelayMs: number, stepAtMs: number): void {
    switch (effect.kind) {
      case 'send-advert':
        this.sendAdvert(effect.priority);
        return;
      case 'start-timer':
        this.startTimer(effect.timer, effect.delayMs);
        return;
      case 'stop-timer':
        this.timers.get(effect.timer)?.cancel();
        this.timers.delete(effect.timer);
        return;
      case 'add-vips':
        this.worker.add();
        return;
      case 'remove-vips':
        this.worker.remove(releaseDelayMs);
        return;
      case 'send-garp-burst':
        this.worker.announce(effect.reason);
        return;
      case 'request-takeover':
        this.askGate(effect.requestId, effect.reason);
        return;
      case 'notify-transition': {
        this.transitions += 1;
        const priority = effectivePriority(this.state, this.params);
        const masterAddress = this.state.masterAddress?.text ?? null;
        this.logger.info('vrrp transition', { from: effect.from, to: effect.to, reason: effect.reason, priority, master: masterAddress });
        this.log.emit({ kind: 'transition', from: effect.from, to: effect.to, reason: effect.reason, priority, masterAddress }, stepAtMs);
        return;
      }
      default:
        assertNever(effect, 'VRRP effect');
    }
  }

  private sendAdvert(priority: number): void {
    const transport = this.transport;
    if (transport === undefined) return;
    const advert = buildAdvertisement(this.settings, priority);
    for (const destination of advertDestinations(this.settings)) {
      const ctx = { sourceAddress: transport.sourceAddress, destinationAddress: destination };
      let bytes: Uint8Array;
      if (this.mac !== undefined && this.nextSequence !== undefined) {
        bytes = sealAdvertisement(advert, ctx, this.nextSequence, this.mac);
        this.nextSequence += 1n;
      } else {
        bytes = encodeAdvertisement(advert, ctx);
      }
      transport.send(bytes, destination);
    }
    this.advertsSent += 1;
    if (priority === RELEASE_PRIORITY) this.logger.info('vrrp release advert sent', { priority });
  }

  private startTimer(timer: VrrpTimer, delayMs: number): void {
    this.timers.get(timer)?.cancel();
    const handle = this.deps.clock.setTimeout(() => {
      if (this.timers.get(timer) !== handle) return;
      this.timers.delete(timer);
      this.dispatch({ kind: 'timer-expired', nowMs: this.deps.clock.now(), timer });
    }, delayMs);
    this.timers.set(timer, handle);
  }

  private askGate(requestId: number, reason: TransitionReason): void {
    const gate = this.deps.takeoverGate ?? alwaysGrantTakeover;
    const controller = new AbortController();
    this.gateRequests.add(controller);
    const request = { instanceName: this.name, vrid: this.settings.vrid, requestId, reason, lastMasterAddress: this.state.masterAddress };
    gate
      .decide(request, controller.signal)
      .catch((err: unknown) => ({ isGranted: false, detail: `takeover gate failed: ${describeError(err)}` }))
      .then((decision) => {
        this.gateRequests.delete(controller);
        if (controller.signal.aborted || (this.lifecycle !== 'running' && this.lifecycle !== 'stopping')) return;
        const detail = decision.detail ?? null;
        if (!decision.isGranted) this.logger.warn('vrrp takeover denied', { requestId, reason, detail });
        this.log.emit({ kind: 'takeover-decided', requestId, isGranted: decision.isGranted, detail });
        this.dispatch({ kind: 'takeover-answered', nowMs: this.deps.clock.now(), requestId, isGranted: decision.isGranted });
      })
      .catch((err: unknown) => this.logger.error('takeover answer failed', { err }));
  }
}

/**
 * A small pure simulator of VRRP directors on an in-memory link, driven by a FakeClock: every director runs
 * the real codec, receive filter and state machine; the "network" carries encoded bytes with a fixed
 * latency. It records VIP ownership, transitions, adverts and GARP bursts for the tests to assert on.
 */
import { FakeClock } from '../../../../src/core/fake-clock.js';
import type { Timer } from '../../../../src/core/clock.js';
import { assertNever } from '../../../../src/core/errors.js';
import type { IpAddress } from '../../../../src/core/ip.js';
import { encodeAdvertisement, type VrrpAdvertisement } from '../../../../ha/vrrp-packet.js';
import { filterAdvertisement, VrrpReceiveCounters, type ReceiveFilterParams } from '../../../../ha/vrrp-receive-filter.js';
import { step } from '../../../../ha/vrrp-state-machine.js';
import {
  createVrrpSnapshot,
  type GarpReason,
  type TransitionReason,
  type VrrpEffect,
  type VrrpEvent,
  type VrrpInstanceParams,
  type VrrpSnapshot,
  type VrrpState,
  type VrrpTimer,
} from '../../../../ha/vrrp-state-types.js';
import { ip } from './vrrp-fixtures.js';

export const VRID = 51;
export const VIPS = [ip('192.0.2.100')];
const GROUP = ip('224.0.0.18');

export interface SimDirectorConfig extends Partial<Omit<VrrpInstanceParams, 'primaryAddress'>> {
  readonly name: string;
  readonly address: string;
  readonly priority: number;
  /** The takeover gate's answer; default: always granted. */
  readonly gate?: () => boolean;
}

export interface TransitionRecord {
  readonly atMs: number;
  readonly name: string;
  readonly from: VrrpState;
  readonly to: VrrpState;
  readonly reason: TransitionReason;
}

export interface VipRecord {
  readonly atMs: number;
  readonly name: string;
  readonly holds: boolean;
}

export interface Segment {
  readonly startMs: number;
  readonly endMs: number;
  readonly holders: readonly string[];
}

export class SimDirector {
  snapshot: VrrpSnapshot;
  readonly params: VrrpInstanceParams;
  readonly filterParams: ReceiveFilterParams;
  readonly counters = new VrrpReceiveCounters();
  isAlive = true;
  /** Receives only once started: before that it has no socket. */
  isStarted = false;
  isLinkUp = true;
  holdsVip = false;
  private readonly timers = new Map<VrrpTimer, Timer>();

  constructor(
    readonly name: string,
    readonly address: IpAddress,
    params: VrrpInstanceParams,
    private readonly gate: () => boolean,
    private readonly sim: VrrpSimulation,
  ) {
    this.params = params;
    this.snapshot = createVrrpSnapshot(params);
    this.filterParams = {
      version: params.version,
      vrid: VRID,
      priority: params.priority,
      adverIntervalCs: params.adverIntervalCs,
      ipAddresses: VIPS,
      ownAddresses: [address],
      authentication: { type: 'none' },
      unicastPeers: [],
    };
  }

  get state(): VrrpState {
    return this.snapshot.state;
  }

  dispatch(event: VrrpEvent): void {
    if (!this.isAlive) return;
    const { next, effects } = step(this.snapshot, event, this.params);
    this.snapshot = next;
    for (const effect of effects) this.apply(effect);
  }

  receive(bytes: Uint8Array, from: IpAddress): void {
    if (!this.isAlive || !this.isStarted || !this.isLinkUp) return;
    const result = filterAdvertisement({ bytes, sourceAddress: from, destinationAddress: GROUP, ttl: 255 }, this.filterParams);
    this.counters.record(result);
    if (!result.ok) return;
    const { sourceAddress, adverIntervalCs, advertisement } = result.value;
    this.dispatch({ kind: 'advert-received', nowMs: this.sim.clock.now(), advert: { sourceAddress, priority: advertisement.priority, adverIntervalCs } });
  }

  crash(): void {
    this.isAlive = false;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    this.setVip(false); // the machine is gone, and its addresses with it
  }

  private apply(effect: VrrpEffect): void {
    const clock = this.sim.clock;
    switch (effect.kind) {
      case 'send-advert':
        this.sim.broadcast(this, this.encode(effect.priority));
        return;
      case 'start-timer': {
        this.timers.get(effect.timer)?.cancel();
        const timer = effect.timer;
        this.timers.set(timer, clock.setTimeout(() => {
          this.timers.delete(timer);
          this.dispatch({ kind: 'timer-expired', nowMs: clock.now(), timer });
        }, effect.delayMs));
        return;
      }
      case 'stop-timer':
        this.timers.get(effect.timer)?.cancel();
        this.timers.delete(effect.timer);
        return;
      case 'add-vips':
        this.setVip(true);
        return;
      case 'remove-vips':
        this.setVip(false);
        return;
      case 'send-garp-burst':
        this.sim.garps.push({ atMs: clock.now(), name: this.name, reason: effect.reason });
        return;
      case 'request-takeover':
        // Answered on the next turn, like an asynchronous quorum or fencing check.
        clock.setTimeout(() => {
          this.dispatch({ kind: 'takeover-answered', nowMs: clock.now(), requestId: effect.requestId, isGranted: this.gate() });
        }, 0);
        return;
      case 'notify-transition':
        this.sim.transitions.push({ atMs: clock.now(), name: this.name, from: effect.from, to: effect.to, reason: effect.reason });
        return;
      default:
        assertNever(effect, 'VRRP effect');
    }
  }

  private encode(priority: number): Uint8Array {
    const p = this.params;
    const advert: VrrpAdvertisement =
      p.version === 3
        ? { version: 3, vrid: VRID, priority, ipAddresses: VIPS, maxAdverIntervalCs: p.adverIntervalCs }
        : { version: 2, vrid: VRID, priority, ipAddresses: VIPS, authType: 'none', adverIntervalS: p.adverIntervalCs / 100, authData: new Uint8Array(8) };
    return encodeAdvertisement(advert, { sourceAddress: this.address, destinationAddress: GROUP });
  }

  private setVip(holds: boolean): void {
    if (this.holdsVip === holds) return;
    this.holdsVip = holds;
    this.sim.vipLog.push({ atMs: this.sim.clock.now(), name: this.name, holds });
  }
}

export class VrrpSimulation {
  readonly clock = new FakeClock();
  readonly directors = new Map<string, SimDirector>();
  readonly transitions: TransitionRecord[] = [];
  readonly vipLog: VipRecord[] = [];
  readonly adverts: { atMs: number; name: string; priority: number }[] = [];
  readonly garps: { atMs: number; name: string; reason: GarpReason }[] = [];

  constructor(readonly latencyMs = 1) {}

  add(config: SimDirectorConfig): SimDirector {
    const { name, address, gate, ...overrides } = config;
    const params: VrrpInstanceParams = {
      version: 3,
      adverIntervalCs: 100,
      preemptMode: 'preempt',
      preemptDelayMs: 0,
      isLowerPriorityAnswered: true,
      isYieldAnnounced: true,
      downTimerAdverts: 3,
      ...overrides,
      primaryAddress: ip(address),
    };
    const director = new SimDirector(name, ip(address), params, gate ?? (() => true), this);
    this.directors.set(name, director);
    return director;
  }

  get(name: string): SimDirector {
    const d = this.directors.get(name);
    if (d === undefined) throw new Error(`no director ${name}`);
    return d;
  }

  start(...names: string[]): void {
    for (const name of names) {
      const director = this.get(name);
      director.isStarted = true;
      director.dispatch({ kind: 'startup', nowMs: this.clock.now() });
    }
  }

  shutdown(name: string, isPlannedHandover: boolean): void {
    this.get(name).dispatch({ kind: 'shutdown', nowMs: this.clock.now(), isPlannedHandover });
  }

  setTrackers(name: string, priorityAdjustment: number, isFault: boolean): void {
    this.get(name).dispatch({ kind: 'trackers-changed', nowMs: this.clock.now(), priorityAdjustment, isFault });
  }

  run(ms: number): void {
    this.clock.advance(ms);
  }

  broadcast(from: SimDirector, bytes: Uint8Array): void {
    if (!from.isLinkUp) return;
    const priority = bytes[2] ?? -1;
    this.adverts.push({ atMs: this.clock.now(), name: from.name, priority });
    for (const to of this.directors.values()) {
      if (to === from) continue;
      this.clock.setTimeout(() => to.receive(bytes, from.address), this.latencyMs);
    }
  }

  masters(): string[] {
    return [...this.directors.values()].filter((d) => d.isAlive && d.state === 'master').map((d) => d.name);
  }

  vipHolders(): string[] {
    return [...this.directors.values()].filter((d) => d.holdsVip).map((d) => d.name);
  }

  /** The VIP's holders over [fromMs, now], as segments of constant holder sets. */
  vipSegments(fromMs: number): Segment[] {
    const holders = new Set<string>();
    const segments: Segment[] = [];
    let startMs = fromMs;
    for (const record of this.vipLog) {
      if (record.atMs > startMs && record.atMs > fromMs) {
        segments.push({ startMs, endMs: record.atMs, holders: [...holders].sort() });
        startMs = record.atMs;
      }
      if (record.holds) holders.add(record.name);
      else holders.delete(record.name);
    }
    segments.push({ startMs, endMs: this.clock.now(), holders: [...holders].sort() });
    return segments.filter((s) => s.endMs > s.startMs);
  }

  /** Longest stretch since `fromMs` with no holder, and with more than one. */
  vipAnomalies(fromMs: number): { longestGapMs: number; longestOverlapMs: number } {
    let longestGapMs = 0;
    let longestOverlapMs = 0;
    for (const s of this.vipSegments(fromMs)) {
      const length = s.endMs - s.startMs;
      if (s.holders.length === 0) longestGapMs = Math.max(longestGapMs, length);
      if (s.holders.length > 1) longestOverlapMs = Math.max(longestOverlapMs, length);
    }
    return { longestGapMs, longestOverlapMs };
  }

  transitionsOf(name: string): TransitionRecord[] {
    return this.transitions.filter((t) => t.name === name);
  }
}

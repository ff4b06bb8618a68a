/**
 * Real VrrpInstance drivers on the in-memory link (ha/memory-vrrp-network.ts), each with its own in-memory
 * address manager and a recording GARP sender, all on one FakeClock. The driver's VIP work and the
 * takeover gate are promises, so time advances in 1 ms steps with the microtask queue drained between
 * steps: a takeover answered "at once" lands at the same fake millisecond, as it would in real time.
 */
import type { Clock, Timer } from '../../../../src/core/clock.js';
import { FakeClock } from '../../../../src/core/fake-clock.js';
import { createMemoryLogger, type LogEntry } from '../../../../src/core/logger.js';
import { parseIpPrefix, type IpAddress } from '../../../../src/core/ip.js';
import { GarpCounters, type GarpSender } from '../../../../ha/garp-sender.js';
import { MemoryAddressManager } from '../../../../ha/memory-address-manager.js';
import { MemoryVrrpNetwork } from '../../../../ha/memory-vrrp-network.js';
import type { TakeoverGate } from '../../../../ha/takeover-gate.js';
import { createVrrpInstance, type VrrpInstance } from '../../../../ha/vrrp-instance.js';
import { VRRP_SETTINGS_DEFAULTS, type VrrpInstanceSettings } from '../../../../ha/vrrp-instance-settings.js';
import { ip } from './vrrp-fixtures.js';

export const VIP = '192.0.2.100/32';

function prefix(text: string) {
  const r = parseIpPrefix(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

export interface Announcement {
  readonly atMs: number;
  readonly address: string;
  readonly interfaceName: string;
}

/** A working GarpSender that records what it would have put on the wire. */
export class RecordingGarpSender implements GarpSender {
  readonly announcements: Announcement[] = [];
  private readonly counters = new GarpCounters();
  private isClosed = false;

  constructor(private readonly clock: Clock) {}

  announce(address: IpAddress, interfaceName: string): void {
    this.counters.started += 1;
    if (this.isClosed) {
      this.counters.fail('closed');
      return;
    }
    this.counters.succeeded += 1;
    this.announcements.push({ atMs: this.clock.now(), address: address.text, interfaceName });
  }

  /** Interfaces prepared, in order. */
  readonly prepared: string[] = [];

  prepare(address: IpAddress, interfaceName: string): void {
    this.prepared.push(`${address.text}@${interfaceName}`);
  }

  snapshot() {
    return this.counters.snapshot();
  }

  close(): void {
    this.isClosed = true;
  }
}

/**
 * A FakeClock that also knows when its next timer is due, so a run can stop at exactly that (fractional)
 * millisecond and drain microtasks there, before time moves on.
 */
export class SteppingClock implements Clock {
  private readonly inner = new FakeClock();
  private readonly dues = new Map<number, number>();
  private nextId = 1;

  now(): number {
    return this.inner.now();
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    const id = this.nextId++;
    this.dues.set(id, this.inner.now() + Math.max(0, delayMs));
    const timer = this.inner.setTimeout(() => {
      this.dues.delete(id);
      callback();
    }, delayMs);
    return {
      cancel: () => {
        this.dues.delete(id);
        timer.cancel();
      },
    };
  }

  nextDueMs(): number | undefined {
    let best: number | undefined;
    for (const due of this.dues.values()) if (best === undefined || due < best) best = due;
    return best;
  }

  advanceTo(targetMs: number): void {
    this.inner.advance(Math.max(0, targetMs - this.inner.now()));
  }
}

export interface Director {
  readonly name: string;
  readonly address: IpAddress;
  readonly instance: VrrpInstance;
  readonly addresses: MemoryAddressManager;
  readonly garp: RecordingGarpSender;
  readonly logs: LogEntry[];
}

export interface DirectorOptions extends Partial<Omit<VrrpInstanceSettings, 'primaryAddress' | 'name'>> {
  readonly name: string;
  readonly address: string;
  readonly gate?: TakeoverGate;
  /** Default: 1 700 000 000 000 ms plus the fake clock (HMAC sequences start from it). */
  readonly wallClock?: () => number;
}

export class InstanceHarness {
  readonly clock = new SteppingClock();
  readonly network: MemoryVrrpNetwork;
  readonly directors = new Map<string, Director>();

  constructor(latencyMs = 1) {
    this.network = new MemoryVrrpNetwork(this.clock, latencyMs);
  }

  add(options: DirectorOptions): Director {
    const { name, address, gate, wallClock, ...overrides } = options;
    const logs: LogEntry[] = [];
    const settings: VrrpInstanceSettings = {
      ...VRRP_SETTINGS_DEFAULTS,
      name,
      interfaceName: 'eth0',
      vrid: 51,
      vips: [{ address: prefix(VIP) }],
      ...overrides,
      primaryAddress: ip(address),
    };
    const addresses = new MemoryAddressManager(this.clock, ['eth0']);
    const garp = new RecordingGarpSender(this.clock);
    const mode = settings.unicastPeers.length > 0 ? 'unicast' : 'multicast';
    const instance = createVrrpInstance(settings, {
      clock: this.clock,
      logger: createMemoryLogger(logs),
      openTransport: () => Promise.resolve(this.network.attach({ interfaceName: 'eth0', sourceAddress: ip(address), mode })),
      addressManager: addresses,
      garpSender: garp,
      wallClock: wallClock ?? (() => 1_700_000_000_000 + this.clock.now()),
      ...(gate === undefined ? {} : { takeoverGate: gate }),
    });
    const director: Director = { name, address: ip(address), instance, addresses, garp, logs };
    this.directors.set(name, director);
    return director;
  }

  get(name: string): Director {
    const d = this.directors.get(name);
    if (d === undefined) throw new Error(`no director ${name}`);
    return d;
  }

  async start(...names: string[]): Promise<void> {
    await Promise.all(names.map((n) => this.get(n).instance.start()));
    await flush();
  }

  /** Advances the clock by `ms`, stopping at every timer's due time to drain microtasks there. */
  async run(ms: number): Promise<void> {
    await this.runWhile(this.clock.now() + ms, () => true);
  }

  /** Runs until `promise` settles (at most `limitMs` of fake time), returning what it resolved to. */
  async runUntil<T>(promise: Promise<T>, limitMs: number): Promise<T> {
    let isDone = false;
    const tracked = promise.finally(() => {
      isDone = true;
    });
    await flush();
    await this.runWhile(this.clock.now() + limitMs, () => !isDone);
    if (!isDone) throw new Error(`still pending after ${limitMs} ms of fake time`);
    return tracked;
  }

  private async runWhile(targetMs: number, shouldContinue: () => boolean): Promise<void> {
    await flush();
    for (let steps = 0; steps < 1_000_000 && shouldContinue(); steps++) {
      const due = this.clock.nextDueMs();
      if (due === undefined || due > targetMs) break;
      this.clock.advanceTo(due);
      await flush();
    }
    if (shouldContinue()) this.clock.advanceTo(targetMs);
    await flush();
  }

  holders(): string[] {
    return [...this.directors.values()].filter((d) => d.addresses.texts('eth0').includes(VIP)).map((d) => d.name);
  }

  masters(): string[] {
    return [...this.directors.values()].filter((d) => d.instance.snapshot().state === 'master').map((d) => d.name);
  }

  /** When `name` last entered `state`, from its event stream. */
  enteredAt(name: string, state: string): number | undefined {
    return this.get(name)
      .instance.events()
      .filter((e) => e.kind === 'transition' && e.to === state)
      .at(-1)?.atMs;
  }
}

/** Drains the microtask queue (promise chains a few levels deep). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

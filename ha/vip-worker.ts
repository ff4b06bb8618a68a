/**
 * Executes the address effects of one VRRP instance in order: add or remove its VIPs through the
 * AddressManager and announce them through the GarpSender, one operation after the other, so that an
 * announcement always follows the add it announces (announcing an address not yet in place would draw
 * traffic to a director that drops it) and a remove never overtakes an add. Announcement rounds after
 * the first, and the periodic refresh, wait on the injected clock; leaving master cancels them. Failures are logged, counted and put on the event
 * stream; the instance keeps running (its state is the election's, not the kernel's).
 */
import { sleep, type Clock, type Timer } from '../src/core/clock.js';
import { describeError } from '../src/core/errors.js';
import type { Logger } from '../src/core/logger.js';
import type { AddressManager, VipAssignment } from './address-manager.js';
import { planGarpRounds, type GarpOccasion, type GarpSettings } from './garp-schedule.js';
import type { GarpSender } from './garp-sender.js';
import type { VrrpEventLog } from './vrrp-instance-events.js';

export interface VipWorkerDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly addressManager: AddressManager;
  readonly garpSender: GarpSender;
  readonly events: VrrpEventLog;
}

export interface VipWorkerSnapshot {
  /** What the election wants: the VIPs held (master or handover). */
  readonly isHeld: boolean;
  /** What was applied: addresses the last add put in place (and no remove has taken away since). */
  readonly applied: readonly string[];
  readonly addressErrors: number;
  readonly garpRounds: number;
  readonly pendingOperations: number;
}

export class VipWorker {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private isHeld = false;
  private applied = new Set<string>();
  private addressErrors = 0;
  private garpRounds = 0;
  private readonly garpTimers = new Set<Timer>();
  private refreshTimer: Timer | undefined;
  private readonly aborter = new AbortController();

  constructor(
    private readonly assignments: readonly VipAssignment[],
    private readonly garp: GarpSettings,
    private readonly deps: VipWorkerDeps,
  ) {}

  /** Effect add-vips. */
  add(): void {
    this.isHeld = true;
    this.enqueue(() => this.changeAll('add'));
  }

  /**
   * Effect remove-vips: stops announcing at once, then removes, after `delayMs` on the clock when given
   * (the end of a planned handover: see VrrpInstanceSettings.handoverReleaseDelayMs).
   */
  remove(delayMs = 0): void {
    this.isHeld = false;
    this.cancelAnnouncements();
    this.enqueue(async () => {
      if (delayMs > 0) await sleep(this.deps.clock, delayMs, this.aborter.signal);
      await this.changeAll('remove');
    });
  }

  /** Effect send-garp-burst: the first round after the work queued so far, later rounds on the clock. */
  announce(occasion: GarpOccasion): void {
    const [first, ...later] = planGarpRounds(occasion, this.garp);
    if (first !== undefined) this.enqueue(() => Promise.resolve(this.round(occasion)));
    for (const offsetMs of later) this.scheduleRound(occasion, offsetMs);
  }

  /**
   * At start, before the election: configured VIPs found on their interfaces are left over (a crash, a
   * kill -9) and would make two holders. Removes them and returns the ones removed.
   */
  async removeStale(signal: AbortSignal): Promise<string[]> {
    const removed: string[] = [];
    for (const vip of this.assignments) {
      if ((await this.deps.addressManager.remove(vip, signal)) === 'removed') removed.push(vip.address.text);
    }
    return removed;
  }

  /** At start: lets the GARP/NA sender set up for every VIP's interface before the first takeover. */
  prepareAnnouncements(): void {
    for (const vip of this.assignments) this.deps.garpSender.prepare(vip.address.address, vip.interfaceName);
  }

  /** Resolves when every operation queued so far has finished. */
  drained(): Promise<void> {
    return this.tail;
  }

  /** Cancels timers and aborts operations in flight (after a stop has drained the queue, nothing is). */
  close(): void {
    this.cancelAnnouncements();
    this.aborter.abort(new Error('vip worker closed'));
  }

  snapshot(): VipWorkerSnapshot {
    return {
      isHeld: this.isHeld,
      applied: [...this.applied].sort(),
      addressErrors: this.addressErrors,
      garpRounds: this.garpRounds,
      pendingOperations: this.pending,
    };
  }

  /**
   * Runs `work` after everything queued before it. When nothing is queued it starts at once, in the
   * caller's turn: the netlink request of a takeover's add leaves before the transition is logged.
   */
  private enqueue(work: () => Promise<void>): void {
    const isIdle = this.pending === 0;
    this.pending += 1;
    this.tail = (isIdle ? work() : this.tail.then(work)).then(
      () => {
        this.pending -= 1;
      },
      (err: unknown) => {
        this.pending -= 1;
        this.deps.logger.error('vip work failed', { err });
      },
    );
  }

  private async changeAll(op: 'add' | 'remove'): Promise<void> {
    const started = this.deps.clock.now();
    const done: string[] = [];
    const unchanged: string[] = [];
    const failed: string[] = [];
    for (const vip of this.assignments) {
      const text = vip.address.text;
      try {
        const outcome = op === 'add' ? await this.deps.addressManager.add(vip, this.aborter.signal) : await this.deps.addressManager.remove(vip, this.aborter.signal);
        if (outcome === 'added' || outcome === 'removed') done.push(text);
        else unchanged.push(text);
        if (op === 'add') this.applied.add(text);
        else this.applied.delete(text);
      } catch (err) {
        failed.push(text);
        this.addressErrors += 1;
        this.deps.logger.error(op === 'add' ? 'vip add failed' : 'vip remove failed', { vip: text, iface: vip.interfaceName, err });
        this.deps.events.emit({ kind: 'error', what: `${op} ${text}`, message: describeError(err) });
      }
    }
    const durationMs = this.deps.clock.now() - started;
    this.deps.logger.info(op === 'add' ? 'vips added' : 'vips removed', { vips: done, unchanged, failed, durationMs });
    this.deps.events.emit({ kind: op === 'add' ? 'vips-added' : 'vips-removed', addresses: done, failed, unchanged, durationMs });
    if (op === 'add' && this.isHeld) this.startRefresh();
  }

  private round(occasion: GarpOccasion): void {
    if (!this.isHeld) return; // left master while the round waited
    for (const vip of this.assignments) this.deps.garpSender.announce(vip.address.address, vip.interfaceName);
    this.garpRounds += 1;
    this.deps.events.emit({ kind: 'garp-round', occasion, addresses: this.assignments.map((v) => v.address.address.text) });
  }

  private scheduleRound(occasion: GarpOccasion, offsetMs: number): void {
    const timer = this.deps.clock.setTimeout(() => {
      this.garpTimers.delete(timer);
      this.enqueue(() => Promise.resolve(this.round(occasion)));
    }, offsetMs);
    this.garpTimers.add(timer);
  }

  private startRefresh(): void {
    if (this.garp.masterRefreshMs <= 0 || this.refreshTimer !== undefined) return;
    const tick = (): void => {
      this.refreshTimer = this.deps.clock.setTimeout(() => {
        if (!this.isHeld) {
          this.refreshTimer = undefined;
          return;
        }
        this.announce('refresh');
        tick();
      }, this.garp.masterRefreshMs);
    };
    tick();
  }

  private cancelAnnouncements(): void {
    for (const timer of this.garpTimers) timer.cancel();
    this.garpTimers.clear();
    this.refreshTimer?.cancel();
    this.refreshTimer = undefined;
  }
}

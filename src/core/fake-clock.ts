import type { Clock, Timer } from './clock.js';

interface Pending {
  readonly id: number;
  readonly dueMs: number;
  readonly callback: () => void;
}

/**
 * A working clock for tests: time moves only when the test says so, and timers fire in due order
 * (ties in the order they were set). Callbacks may set further timers; `advance` runs those too
 * when they fall inside the advanced span.
 */
export class FakeClock implements Clock {
  private nowMs: number;
  private nextId = 1;
  private pending: Pending[] = [];

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    const entry: Pending = { id: this.nextId++, dueMs: this.nowMs + Math.max(0, delayMs), callback };
    this.pending.push(entry);
    return {
      cancel: () => {
        this.pending = this.pending.filter((p) => p.id !== entry.id);
      },
    };
  }

  /** Number of timers still waiting. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('FakeClock cannot go backwards');
    const targetMs = this.nowMs + ms;
    for (;;) {
      const next = this.earliestDue(targetMs);
      if (next === undefined) break;
      this.pending = this.pending.filter((p) => p.id !== next.id);
      this.nowMs = next.dueMs;
      next.callback();
    }
    this.nowMs = targetMs;
  }

  /**
   * A blocked event loop: time moves forward by `ms` with nothing running, then every timer that
   * fell due meanwhile fires late, in due order, all seeing the new time.
   */
  stall(ms: number): void {
    if (ms < 0) throw new RangeError('FakeClock cannot go backwards');
    this.nowMs += ms;
    for (;;) {
      const next = this.earliestDue(this.nowMs);
      if (next === undefined) break;
      this.pending = this.pending.filter((p) => p.id !== next.id);
      next.callback();
    }
  }

  /** Fires the next due timer, whenever it is; returns false when none is waiting. */
  runNext(): boolean {
    const next = this.earliestDue(Number.POSITIVE_INFINITY);
    if (next === undefined) return false;
    this.advance(next.dueMs - this.nowMs);
    return true;
  }

  private earliestDue(limitMs: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending) {
      if (p.dueMs > limitMs) continue;
      if (best === undefined || p.dueMs < best.dueMs || (p.dueMs === best.dueMs && p.id < best.id)) best = p;
    }
    return best;
  }
}

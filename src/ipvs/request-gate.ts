/**
 * Admission control for requests on one netlink socket. Pure scheduling (no I/O, no timers).
 *
 * - At most `maxInFlight` requests at a time. netlink@0.3.0 aborts the whole process when the
 *   socket's receive queue overflows (about 100 requests in flight with the default 208 KiB
 *   SO_RCVBUF; shared/reference/node-building-blocks.md section 5), so the bound is a safety limit,
 *   not a tuning knob. 32 in flight was also the fastest setting measured in UML.
 * - A dump runs alone: the package assembles multipart replies in one socket-wide slot, so any
 *   other reply arriving during a dump would cut it short. Dumps wait for the socket to drain and
 *   hold it until their DONE arrives. Admission is first come, first served.
 * - A queued request whose signal aborts leaves the queue. One already running keeps its slot
 *   until the kernel answers (the answer is discarded), so the bound holds even under aborts.
 */

export type RequestKind = 'doit' | 'dump';

export interface RequestGateSnapshot {
  readonly inFlight: number;
  readonly queued: number;
  readonly isDumpRunning: boolean;
  readonly maxInFlight: number;
  /** The highest number of requests ever in flight together. */
  readonly peakInFlight: number;
  readonly started: number;
}

interface Waiter {
  readonly kind: RequestKind;
  readonly start: () => void;
  readonly fail: (error: Error) => void;
}

/** A FIFO with O(1) take (Array.shift is O(n), and 10,000 queued calls are normal). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  take(): T | undefined {
    const item = this.items[this.head];
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  remove(item: T): void {
    const index = this.items.indexOf(item, this.head);
    if (index >= 0) this.items.splice(index, 1);
  }
  drain(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}

export class RequestGate {
  private readonly queue = new Fifo<Waiter>();
  private inFlight = 0;
  private isDumpRunning = false;
  private peakInFlight = 0;
  private started = 0;
  private closedWith: (() => Error) | undefined;

  constructor(readonly maxInFlight: number) {
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, not ${maxInFlight}`);
  }

  /**
   * Runs `work` when admitted. Rejects with `onAbort()` when `signal` aborts first (queued or
   * running), with the close error after close(), else settles as `work` does.
   */
  run<T>(kind: RequestKind, work: () => Promise<T>, signal: AbortSignal | undefined, onAbort: () => Error): Promise<T> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith());
    if (signal?.aborted === true) return Promise.reject(onAbort());
    return new Promise<T>((resolve, reject) => {
      let isSettled = false;
      const settle = (fn: () => void): void => {
        if (isSettled) return;
        isSettled = true;
        signal?.removeEventListener('abort', abort);
        fn();
      };
      const waiter: Waiter = {
        kind,
        start: () => {
          this.begin(kind);
          let promise: Promise<T>;
          try {
            promise = work();
          } catch (e) {
            promise = Promise.reject(e instanceof Error ? e : new Error(String(e)));
          }
          void promise.then(
            (value) => settle(() => resolve(value)),
            (error: unknown) => settle(() => reject(error instanceof Error ? error : new Error(String(error)))),
          ).finally(() => this.end(kind));
        },
        fail: (error) => settle(() => reject(error)),
      };
      const abort = (): void => {
        this.queue.remove(waiter);
        settle(() => reject(onAbort()));
        this.pump();
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Rejects everything queued with `error()` and refuses new requests; requests in flight finish. */
  close(error: () => Error): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = error;
    for (const waiter of this.queue.drain()) waiter.fail(error());
  }

  snapshot(): RequestGateSnapshot {
    return {
      inFlight: this.inFlight,
      queued: this.queue.length,
      isDumpRunning: this.isDumpRunning,
      maxInFlight: this.maxInFlight,
      peakInFlight: this.peakInFlight,
      started: this.started,
    };
  }

  private begin(kind: RequestKind): void {
    this.inFlight += 1;
    this.started += 1;
    if (kind === 'dump') this.isDumpRunning = true;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
  }

  private end(kind: RequestKind): void {
    this.inFlight -= 1;
    if (kind === 'dump') this.isDumpRunning = false;
    this.pump();
  }

  private pump(): void {
    for (;;) {
      const next = this.queue.peek();
      if (next === undefined || this.isDumpRunning) return;
      if (next.kind === 'dump' ? this.inFlight > 0 : this.inFlight >= this.maxInFlight) return;
      this.queue.take();
      next.start();
    }
  }
}

/**
 * The ordered event stream of a VRRP instance: every transition with its reason, every VIP change and
 * announcement round, every takeover decision and every failure the instance survived. Numbered in order
 * (`seq`), stamped with the monotonic clock (`atMs`, for durations) and the wall clock (`wallTimeMs`,
 * for humans and for lining up with packet captures). A bounded log keeps the latest for `status`;
 * listeners get each event as it happens (the daemon turns them into JSON lines and notify scripts).
 */
import type { GarpOccasion } from './garp-schedule.js';
import type { TransitionReason, VrrpState } from './vrrp-state-types.js';

interface EventBase {
  readonly seq: number;
  readonly atMs: number;
  readonly wallTimeMs: number;
  readonly instance: string;
  readonly vrid: number;
}

export type VrrpInstanceEventBody =
  | {
      readonly kind: 'transition';
      readonly from: VrrpState;
      readonly to: VrrpState;
      readonly reason: TransitionReason;
      /** Effective priority after the transition. */
      readonly priority: number;
      /** The master as known after the transition (ourselves when master), null when unknown. */
      readonly masterAddress: string | null;
    }
  | {
      readonly kind: 'vips-added' | 'vips-removed';
      readonly addresses: readonly string[];
      /** Addresses the kernel refused (see the error events). */
      readonly failed: readonly string[];
      /** Addresses that were already in the wanted state. */
      readonly unchanged: readonly string[];
      readonly durationMs: number;
    }
  | { readonly kind: 'stale-vips-removed'; readonly addresses: readonly string[] }
  | { readonly kind: 'garp-round'; readonly occasion: GarpOccasion; readonly addresses: readonly string[] }
  | { readonly kind: 'takeover-decided'; readonly requestId: number; readonly isGranted: boolean; readonly detail: string | null }
  /** An advert failed HMAC authentication (at most one event a second per reason; `total` counts them all). */
  | { readonly kind: 'advert-rejected'; readonly reason: 'hmac-missing' | 'hmac-mismatch' | 'replayed'; readonly from: string; readonly total: number }
  | { readonly kind: 'error'; readonly what: string; readonly message: string };

export type VrrpInstanceEvent = EventBase & VrrpInstanceEventBody;
export type VrrpInstanceEventListener = (event: VrrpInstanceEvent) => void;

/** Bounded, ordered, with isolated listeners. */
export class VrrpEventLog {
  private readonly retained: VrrpInstanceEvent[] = [];
  private readonly listeners = new Set<VrrpInstanceEventListener>();
  private nextSeq = 1;

  constructor(
    private readonly identity: { readonly instance: string; readonly vrid: number },
    private readonly now: () => number,
    private readonly wallNow: () => number,
    private readonly onListenerError: (err: unknown) => void,
    private readonly capacity = 1000,
  ) {}

  /** `atMs`: when it happened, if earlier than now (a transition is stamped with its step, not its log line). */
  emit(body: VrrpInstanceEventBody, atMs?: number): VrrpInstanceEvent {
    const nowMs = this.now();
    const at = atMs ?? nowMs;
    const event = { seq: this.nextSeq++, atMs: at, wallTimeMs: this.wallNow() - (nowMs - at), ...this.identity, ...body } as VrrpInstanceEvent;
    this.retained.push(event);
    if (this.retained.length > this.capacity) this.retained.shift();
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
    return event;
  }

  events(): readonly VrrpInstanceEvent[] {
    return [...this.retained];
  }

  subscribe(listener: VrrpInstanceEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}

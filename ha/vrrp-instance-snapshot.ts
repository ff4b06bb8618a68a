/**
 * What `VrrpInstance.snapshot()` returns (STYLE 16): the one view that status output, metrics and tests
 * read. Plain data: addresses as text, times as remaining milliseconds.
 */
import type { VipWorkerSnapshot } from './vip-worker.js';
import type { VrrpReceiveCountersSnapshot } from './vrrp-receive-filter.js';
import type { TransitionReason, VrrpState } from './vrrp-state-types.js';
import type { VrrpTransportSnapshot } from './vrrp-transport.js';
import type { AssumedHeaderCounts } from './vrrp-datagram-assumptions.js';

export type VrrpLifecycle = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface VrrpInstanceSnapshot {
  readonly name: string;
  readonly vrid: number;
  readonly interface: string;
  readonly version: 2 | 3;
  readonly lifecycle: VrrpLifecycle;
  readonly state: VrrpState;
  readonly configuredPriority: number;
  readonly effectivePriority: number;
  /** The master as last heard (ourselves when master). */
  readonly masterAddress: string | null;
  readonly masterPriority: number | null;
  readonly masterAdverIntervalCs: number;
  /** Time left on the Master_Down_Timer, null when it is not running. */
  readonly masterDownInMs: number | null;
  readonly isTakeoverPending: boolean;
  readonly lastTransition: { readonly from: VrrpState; readonly to: VrrpState; readonly reason: TransitionReason; readonly atMs: number } | null;
  readonly transitions: number;
  /** Advertisements sent (one per send, whatever the number of unicast peers). */
  readonly advertsSent: number;
  /** Accepted adverts, drops per reason, warnings (vrrp-receive-filter.ts). */
  readonly receive: VrrpReceiveCountersSnapshot;
  /** IP header fields the transport could not see and that were assumed (vrrp-datagram-assumptions.ts). */
  readonly assumedHeaderFields: Readonly<AssumedHeaderCounts>;
  readonly vips: VipWorkerSnapshot;
  /** Null before start. */
  readonly transport: VrrpTransportSnapshot | null;
  /**
   * HMAC authentication (vrrp-hmac.ts), null when off: the next sequence this instance sends and the
   * highest accepted per sender, as decimal text (64-bit). Drops are in `receive.drops`.
   */
  readonly hmac: { readonly nextSequence: string | null; readonly highestAccepted: Readonly<Record<string, string>> } | null;
}

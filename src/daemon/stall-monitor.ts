/**
 * Watches the daemon's own event loop: a timer that should fire every `tickMs` and notes how late it
 * fires. Lateness is time when nothing in lvsd ran (synchronous work, a slow host, a paused VM), so a
 * probe timeout or a missed advert in that window may be lvsd's fault, not the network's. Each stall
 * of at least `warnMs` is logged with its length; status shows the count and the longest.
 */
import type { Clock, Timer } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Component } from './lifecycle.js';

export interface StallMonitorOptions {
  readonly tickMs: number;
  readonly warnMs: number;
}

export const DEFAULT_STALL_MONITOR: StallMonitorOptions = { tickMs: 50, warnMs: 100 };

/** Lateness under this is timer granularity, not a stall. */
const COUNTED_LATENESS_MS = 5;

export interface StallMonitor extends Component {
  /** Total milliseconds lvsd did not run since start (lateness of 5 ms or more, summed): monotonic. */
  readonly stalledMs: () => number;
  /** Stalls of at least warnMs since start, and the longest seen (ms). */
  readonly stats: () => { readonly stalls: number; readonly longestMs: number; readonly lastMs: number };
}

export function createStallMonitor(deps: { readonly clock: Clock; readonly logger: Logger }, options: StallMonitorOptions = DEFAULT_STALL_MONITOR): StallMonitor {
  const log = deps.logger.child({ component: 'stall-monitor' });
  let timer: Timer | undefined;
  let stalls = 0;
  let longestMs = 0;
  let lastMs = 0;
  let totalMs = 0;

  const arm = (): void => {
    const due = deps.clock.now() + options.tickMs;
    timer = deps.clock.setTimeout(() => {
      const lateMs = Math.round(deps.clock.now() - due);
      if (lateMs >= COUNTED_LATENESS_MS) totalMs += lateMs;
      if (lateMs >= options.warnMs) {
        stalls++;
        lastMs = lateMs;
        longestMs = Math.max(longestMs, lateMs);
        log.warn('event loop stalled: lvsd ran nothing meanwhile; probe timeouts and advert delays in this window may be ours', { stalledMs: lateMs });
      }
      arm();
    }, options.tickMs);
  };

  return {
    name: 'stall-monitor',
    stats: () => ({ stalls, longestMs, lastMs }),
    stalledMs: () => totalMs,
    start() {
      if (timer === undefined) arm();
      return Promise.resolve();
    },
    stop() {
      timer?.cancel();
      timer = undefined;
      return Promise.resolve();
    },
    snapshot: () => ({ stalls, longestMs, lastMs, totalMs, warnMs: options.warnMs }),
  };
}

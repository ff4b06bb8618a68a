/**
 * UDP_CHECK (keepalived): send `payload`; with `reply` set a reply is required, must match its hex
 * pattern (`X` nibbles match anything) and lie within its lengths. Without `reply`, keepalived's rule:
 * the check passes unless an ICMP error (port or host unreachable) arrives before the timeout, so
 * the probe lasts its whole timeout when the server stays silent.
 */
import type { Clock } from '../src/core/clock.js';
import type { IpAddress } from '../src/core/ip.js';
import { abortedFailure, isProbeTimeout, startStopwatch, type CheckResult, type CheckTarget, type HealthChecker } from './checker.js';
import { matchesHexPattern, toHex, type HexPattern } from './text-pattern.js';
import { exchangeUdp } from './udp-exchange.js';

export interface UdpReplyRequirement {
  readonly pattern?: HexPattern;
  readonly minBytes?: number;
  readonly maxBytes?: number;
}

export interface UdpCheckParams {
  readonly port?: number;
  readonly bindAddress?: IpAddress;
  /** Default: an empty datagram. */
  readonly payload?: Uint8Array;
  /** keepalived `require_reply` (+ `min_reply_length`, `max_reply_length`). */
  readonly reply?: UdpReplyRequirement;
}

type ReplyVerdict = { readonly isMatch: true } | { readonly isMatch: false; readonly reason: 'reply-mismatch' | 'reply-length'; readonly detail: string };

export function judgeUdpReply(reply: Uint8Array, requirement: UdpReplyRequirement): ReplyVerdict {
  if (requirement.minBytes !== undefined && reply.length < requirement.minBytes) {
    return { isMatch: false, reason: 'reply-length', detail: `reply of ${reply.length} bytes, at least ${requirement.minBytes} required` };
  }
  if (requirement.maxBytes !== undefined && reply.length > requirement.maxBytes) {
    return { isMatch: false, reason: 'reply-length', detail: `reply of ${reply.length} bytes, at most ${requirement.maxBytes} allowed` };
  }
  if (requirement.pattern !== undefined && !matchesHexPattern(reply, requirement.pattern)) {
    return { isMatch: false, reason: 'reply-mismatch', detail: `reply ${toHex(reply.subarray(0, 32))}${reply.length > 32 ? '...' : ''} does not match ${toHex(requirement.pattern.value)}` };
  }
  return { isMatch: true };
}

export function createUdpChecker(params: UdpCheckParams, deps: { readonly clock: Clock }): HealthChecker {
  const payload = params.payload ?? new Uint8Array(0);
  return {
    kind: 'udp',
    async check(target: CheckTarget, signal: AbortSignal): Promise<CheckResult> {
      const elapsed = startStopwatch(deps.clock);
      const endpoint = { address: target.address, port: params.port ?? target.port, ...(params.bindAddress === undefined ? {} : { bindAddress: params.bindAddress }) };
      const requirement = params.reply;
      const outcome = await exchangeUdp(endpoint, payload, signal, (reply) => (requirement === undefined ? ({ isMatch: true } as const) : judgeUdpReply(reply, requirement)));
      const latencyMs = elapsed();
      switch (outcome.kind) {
        case 'failed':
          return { ...outcome.failure, latencyMs };
        case 'aborted':
          if (requirement === undefined && isProbeTimeout(signal)) return { ok: true, latencyMs, detail: 'no ICMP error before the timeout' };
          return abortedFailure(signal, 'reply-timeout', latencyMs, 'UDP reply');
        case 'decided':
          if (outcome.value.isMatch) return { ok: true, latencyMs, detail: 'reply matched' };
          return { ok: false, reason: outcome.value.reason, detail: outcome.value.detail, latencyMs };
      }
    },
  };
}

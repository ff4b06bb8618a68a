/**
 * VRRP timer math (RFC 5798 section 6.1, RFC 3768 section 6.1), named with units. Pure.
 *
 * Intervals are carried in centiseconds, the unit of the VRRPv3 wire field (RFC 5798 section 5.2.7);
 * a VRRPv2 interval of N seconds is N x 100 cs. Durations handed to timers are milliseconds and may be
 * fractional: (256 - priority) / 256 of an interval is exact in binary floating point, so the results
 * match keepalived's microsecond arithmetic (e.g. v3, priority 200, 10 cs: 321.875 ms).
 */
import type { VrrpVersion } from './vrrp-packet.js';

/** RFC 5798 section 6.1: Master_Down_Interval is 3 advertisement intervals plus the skew. */
export const RFC_DOWN_TIMER_ADVERTS = 3;
/** RFC 5798 section 6.1: the priority of the router that owns the virtual addresses. */
export const OWNER_PRIORITY = 255;
/** RFC 5798 section 6.1: the priority a master sends when it stops being master. */
export const RELEASE_PRIORITY = 0;

export const MS_PER_CS = 10;
export const CS_PER_S = 100;

export function csToMs(centiseconds: number): number {
  return centiseconds * MS_PER_CS;
}

export function msToCs(milliseconds: number): number {
  return milliseconds / MS_PER_CS;
}

export function secondsToCs(seconds: number): number {
  return seconds * CS_PER_S;
}

/**
 * VRRPv2 carries whole seconds (RFC 3768 section 5.3.7). Returns undefined when `adverIntervalCs` is not
 * a whole number of seconds in 1-255 (keepalived rounds such values; config validation rejects them).
 */
export function csToV2AdverIntervalS(adverIntervalCs: number): number | undefined {
  const seconds = adverIntervalCs / CS_PER_S;
  return Number.isInteger(seconds) && seconds >= 1 && seconds <= 255 ? seconds : undefined;
}

export interface VrrpTimingInput {
  readonly version: VrrpVersion;
  /** The priority in force (after tracker weights); an address owner always uses 255. */
  readonly priority: number;
  /** Master_Adver_Interval: the interval learned from the master (v3) or our own (v2, before any advert). */
  readonly masterAdverIntervalCs: number;
  /** keepalived `down_timer_adverts`; RFC value 3. */
  readonly downTimerAdverts?: number;
}

/**
 * Skew_Time in milliseconds.
 * v3 (RFC 5798 section 6.1): ((256 - Priority) * Master_Adver_Interval) / 256, in centiseconds.
 * v2 (RFC 3768 section 6.1): (256 - Priority) / 256 seconds, whatever the advertisement interval.
 */
export function skewTimeMs(input: VrrpTimingInput): number {
  const weight = 256 - input.priority;
  if (input.version === 3) return csToMs((weight * input.masterAdverIntervalCs) / 256);
  return (weight * 1000) / 256;
}

/**
 * Master_Down_Interval in milliseconds (RFC 5798 section 6.1, RFC 3768 section 6.1):
 * (3 * Master_Adver_Interval) + Skew_Time, with keepalived's `down_timer_adverts` in place of 3.
 */
export function masterDownIntervalMs(input: VrrpTimingInput): number {
  const adverts = input.downTimerAdverts ?? RFC_DOWN_TIMER_ADVERTS;
  return adverts * csToMs(input.masterAdverIntervalCs) + skewTimeMs(input);
}

/** Advertisement_Interval in milliseconds, the period of the master's Adver_Timer (RFC 5798 section 6.1). */
export function adverIntervalMs(adverIntervalCs: number): number {
  return csToMs(adverIntervalCs);
}

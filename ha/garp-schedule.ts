/**
 * When to announce the virtual addresses (gratuitous ARP for IPv4, unsolicited Neighbor Advertisement for
 * IPv6; RFC 5798 section 6.4.1 asks for one of each "for each IP address associated with the virtual
 * router" on becoming master). keepalived's settings, with its defaults: a burst of
 * `vrrp_garp_master_repeat` (5) on becoming master, a second burst `vrrp_garp_master_delay` (5 s) later,
 * the same on hearing a lower-priority advert (`vrrp_garp_lower_prio_repeat/delay`, defaulting to the
 * master values), a periodic refresh of `vrrp_garp_master_refresh_repeat` every
 * `vrrp_garp_master_refresh` (0: off), and `vrrp_garp_interval` between the announcements of a burst.
 * Pure.
 */
import type { GarpReason } from './vrrp-state-types.js';

export interface GarpSettings {
  /** Announcements per burst on becoming master, >= 1. */
  readonly masterRepeat: number;
  /** Second burst this long after the first; 0: none. */
  readonly masterDelayMs: number;
  /** Periodic refresh while master; 0: none. */
  readonly masterRefreshMs: number;
  readonly masterRefreshRepeat: number;
  /** Burst when a master hears a lower-priority advert (split-brain repair), >= 1. */
  readonly lowerPrioRepeat: number;
  readonly lowerPrioDelayMs: number;
  /** Between two announcements of one burst; 0: back to back. */
  readonly intervalMs: number;
}

/** keepalived 2.2.7's defaults (keepalived.conf(5), global_defs). */
export const KEEPALIVED_GARP_SETTINGS: GarpSettings = {
  masterRepeat: 5,
  masterDelayMs: 5000,
  masterRefreshMs: 0,
  masterRefreshRepeat: 1,
  lowerPrioRepeat: 5,
  lowerPrioDelayMs: 5000,
  intervalMs: 0,
};

export type GarpOccasion = GarpReason | 'refresh';

/**
 * Offsets in ms from now of each announcement round (every VIP once per round), in ascending order.
 * The first round is always at 0: announcing is why we are here.
 */
export function planGarpRounds(occasion: GarpOccasion, settings: GarpSettings): number[] {
  const burst = (startMs: number, repeat: number): number[] =>
    Array.from({ length: Math.max(1, repeat) }, (_, i) => startMs + i * Math.max(0, settings.intervalMs));
  switch (occasion) {
    case 'became-master':
      return withSecondBurst(burst, settings.masterRepeat, settings.masterDelayMs);
    case 'lower-priority-advert':
      return withSecondBurst(burst, settings.lowerPrioRepeat, settings.lowerPrioDelayMs);
    case 'refresh':
      return burst(0, settings.masterRefreshRepeat);
  }
}

function withSecondBurst(burst: (startMs: number, repeat: number) => number[], repeat: number, delayMs: number): number[] {
  const first = burst(0, repeat);
  return delayMs > 0 ? [...first, ...burst(delayMs, repeat)] : first;
}

/** The reason `settings` cannot be used, or undefined. Validation of the config owns the messages; this guards the driver. */
export function describeInvalidGarpSettings(settings: GarpSettings): string | undefined {
  const counts: [string, number][] = [
    ['masterRepeat', settings.masterRepeat],
    ['masterRefreshRepeat', settings.masterRefreshRepeat],
    ['lowerPrioRepeat', settings.lowerPrioRepeat],
  ];
  for (const [name, value] of counts) if (!Number.isInteger(value) || value < 1 || value > 255) return `garp ${name} ${value} is not 1-255`;
  const durations: [string, number][] = [
    ['masterDelayMs', settings.masterDelayMs],
    ['masterRefreshMs', settings.masterRefreshMs],
    ['lowerPrioDelayMs', settings.lowerPrioDelayMs],
    ['intervalMs', settings.intervalMs],
  ];
  for (const [name, value] of durations) if (!Number.isFinite(value) || value < 0) return `garp ${name} ${value} is negative or not finite`;
  return undefined;
}

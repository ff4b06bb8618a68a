/**
 * keepalived's tracker weight rules (keepalived.conf(5): track_interface, track_script, track_file),
 * combined into what a VRRP instance needs: a priority adjustment and whether it is in Fault. Pure.
 *
 * Up/down trackers (interfaces, scripts), weight w:
 *   w = 0: down means FAULT (reverse: up means FAULT);
 *   w > 0: +w while up;  w < 0: w (a decrease) while down;
 *   reverse negates the adjustment under the same condition ("decreased when up, increased when down").
 * Value trackers (files), weight w, value v read from the file:
 *   w = 0: v != 0 means FAULT (reverse: v == 0 means FAULT);
 *   otherwise v * w is added (reverse: v * -w), and a contribution below -253 means FAULT.
 * A tracker whose state is not known yet contributes nothing.
 */

export type TrackerStatus =
  | { readonly kind: 'up-down'; readonly isUp: boolean }
  | { readonly kind: 'value'; readonly value: number }
  | { readonly kind: 'unknown' };

export interface TrackerReading {
  /** For logs: "script chk_http", "interface eth1", "file maint". */
  readonly name: string;
  readonly weight: number;
  readonly isReversed: boolean;
  readonly status: TrackerStatus;
}

export interface TrackerEffect {
  readonly priorityAdjustment: number;
  readonly isFault: boolean;
  /** Trackers that put the instance in Fault. */
  readonly faultedBy: readonly string[];
}

/** keepalived: a file tracker's contribution below this puts the instance in Fault. */
const FILE_FAULT_BELOW = -253;

export function combineTrackers(readings: readonly TrackerReading[]): TrackerEffect {
  let priorityAdjustment = 0;
  const faultedBy: string[] = [];
  for (const r of readings) {
    const outcome = trackerOutcome(r);
    if (outcome === 'fault') faultedBy.push(r.name);
    else priorityAdjustment += outcome;
  }
  return { priorityAdjustment, isFault: faultedBy.length > 0, faultedBy };
}

/** One tracker's contribution: a priority delta, or 'fault'. */
export function trackerOutcome(r: TrackerReading): number | 'fault' {
  const sign = r.isReversed ? -1 : 1;
  switch (r.status.kind) {
    case 'unknown':
      return 0;
    case 'up-down': {
      const isUp = r.status.isUp;
      if (r.weight === 0) return isUp === r.isReversed ? 'fault' : 0;
      const isCounted = r.weight > 0 ? isUp : !isUp;
      return isCounted ? sign * r.weight : 0;
    }
    case 'value': {
      const v = r.status.value;
      if (r.weight === 0) return (v !== 0) !== r.isReversed ? 'fault' : 0;
      const contribution = v * r.weight * sign;
      return contribution < FILE_FAULT_BELOW ? 'fault' : contribution;
    }
    default:
      return assertNeverStatus(r.status);
  }
}

function assertNeverStatus(status: never): never {
  throw new Error(`unexpected tracker status ${JSON.stringify(status)}`);
}

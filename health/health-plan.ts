/**
 * The health scheduler's input and output as data: the plan (real servers, their checks and
 * timings), the events it emits and its snapshot. The composition root builds a `HealthPlan` from
 * the config and turns `real-server-changed` events into the desired IPVS table.
 */
import type { IpAddress } from '../src/core/ip.js';
import type { CheckResult } from './checker.js';
import type { CheckKind, CheckSpec } from './check-spec.js';
import type { CheckChange, CheckState, CheckTiming } from './hysteresis.js';
import type { Destination, RealServerParams } from './real-server-verdict.js';

export interface ProbeSpec {
  readonly check: CheckSpec;
  readonly timing: CheckTiming;
}

export interface RealServerSpec extends RealServerParams {
  /** The caller's identity for this destination, e.g. `tcp 192.0.2.1:80 -> 192.0.2.21:80`. Unique in a plan. */
  readonly id: string;
  readonly address: IpAddress;
  /** 0 for a service without ports (fwmark). */
  readonly port: number;
  /** Up only when all are; none means always up. */
  readonly checks: readonly ProbeSpec[];
}

export interface HealthPlan {
  readonly realServers: readonly RealServerSpec[];
}

export interface ProbeInfo {
  readonly key: string;
  readonly kind: CheckKind;
  /** `192.0.2.21:80` or `[2001:db8::1]:80`. */
  readonly target: string;
}

export type RealServerCause =
  | { readonly kind: 'added' }
  | { readonly kind: 'params' }
  | { readonly kind: 'check'; readonly probe: ProbeInfo; readonly change: CheckChange }
  | { readonly kind: 'report'; readonly probe: ProbeInfo; readonly result: CheckResult }
  | { readonly kind: 'slowstart' };

export type HealthEvent =
  | { readonly type: 'check-changed'; readonly atMs: number; readonly probe: ProbeInfo; readonly change: CheckChange }
  | {
      readonly type: 'real-server-changed';
      readonly atMs: number;
      readonly realServerId: string;
      readonly isUp: boolean;
      readonly destination: Destination;
      /** Absent when the real server was just added. */
      readonly previous?: Destination;
      readonly cause: RealServerCause;
    }
  | { readonly type: 'real-server-removed'; readonly atMs: number; readonly realServerId: string }
  | { readonly type: 'first-round-complete'; readonly atMs: number };

export type HealthEventListener = (event: HealthEvent) => void;

export interface ProbeSnapshot extends ProbeInfo {
  readonly state: CheckState;
  readonly runs: number;
  readonly isInFlight: boolean;
  readonly nextDueMs?: number;
  readonly realServerIds: readonly string[];
}

export interface RealServerSnapshot {
  readonly id: string;
  readonly isUp: boolean;
  readonly destination: Destination;
  readonly isRamping: boolean;
  readonly probeKeys: readonly string[];
}

export interface HealthSnapshot {
  readonly isRunning: boolean;
  /** Every probe has produced a result since start (or since `beginRound`). */
  readonly hasCompletedFirstRound: boolean;
  readonly probes: readonly ProbeSnapshot[];
  readonly realServers: readonly RealServerSnapshot[];
}

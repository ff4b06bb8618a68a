/**
 * What the VRRP bench runs, as data: the failover settings (advert_int, version, how the client
 * probes), the two directors (director-1 master at priority 200, director-2 backup at 100, VRID 51),
 * the keepalived.conf of each, and how long each step waits. Pure.
 */
import { masterDownIntervalMs } from '../../ha/vrrp-timers.js';

export type VrrpImplementation = 'lvsd' | 'keepalived';

export const BENCH_VRID = 51;
export const MASTER_PRIORITY = 200;
export const BACKUP_PRIORITY = 100;
/** The responder's port on the VIP (the lab HTTP name server in each director namespace). */
export const RESPONDER_PORT = 80;

export interface FailoverSetting {
  /** advert_int in centiseconds (VRRPv3's unit): 100 = 1 s. */
  readonly advertIntervalCs: number;
  readonly version: 2 | 3;
  /** Client probe spacing: the gap's resolution is about probe interval + probe timeout. */
  readonly probeIntervalMs: number;
  /** A probe in flight to the dead master's MAC never gets an answer: it ends at this timeout. */
  readonly probeTimeoutMs: number;
}

/**
 * The three settings. 1 s as VRRPv2 (keepalived's default version), sub-second as VRRPv3
 * (v2 cannot carry them). Probe timeouts stay well above a loaded round trip in the lab (a few ms)
 * and below the master down interval they have to resolve.
 */
export const FAILOVER_SETTINGS: readonly FailoverSetting[] = [
  { advertIntervalCs: 100, version: 2, probeIntervalMs: 20, probeTimeoutMs: 200 },
  { advertIntervalCs: 10, version: 3, probeIntervalMs: 10, probeTimeoutMs: 50 },
  { advertIntervalCs: 1, version: 3, probeIntervalMs: 5, probeTimeoutMs: 25 },
];

/** The long runs (spurious transitions, jitter) use the smallest advert_int. */
export const LONG_RUN_SETTING = { advertIntervalCs: 1, version: 3 } as const;

/** The long runs, in the order they run: no load, CPU busy loops, health checks in lvsd's event loop, the same with lvsd's VRRP in a child process. */
export const LONG_RUN_LOADS = ['none', 'cpu', 'in-process', 'vrrp-process'] as const;
export type LongRunLoad = (typeof LONG_RUN_LOADS)[number];

/** "1 s", "0.1 s", "0.01 s". */
export function advertIntervalText(advertIntervalCs: number): string {
  return `${advertIntervalCs / 100} s`;
}

/** keepalived's advert_int value: seconds, with centiseconds for v3 ("0.01"). */
export function keepalivedAdvertInt(advertIntervalCs: number): string {
  return String(advertIntervalCs / 100);
}

/** The backup's master down interval (RFC 5798 / 3768 section 6.1): how long it waits for a silent master. */
export function backupMasterDownIntervalMs(setting: { readonly advertIntervalCs: number; readonly version: 2 | 3 }): number {
  return masterDownIntervalMs({ version: setting.version, priority: BACKUP_PRIORITY, masterAdverIntervalCs: setting.advertIntervalCs });
}

export interface FailoverTiming {
  /** Successful probes answered by the master, before its link goes down. */
  readonly steadyMs: number;
  /** After the link goes down: the master down interval, the client's recovery, then answers from the backup. */
  readonly watchMs: number;
  /** Until each director reached its first state (the master waits its own master down interval at start). */
  readonly electionTimeoutMs: number;
  /** The prober's own bounds (it is stopped after the watch; these only bound a lost prober). */
  readonly proberCount: number;
  readonly proberMaxDurationMs: number;
}

const STEADY_MS = 500;
const RECOVERY_SLACK_MS = 1500;
const ELECTION_SLACK_MS = 5000;
/** Node's start in a namespace, with the machine shared. */
const PROBER_START_SLACK_MS = 10_000;

export function planFailoverTiming(setting: FailoverSetting): FailoverTiming {
  const mdi = backupMasterDownIntervalMs(setting);
  const watchMs = Math.ceil(mdi + RECOVERY_SLACK_MS);
  const proberMaxDurationMs = PROBER_START_SLACK_MS + STEADY_MS + watchMs;
  return {
    steadyMs: STEADY_MS,
    watchMs,
    electionTimeoutMs: Math.ceil(mdi + ELECTION_SLACK_MS),
    proberCount: Math.ceil(proberMaxDurationMs / setting.probeIntervalMs),
    proberMaxDurationMs,
  };
}

export interface KeepalivedBenchInstance {
  /** router_id. */
  readonly name: string;
  readonly version: 2 | 3;
  readonly priority: number;
  readonly advertIntervalCs: number;
  readonly interfaceName: string;
  /** "192.0.2.50/32". */
  readonly vip: string;
}

/** A keepalived.conf like the lab directors' instance: state BACKUP, multicast, no authentication. */
export function keepalivedBenchConfig(o: KeepalivedBenchInstance): string {
  return [
    'global_defs {',
    `  router_id ${o.name.replace(/[^A-Za-z0-9_]/g, '_')}`,
    `  vrrp_version ${o.version}`,
    '  script_user root',
    '}',
    'vrrp_instance VI_1 {',
    `  interface ${o.interfaceName}`,
    '  state BACKUP',
    `  virtual_router_id ${BENCH_VRID}`,
    `  priority ${o.priority}`,
    `  advert_int ${keepalivedAdvertInt(o.advertIntervalCs)}`,
    '  virtual_ipaddress {',
    `    ${o.vip} dev ${o.interfaceName}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

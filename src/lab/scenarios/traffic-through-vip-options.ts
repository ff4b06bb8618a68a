/**
 * Options of the traffic-through-vip scenario: types, defaults, and validation of the JSON a host
 * passes into the guest. Pure.
 */
import { err, ok, type Result } from '../../core/result.js';
import type { LabLogLevel } from '../lab-daemon-config.js';
import { MAX_REAL_SERVERS } from '../topology-plan.js';

export const TRAFFIC_THROUGH_VIP = 'traffic-through-vip';

/** IPVS forwarding of the lab service, as lvsd's config spells it (ipvsadm -g, -m, -i). */
export type LabForwarding = 'dr' | 'nat' | 'tun';
export const LAB_FORWARDINGS: readonly LabForwarding[] = ['dr', 'nat', 'tun'];

export interface ProbePlan {
  readonly count: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly maxDurationMs: number;
}

/** Run an lvsd daemon in each director namespace (`node <lvsdBin> run --config <file> --foreground`). */
export interface LabDaemonOptions {
  /** Path of bin/lvsd.js. */
  readonly lvsdBin: string;
  /** Directory for the generated director-N.yaml files. */
  readonly configDir: string;
  /** Control sockets and pid files. Default /run/lvsd. */
  readonly runDir: string;
  /** Until each daemon's control socket exists. */
  readonly readyTimeoutMs: number;
  /** After SIGTERM, until the daemon must have exited. */
  readonly stopTimeoutMs: number;
  readonly logLevel: LabLogLevel;
}

export interface TrafficThroughVipOptions {
  /** 1-3 directors; the first holds the VIP and the IPVS service. */
  readonly directorCount: number;
  readonly realServerCount: number;
  /** IPVS scheduler of the service: rr, wrr, lc, wlc, sh, mh... */
  readonly scheduler: string;
  readonly port: number;
  readonly probe: ProbePlan;
  /** Fixed run id (names of namespaces); default random. */
  readonly runId?: string;
  /** Until every HTTP server is ready. */
  readonly readyTimeoutMs: number;
  /** Off when undefined (the default). */
  readonly daemons?: LabDaemonOptions;
  /**
   * Health-check the real servers (HTTP) and, after the first probe phase, stop rs-1's service: it
   * must leave IPVS, traffic must go on without it, and it must return once started again. Needs daemons.
   */
  readonly isRealServerFailed?: boolean;
  /**
   * How the director reaches the real servers (default dr): dr prepares them in the topology (VIP on
   * lo, ARP silenced); nat routes them through director-1 (topology-plan.ts); tun has each real
   * server prepared by `lvsd realserver setup --method tun` (VIP on tunl0).
   */
  readonly forwarding: LabForwarding;
  /**
   * After the probes, remove a real server from the config (SIGHUP) while the client holds a
   * long-lived TCP connection to it through a second service (the stream port): it must drain
   * (weight 0, the connection keeps flowing, new connections elsewhere) and go once the connection
   * closed. Needs daemons.
   */
  readonly isDrainObserved?: boolean;
  /**
   * The last real-server node is the service's sorry server (quorum 2, HTTP checks on the others);
   * after the probes rs-1 and rs-2 stop: the sorry server must take over and quorum_down run; rs-1
   * starts again: the sorry server must leave and quorum_up run. Needs daemons and 4 real servers.
   */
  readonly isQuorumLost?: boolean;
}

/** The drain phase's second service (VIP:7000): a line-echo server on every real server. */
export const LAB_STREAM_PORT = 7000;

export const DEFAULT_PROBE_PLAN: ProbePlan = { count: 30, intervalMs: 20, timeoutMs: 2000, maxDurationMs: 20_000 };

export const SCHEDULERS: readonly string[] = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'sh', 'dh', 'sed', 'nq', 'mh', 'fo', 'ovf'];

/** Validates untrusted JSON (from the host) and fills defaults. Unknown keys are rejected. */
export function parseTrafficThroughVipOptions(input: unknown): Result<TrafficThroughVipOptions, string> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return err('options must be a JSON object');
  const o = input as Record<string, unknown>;
  const known = ['directorCount', 'realServerCount', 'scheduler', 'port', 'probe', 'runId', 'readyTimeoutMs', 'daemons', 'isRealServerFailed', 'forwarding', 'isDrainObserved', 'isQuorumLost'];
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length > 0) return err(`unknown option(s): ${unknown.join(', ')}`);
  const directorCount = int(o['directorCount'], 2, 1, 3);
  const realServerCount = int(o['realServerCount'], 3, 1, MAX_REAL_SERVERS);
  const port = int(o['port'], 80, 1, 65535);
  const readyTimeoutMs = int(o['readyTimeoutMs'], 30_000, 1, 600_000);
  if (directorCount === undefined) return err('directorCount must be an integer 1-3');
  if (realServerCount === undefined) return err(`realServerCount must be an integer 1-${MAX_REAL_SERVERS}`);
  if (port === undefined) return err('port must be an integer 1-65535');
  if (readyTimeoutMs === undefined) return err('readyTimeoutMs must be a positive integer');
  const scheduler = o['scheduler'] ?? 'rr';
  if (typeof scheduler !== 'string' || !SCHEDULERS.includes(scheduler)) return err(`scheduler must be one of ${SCHEDULERS.join(' ')}`);
  const runId = o['runId'];
  if (runId !== undefined && (typeof runId !== 'string' || !/^[a-z0-9]{1,6}$/.test(runId))) return err('runId must be 1-6 characters [a-z0-9]');
  const probe = parseProbePlan(o['probe']);
  if (!probe.ok) return probe;
  const daemons = parseDaemonOptions(o['daemons']);
  if (!daemons.ok) return daemons;
  const isRealServerFailed = o['isRealServerFailed'] ?? false;
  if (typeof isRealServerFailed !== 'boolean') return err('isRealServerFailed must be true or false');
  if (isRealServerFailed && daemons.value === undefined) return err('isRealServerFailed needs daemons: lvsd runs the health checks');
  if (isRealServerFailed && realServerCount < 2) return err('isRealServerFailed needs at least 2 real servers');
  const forwarding = o['forwarding'] ?? 'dr';
  if (!LAB_FORWARDINGS.includes(forwarding as LabForwarding)) return err(`forwarding must be one of ${LAB_FORWARDINGS.join(' ')}`);
  const isDrainObserved = o['isDrainObserved'] ?? false;
  if (typeof isDrainObserved !== 'boolean') return err('isDrainObserved must be true or false');
  if (isDrainObserved && daemons.value === undefined) return err('isDrainObserved needs daemons: lvsd drains on reload');
  if (isDrainObserved && realServerCount < 2) return err('isDrainObserved needs at least 2 real servers');
  if (isDrainObserved && port === LAB_STREAM_PORT) return err(`isDrainObserved uses port ${LAB_STREAM_PORT} for its stream service: choose another port`);
  const isQuorumLost = o['isQuorumLost'] ?? false;
  if (typeof isQuorumLost !== 'boolean') return err('isQuorumLost must be true or false');
  if (isQuorumLost && daemons.value === undefined) return err('isQuorumLost needs daemons: lvsd runs the health checks and the quorum');
  if (isQuorumLost && realServerCount < 4) return err('isQuorumLost needs at least 4 real servers: 3 serving (2 stop, 1 returns to regain quorum 2) and the sorry server');
  return ok({
    directorCount,
    realServerCount,
    scheduler,
    port,
    probe: probe.value,
    readyTimeoutMs,
    forwarding: forwarding as LabForwarding,
    ...(runId === undefined ? {} : { runId }),
    ...(daemons.value === undefined ? {} : { daemons: daemons.value }),
    ...(isRealServerFailed ? { isRealServerFailed } : {}),
    ...(isDrainObserved ? { isDrainObserved } : {}),
    ...(isQuorumLost ? { isQuorumLost } : {}),
  });
}

function parseProbePlan(input: unknown): Result<ProbePlan, string> {
  if (input === undefined) return ok(DEFAULT_PROBE_PLAN);
  if (typeof input !== 'object' || input === null) return err('probe must be an object');
  const p = input as Record<string, unknown>;
  const count = int(p['count'], DEFAULT_PROBE_PLAN.count, 1, 100_000);
  const intervalMs = int(p['intervalMs'], DEFAULT_PROBE_PLAN.intervalMs, 0, 60_000);
  const timeoutMs = int(p['timeoutMs'], DEFAULT_PROBE_PLAN.timeoutMs, 1, 60_000);
  const maxDurationMs = int(p['maxDurationMs'], DEFAULT_PROBE_PLAN.maxDurationMs, 1, 3_600_000);
  if (count === undefined || intervalMs === undefined || timeoutMs === undefined || maxDurationMs === undefined) {
    return err('probe: count 1-100000, intervalMs 0-60000, timeoutMs 1-60000, maxDurationMs 1-3600000 (integers)');
  }
  return ok({ count, intervalMs, timeoutMs, maxDurationMs });
}

function parseDaemonOptions(input: unknown): Result<LabDaemonOptions | undefined, string> {
  if (input === undefined || input === null || input === false) return ok(undefined);
  if (typeof input !== 'object') return err('daemons must be an object or absent');
  const d = input as Record<string, unknown>;
  const lvsdBin = d['lvsdBin'];
  const configDir = d['configDir'];
  if (typeof lvsdBin !== 'string' || !lvsdBin.startsWith('/')) return err('daemons.lvsdBin must be an absolute path');
  if (typeof configDir !== 'string' || !configDir.startsWith('/')) return err('daemons.configDir must be an absolute path');
  const runDir = d['runDir'] ?? '/run/lvsd';
  if (typeof runDir !== 'string' || !runDir.startsWith('/')) return err('daemons.runDir must be an absolute path');
  const readyTimeoutMs = int(d['readyTimeoutMs'], 20_000, 1, 600_000);
  const stopTimeoutMs = int(d['stopTimeoutMs'], 10_000, 1, 600_000);
  if (readyTimeoutMs === undefined || stopTimeoutMs === undefined) return err('daemons.readyTimeoutMs/stopTimeoutMs must be positive integers');
  const logLevel = d['logLevel'] ?? 'info';
  if (logLevel !== 'error' && logLevel !== 'warn' && logLevel !== 'info' && logLevel !== 'debug') return err('daemons.logLevel: error|warn|info|debug');
  return ok({ lvsdBin, configDir, runDir, readyTimeoutMs, stopTimeoutMs, logLevel });
}

/** undefined when present but not an integer in [min, max]. */
function int(value: unknown, fallback: number, min: number, max: number): number | undefined {
  if (value === undefined) return fallback;
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

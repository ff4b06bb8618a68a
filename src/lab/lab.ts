/**
 * `lvsd lab` on the host: boots UML once, runs one scenario entry (a long-lived Node process)
 * inside it, and turns the scenario's JSON result into a printable report.
 */
import { fileURLToPath } from 'node:url';
import type { CommandRunner } from '../core/command-runner.js';
import { LvsdError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { formatLabReport } from './lab-report.js';
import type { TrafficThroughVipResult } from './scenarios/traffic-through-vip.js';
import { DEFAULT_PROBE_PLAN, TRAFFIC_THROUGH_VIP, type LabForwarding, type ProbePlan } from './scenarios/traffic-through-vip-options.js';
import { tailLines } from './uml-init-script.js';
import { runInUml } from './uml-runner.js';

export type LabDirectorCount = 1 | 2 | 3;

export interface LabOptions {
  readonly directors: LabDirectorCount;
  /** One of LAB_SCENARIOS. */
  readonly scenario: string;
  /** The whole UML run (boot, scenario, power-off). */
  readonly timeoutMs: number;
  /** Default 3. */
  readonly realServers?: number;
  /** IPVS scheduler, default rr. */
  readonly scheduler?: string;
  /** IPVS forwarding of the service (lvsd's `forwarding`), default dr. */
  readonly forwarding?: LabForwarding;
  readonly probe?: Partial<ProbePlan>;
  /** Start `lvsd run --config <generated> --foreground` in each director namespace. Default false. */
  readonly withDaemons?: boolean;
  /** Default <repo>/bin/lvsd.js. */
  readonly lvsdBin?: string;
  /** Guest memory, default 512. */
  readonly memoryMb?: number;
  readonly signal?: AbortSignal;
}

export interface LabDeps {
  readonly runner: CommandRunner;
  readonly logger: Logger;
  /** The host's PATH (to find linux.uml). */
  readonly pathEnv: string;
  /** Node binary used inside the guest (the host's, through hostfs). */
  readonly nodePath: string;
}

export interface LabReport {
  /** The scenario ran and judged itself ok. */
  readonly isOk: boolean;
  readonly scenario: string;
  /** Printable: verdict, timings, timeline, probe summary, IPVS counters, teardown. */
  readonly text: string;
  /** The scenario's result, as parsed from its JSON; undefined when it produced none. */
  readonly result: TrafficThroughVipResult | undefined;
  readonly uml: { readonly exitCode: number; readonly durationMs: number; readonly bootMs?: number; readonly jobMs?: number };
  /** The scenario process's stderr (JSON log lines). */
  readonly scenarioLog: string;
}

export interface LabScenarioInfo {
  readonly name: string;
  readonly description: string;
  /** Compiled entry point run inside UML. */
  readonly entry: string;
}

/** Repository root, from dist/src/lab/lab.js. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const LAB_SCENARIOS: readonly LabScenarioInfo[] = [
  {
    name: TRAFFIC_THROUGH_VIP,
    description: 'IPVS service on director-1 (dr, nat or tun; programmed by lvsd), client probes the VIP, every real server must answer',
    entry: fileURLToPath(new URL('./scenarios/traffic-through-vip-main.js', import.meta.url)),
  },
  {
    name: 'real-server-failure',
    description: 'as traffic-through-vip, with HTTP health checks: rs-1 stops under traffic, leaves IPVS, traffic goes on without errors, rs-1 returns',
    entry: fileURLToPath(new URL('./scenarios/traffic-through-vip-main.js', import.meta.url)),
  },
  {
    name: 'drain',
    description: 'as traffic-through-vip, then a real server holding a live TCP connection is removed from the config (SIGHUP): weight 0, the connection keeps flowing, new ones go elsewhere, deleted once it closes',
    entry: fileURLToPath(new URL('./scenarios/traffic-through-vip-main.js', import.meta.url)),
  },
  {
    name: 'quorum',
    description: 'as traffic-through-vip with 3 HTTP-checked real servers, quorum 2 and rs-4 as sorry server: rs-1 and rs-2 stop, the sorry server takes over and quorum_down runs; rs-1 returns, the sorry server leaves and quorum_up runs',
    entry: fileURLToPath(new URL('./scenarios/traffic-through-vip-main.js', import.meta.url)),
  },
];

/** Guest-side locations for daemon configs (the guest's /tmp and /run are private tmpfs). */
const GUEST_CONFIG_DIR = '/tmp/lvsd-lab';
const GUEST_RUN_DIR = '/run/lvsd';

export async function runLab(options: LabOptions, deps: LabDeps): Promise<LabReport> {
  const scenario = LAB_SCENARIOS.find((s) => s.name === options.scenario);
  if (scenario === undefined) {
    throw new LvsdError('ERR_INVALID_ARGUMENT', `unknown lab scenario "${options.scenario}" (known: ${LAB_SCENARIOS.map((s) => s.name).join(', ')})`);
  }
  if (![1, 2, 3].includes(options.directors)) throw new LvsdError('ERR_INVALID_ARGUMENT', 'directors must be 1, 2 or 3');
  const input = {
    directorCount: options.directors,
    realServerCount: options.realServers ?? (scenario.name === 'quorum' ? 4 : 3),
    scheduler: options.scheduler ?? 'rr',
    forwarding: options.forwarding ?? 'dr',
    probe: { ...DEFAULT_PROBE_PLAN, ...options.probe },
    ...(options.withDaemons === true
      ? { daemons: { lvsdBin: options.lvsdBin ?? `${REPO_ROOT}bin/lvsd.js`, configDir: GUEST_CONFIG_DIR, runDir: GUEST_RUN_DIR } }
      : {}),
    ...(scenario.name === 'real-server-failure' ? { isRealServerFailed: true } : {}),
    ...(scenario.name === 'drain' ? { isDrainObserved: true } : {}),
    ...(scenario.name === 'quorum' ? { isQuorumLost: true } : {}),
  };
  const run = await runInUml(
    {
      job: { kind: 'node', entry: scenario.entry },
      input,
      timeoutMs: options.timeoutMs,
      cwd: REPO_ROOT,
      ...(options.memoryMb === undefined ? {} : { memoryMb: options.memoryMb }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
    { ...deps, cwd: REPO_ROOT },
  );
  const result = asScenarioResult(run.result);
  const jobMs = run.jobStartUptimeMs === undefined || run.jobEndUptimeMs === undefined ? undefined : run.jobEndUptimeMs - run.jobStartUptimeMs;
  const uml = {
    exitCode: run.exitCode,
    durationMs: Math.round(run.durationMs),
    ...(run.jobStartUptimeMs === undefined ? {} : { bootMs: run.jobStartUptimeMs }),
    ...(jobMs === undefined ? {} : { jobMs }),
  };
  return {
    isOk: result?.isOk === true && run.exitCode === 0,
    scenario: scenario.name,
    text: formatLabReport({ scenario: scenario.name, result, uml, stderrTail: tailLines(run.stderr, 20) }),
    result,
    uml,
    scenarioLog: run.stderr,
  };
}

function asScenarioResult(value: unknown): TrafficThroughVipResult | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  return v['scenario'] === TRAFFIC_THROUGH_VIP && Array.isArray(v['timeline']) && typeof v['summary'] === 'object'
    ? (value as TrafficThroughVipResult)
    : undefined;
}

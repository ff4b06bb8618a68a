/**
 * Scenario "traffic-through-vip" (needs a kernel with IPVS: run it inside UML):
 *   1. check ip_vs is loaded;
 *   2. build the topology: N directors, M real servers (HTTP name servers, prepared for direct
 *      routing: VIP on lo, arp_ignore=1, arp_announce=2), a client;
 *   3. put the VIP on director-1;
 *   4. the IPVS service (one TCP service VIP:port, the chosen scheduler, every real server by direct
 *      routing, weight 1): with daemons, lvsd in each director namespace programs it from its
 *      generated config and `ipvsadm -Sn` (the oracle) must show exactly those rules; without
 *      daemons, ipvsadm -R creates it on director-1;
 *   5. probe the VIP from the client (bounded), read `ipvsadm -Ln --stats`;
 *   6. stop the daemons, tear everything down.
 * Returns a timeline and a probe summary; a failed step ends the run early with `error` set, after
 * teardown. Never throws for a lab failure.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep, type Clock } from '../../core/clock.js';
import type { CommandRunner } from '../../core/command-runner.js';
import { describeError, isLvsdError, LvsdError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import {
  countConnectionsByDestination,
  parseIpvsadmConnections,
  parseIpvsadmStats,
  totalConnections,
  type IpvsStatsService,
} from '../ipvsadm-stats.js';
import { formatLabDaemonConfig, labDaemonPaths } from '../lab-daemon-config.js';
import { describeExit, type LabProcess, type ProcessSpawner } from '../lab-process.js';
import { analyzeProbes, type ProbeSummary } from '../probe-analysis.js';
import { runProberIn } from '../prober-remote.js';
import type { ProbeRecord } from '../prober.js';
import { LAB_VIP, type LabNode } from '../topology-plan.js';
import { createTopology, type LabTopology, type TeardownReport } from '../topology.js';
import { parseProcModules } from '../uml-modules.js';
import { TRAFFIC_THROUGH_VIP, type LabDaemonOptions, type TrafficThroughVipOptions } from './traffic-through-vip-options.js';
import { notableDaemonLines } from '../daemon-log-notes.js';
import { LAB_HEALTH_CHECK, runRealServerFailure, type RealServerFailureOutcome } from './real-server-failure.js';

export interface TimelineEntry {
  /** Since the scenario started. */
  readonly atMs: number;
  readonly step: string;
  readonly detail: string;
}

export interface ScenarioNodeInfo {
  readonly name: string;
  readonly role: string;
  readonly namespace: string;
  readonly address: string;
}

export interface DaemonOutcome {
  readonly name: string;
  /** "exit code 0", "signal SIGKILL", "running" (did not stop in time). */
  readonly exit: string;
  readonly stderrTail: readonly string[];
  /** Its warnings, errors and health changes (notableDaemonLines). */
  readonly notes: readonly string[];
}

export interface TrafficThroughVipResult {
  readonly scenario: typeof TRAFFIC_THROUGH_VIP;
  /** No step failed, every probe succeeded, every real server answered, teardown left nothing. */
  readonly isOk: boolean;
  readonly timeline: readonly TimelineEntry[];
  readonly summary: ProbeSummary;
  readonly records: readonly ProbeRecord[];
  readonly expectedServers: readonly string[];
  readonly vip: string;
  readonly scheduler: string;
  readonly nodes: readonly ScenarioNodeInfo[];
  /** ip_vs* modules found in /proc/modules. */
  readonly ipvsModules: readonly string[];
  readonly ipvsServices: readonly IpvsStatsService[];
  readonly ipvsStatsText: string;
  /** From `ipvsadm -Lnc` right after probing: connection entries per real server. */
  readonly ipvsConnectionsByDestination: Readonly<Record<string, number>>;
  readonly daemons: readonly DaemonOutcome[];
  /** With isRealServerFailed: how rs-1's failure and return went. */
  readonly realServerFailure?: RealServerFailureOutcome;
  readonly teardown?: TeardownReport;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface TrafficThroughVipDeps {
  readonly runner: CommandRunner;
  readonly spawner: ProcessSpawner;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly nodePath: string;
}

const DAEMON_POLL_MS = 50;
/** Lines of each daemon's warnings and health changes kept for the report. */
const DAEMON_NOTES_LIMIT = 30;
/** IPVS refreshes the counters `--stats` shows from a 2 s estimator timer: poll, bounded. */
const STATS_POLL_MS = 250;
const STATS_POLL_ATTEMPTS = 16;

export async function runTrafficThroughVip(options: TrafficThroughVipOptions, deps: TrafficThroughVipDeps): Promise<TrafficThroughVipResult> {
  const startedMs = deps.clock.now();
  const log = deps.logger.child({ component: 'scenario', scenario: TRAFFIC_THROUGH_VIP });
  const timeline: TimelineEntry[] = [];
  const step = (name: string, detail: string): void => {
    timeline.push({ atMs: Math.round(deps.clock.now() - startedMs), step: name, detail });
    log.info('scenario step', { step: name, detail });
  };
  const state: {
    topology?: LabTopology;
    records: readonly ProbeRecord[];
    ipvsModules: string[];
    ipvsServices: IpvsStatsService[];
    ipvsStatsText: string;
    ipvsConnectionsByDestination: Record<string, number>;
    daemons: LabProcess[];
    daemonOutcomes: DaemonOutcome[];
    realServerFailure?: RealServerFailureOutcome;
  } = { records: [], ipvsModules: [], ipvsServices: [], ipvsStatsText: '', ipvsConnectionsByDestination: {}, daemons: [], daemonOutcomes: [] };
  let error: { code: string; message: string } | undefined;
  let teardown: TeardownReport | undefined;
  try {
    state.ipvsModules = parseProcModules(await readFile('/proc/modules', 'utf8')).filter((m) => m.startsWith('ip_vs'));
    if (!state.ipvsModules.includes('ip_vs')) {
      throw new LvsdError('ERR_LAB', 'ip_vs is not loaded: this scenario needs IPVS (run it inside UML with the lab modules)');
    }
    step('ipvs-loaded', state.ipvsModules.join(' '));
    const topology = await createTopology(
      {
        directorCount: options.directorCount,
        realServerCount: options.realServerCount,
        directRoutingVip: LAB_VIP,
        httpPort: options.port,
        readyTimeoutMs: options.readyTimeoutMs,
        onStep: step,
        ...(options.runId === undefined ? {} : { runId: options.runId }),
      },
      deps,
    );
    state.topology = topology;
    const director = topology.node('director-1');
    await topology.ipBatch(director.namespace, [`address add ${LAB_VIP.text}/32 dev eth0`]);
    step('vip-added', `${LAB_VIP.text}/32 on ${director.name} eth0`);
    const expectedRules = ipvsadmRestoreInput(options, topology.realServers);
    const what = `TCP ${LAB_VIP.text}:${options.port} ${options.scheduler}, ${topology.realServers.length} real servers (direct routing)`;
    if (options.daemons === undefined) {
      await topology.execChecked(director.namespace, 'ipvsadm', ['-R'], { input: expectedRules });
      step('ipvs-service-created', `${what} on ${director.name}, by ipvsadm -R`);
    } else {
      state.daemons = await startDaemons(topology, options.daemons, deps, labIpvsConfig(options, topology.realServers, options.isRealServerFailed === true));
      step('daemons-started', state.daemons.map((d) => d.name).join(', '));
      for (const [i, d] of topology.directors.entries()) await expectIpvsRules(topology, d, expectedRules, state.daemons[i]);
      step('ipvs-service-created', `${what} on ${topology.directors.map((d) => d.name).join(', ')}, by lvsd (ipvsadm -Sn matches)`);
    }
    const client = topology.client;
    if (client === undefined) throw new LvsdError('ERR_LAB', 'the topology has no client');
    step('probe-started', `${options.probe.count} GET http://${LAB_VIP.text}:${options.port}/ from ${client.name}, every ${options.probe.intervalMs} ms`);
    const run = await runProberIn(topology, client.namespace, { url: `http://${LAB_VIP.text}:${options.port}/`, ...options.probe }, deps.nodePath);
    state.records = run.records;
    step('probe-finished', `${run.summary.okCount}/${run.summary.total} ok, by server ${JSON.stringify(run.summary.byServer)}, stopped by ${run.stoppedBy}`);
    const connections = await topology.execChecked(director.namespace, 'ipvsadm', ['-Lnc']);
    state.ipvsConnectionsByDestination = countConnectionsByDestination(parseIpvsadmConnections(connections.stdout));
    step('ipvs-connections', JSON.stringify(state.ipvsConnectionsByDestination));
    const expectedConns = run.summary.okCount;
    for (let attempt = 1; attempt <= STATS_POLL_ATTEMPTS; attempt++) {
      const stats = await topology.execChecked(director.namespace, 'ipvsadm', ['-Ln', '--stats', '--exact']);
      state.ipvsStatsText = stats.stdout;
      state.ipvsServices = parseIpvsadmStats(stats.stdout);
      if (totalConnections(state.ipvsServices) >= expectedConns || attempt === STATS_POLL_ATTEMPTS) break;
      await sleep(deps.clock, STATS_POLL_MS);
    }
    step('ipvs-stats', state.ipvsServices.map((s) => `${s.protocol} ${s.address} conns=${s.conns}`).join('; '));
    if (options.isRealServerFailed === true) {
      state.realServerFailure = await runRealServerFailure(topology, { port: options.port, probe: options.probe, url: `http://${LAB_VIP.text}:${options.port}/` }, deps, step);
    }
  } catch (e) {
    error = { code: isLvsdError(e) ? e.code : 'ERR_LAB', message: describeError(e) };
    step('failed', error.message);
  } finally {
    if (state.daemons.length > 0 && options.daemons !== undefined) {
      state.daemonOutcomes = await stopDaemons(state.daemons, options.daemons.stopTimeoutMs);
      step('daemons-stopped', state.daemonOutcomes.map((d) => `${d.name}: ${d.exit}`).join(', '));
    }
    if (state.topology !== undefined) teardown = await state.topology.teardown();
  }
  const summary = analyzeProbes(state.records);
  const expectedServers = state.topology?.realServers.map((n) => n.name) ?? [];
  const isOk =
    error === undefined &&
    summary.total > 0 &&
    summary.okCount === summary.total &&
    expectedServers.every((name) => (summary.byServer[name] ?? 0) > 0) &&
    (teardown?.remainingNamespaces.length ?? 0) === 0 &&
    state.daemonOutcomes.every((d) => d.exit === 'exit code 0') &&
    (options.isRealServerFailed !== true || isFailureHandled(state.realServerFailure));
  return {
    scenario: TRAFFIC_THROUGH_VIP,
    isOk,
    timeline,
    summary,
    records: state.records,
    expectedServers,
    vip: LAB_VIP.text,
    scheduler: options.scheduler,
    nodes: (state.topology?.nodes ?? []).map((n) => ({ name: n.name, role: n.role, namespace: n.namespace, address: n.address.text })),
    ipvsModules: state.ipvsModules,
    ipvsServices: state.ipvsServices,
    ipvsStatsText: state.ipvsStatsText,
    ipvsConnectionsByDestination: state.ipvsConnectionsByDestination,
    daemons: state.daemonOutcomes,
    ...(state.realServerFailure === undefined ? {} : { realServerFailure: state.realServerFailure }),
    ...(teardown === undefined ? {} : { teardown }),
    ...(error === undefined ? {} : { error }),
  };
}

/** Input for `ipvsadm -R`: one service, every real server by direct routing (-g), weight 1. */
export function ipvsadmRestoreInput(options: Pick<TrafficThroughVipOptions, 'port' | 'scheduler'>, realServers: readonly LabNode[]): string {
  const service = `${LAB_VIP.text}:${options.port}`;
  return [
    `-A -t ${service} -s ${options.scheduler}`,
    ...realServers.map((rs) => `-a -t ${service} -r ${rs.address.text}:${options.port} -g -w 1`),
    '',
  ].join('\n');
}

/** While rs-1 was out every probe succeeded without it; after its return it answered again. */
export function isFailureHandled(f: RealServerFailureOutcome | undefined): boolean {
  if (f === undefined) return false;
  const isClean = (s: { okCount: number; total: number }): boolean => s.total > 0 && s.okCount === s.total;
  return isClean(f.whileDown) && f.whileDown.byServer['rs-1'] === undefined && isClean(f.afterReturn) && (f.afterReturn.byServer['rs-1'] ?? 0) > 0;
}

/** The `ipvs` section every director's lvsd gets: the same service ipvsadmRestoreInput describes. */
export function labIpvsConfig(options: Pick<TrafficThroughVipOptions, 'port' | 'scheduler'>, realServers: readonly LabNode[], isHealthChecked = false): Record<string, unknown> {
  return {
    ipvs: {
      virtualServers: [
        {
          address: LAB_VIP.text,
          port: options.port,
          scheduler: options.scheduler,
          forwarding: 'dr',
          realServers: realServers.map((rs) => ({ address: rs.address.text, port: options.port, weight: 1, ...(isHealthChecked ? { healthChecks: [LAB_HEALTH_CHECK] } : {}) })),
        },
      ],
    },
  };
}

/** The oracle: `ipvsadm -Sn` in the director's namespace must list exactly the expected rules. */
async function expectIpvsRules(topology: LabTopology, director: LabNode, expectedRules: string, daemon?: LabProcess): Promise<void> {
  const saved = await topology.execChecked(director.namespace, 'ipvsadm', ['-Sn']);
  const lines = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter((l) => l !== '').sort();
  const want = lines(expectedRules);
  const have = lines(saved.stdout);
  if (want.join('\n') !== have.join('\n')) {
    // The daemon's own account (health changes, IPVS rounds) says why, so a failure is diagnosable.
    const why = notableDaemonLines(daemon?.lines('stderr') ?? [], 12);
    throw new LvsdError(
      'ERR_LAB',
      `IPVS on ${director.name} is not what lvsd was configured with: ipvsadm -Sn shows [${have.join(' | ')}], expected [${want.join(' | ')}]` +
        (why.length === 0 ? '' : `; lvsd ${director.name} logged:\n${why.join('\n')}`),
    );
  }
}

async function startDaemons(topology: LabTopology, options: LabDaemonOptions, deps: TrafficThroughVipDeps, extra: Record<string, unknown>): Promise<LabProcess[]> {
  await mkdir(options.configDir, { recursive: true });
  await mkdir(options.runDir, { recursive: true });
  const started: LabProcess[] = [];
  for (const director of topology.directors) {
    const file = join(options.configDir, `${director.name}.yaml`);
    await writeFile(file, formatLabDaemonConfig({ routerId: director.name, runDir: options.runDir, logLevel: options.logLevel, extra }));
    started.push(
      await topology.spawn(director.namespace, {
        name: `lvsd ${director.name}`,
        file: deps.nodePath,
        args: [options.lvsdBin, 'run', '--config', file, '--foreground'],
      }),
    );
  }
  await Promise.all(
    topology.directors.map((d, i) => waitForSocket(started[i], labDaemonPaths({ routerId: d.name, runDir: options.runDir }).controlSocket, options.readyTimeoutMs, deps.clock)),
  );
  return started;
}

/** Polls (bounded in time and count) until the daemon's control socket exists. */
async function waitForSocket(daemon: LabProcess | undefined, path: string, timeoutMs: number, clock: Clock): Promise<void> {
  if (daemon === undefined) return;
  const attempts = Math.max(1, Math.ceil(timeoutMs / DAEMON_POLL_MS));
  const deadline = clock.now() + timeoutMs;
  for (let i = 0; i < attempts && clock.now() <= deadline; i++) {
    if (!daemon.isRunning()) {
      throw new LvsdError('ERR_LAB', `${daemon.name} exited (${describeExit(await daemon.exited)}): ${daemon.lines('stderr').slice(-5).join(' | ')}`);
    }
    if (await isSocket(path)) return;
    await sleep(clock, DAEMON_POLL_MS);
  }
  throw new LvsdError('ERR_LAB', `${daemon.name}: control socket ${path} did not appear within ${timeoutMs} ms`);
}

async function isSocket(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isSocket();
  } catch {
    return false;
  }
}

async function stopDaemons(daemons: readonly LabProcess[], stopTimeoutMs: number): Promise<DaemonOutcome[]> {
  return Promise.all(
    daemons.map(async (d) => ({ name: d.name, exit: describeExit(await d.stop(stopTimeoutMs)), stderrTail: d.lines('stderr').slice(-10), notes: notableDaemonLines(d.lines('stderr'), DAEMON_NOTES_LIMIT) })),
  );
}

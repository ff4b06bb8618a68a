/**
 * Scenario "traffic-through-vip" (needs a kernel with IPVS: run it inside UML):
 *   1. check ip_vs is loaded;
 *   2. build the topology: N directors, M real servers (HTTP name servers), a client, prepared for
 *      the forwarding method: dr (VIP on the real servers' lo, arp_ignore=1, arp_announce=2), nat (the
 *      client on its own subnet, director-1 the gateway of both, see topology-plan.ts), tun (each
 *      real server set up by `lvsd realserver setup --method tun`);
 *   3. put the VIP on director-1;
 *   4. the IPVS service (one TCP service VIP:port, the chosen scheduler, every real server by the
 *      chosen method, weight 1): with daemons, lvsd in each director namespace programs it from its
 *      generated config and `ipvsadm -Sn` (the oracle) must show exactly those rules; without
 *      daemons, ipvsadm -R creates it on director-1;
 *   5. probe the VIP from the client (bounded), read `ipvsadm -Lnc` and `ipvsadm -Ln --stats`, and
 *      with tun each real server's tunl0 counters;
 *   6. optional phases: a real server's failure (real-server-failure.ts), a drain with a live
 *      connection (drain-live-connection.ts);
 *   7. stop the daemons, tear everything down.
 * Returns a timeline and a probe summary; a failed step ends the run early with `error` set, after
 * teardown. Never throws for a lab failure.
 */
import { readFile } from 'node:fs/promises';
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
import type { LabProcess, ProcessSpawner } from '../lab-process.js';
import { analyzeProbes, type ProbeSummary } from '../probe-analysis.js';
import { runProberIn } from '../prober-remote.js';
import type { ProbeRecord } from '../prober.js';
import { areWeightsSteady, isRampObserved, weightsOf } from '../slowstart-ramp.js';
import { LAB_VIP, type LabNode } from '../topology-plan.js';
import { createTopology, type LabTopology, type TeardownReport } from '../topology.js';
import { parseProcModules } from '../uml-modules.js';
import { TRAFFIC_THROUGH_VIP, type LabForwarding, type TrafficThroughVipOptions } from './traffic-through-vip-options.js';
import { notableDaemonLines } from '../daemon-log-notes.js';
import { runRealServerFailure, type RealServerFailureOutcome } from './real-server-failure.js';
import { startDaemons, stopDaemons, type DaemonOutcome } from './lab-daemons.js';
import { ipvsadmRestoreInput, labIpvsConfig, labRealServerWeight, type LabIpvsSpec } from './lab-ipvs-config.js';
import { isDrainHandled, runDrainPhase, type DrainOutcome } from './drain-live-connection.js';
import { isQuorumHandled, runQuorumPhase, type QuorumPhaseOutcome } from './quorum-sorry-server.js';
import { DEFAULT_LVSD_BIN, readTunl0RxPackets, setupTunnelRealServers } from './tunnel-real-servers.js';

export type { DaemonOutcome } from './lab-daemons.js';

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
  readonly forwarding: LabForwarding;
  readonly nodes: readonly ScenarioNodeInfo[];
  /** ip_vs* modules found in /proc/modules. */
  readonly ipvsModules: readonly string[];
  readonly ipvsServices: readonly IpvsStatsService[];
  readonly ipvsStatsText: string;
  /** From `ipvsadm -Lnc` right after probing: connection entries per real server. */
  readonly ipvsConnectionsByDestination: Readonly<Record<string, number>>;
  /** With tun: packets each real server's tunl0 received by the end of the probes. */
  readonly tunl0RxPackets?: Readonly<Record<string, number>>;
  readonly daemons: readonly DaemonOutcome[];
  /** With isRealServerFailed: how rs-1's failure and return went. */
  readonly realServerFailure?: RealServerFailureOutcome;
  /** With isDrainObserved: how the drain of the real server holding a live connection went. */
  readonly drain?: DrainOutcome;
  /** With isQuorumLost: how the sorry server took over and left again. */
  readonly quorum?: QuorumPhaseOutcome;
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
    tunl0RxPackets?: Record<string, number>;
    realServerFailure?: RealServerFailureOutcome;
    drain?: DrainOutcome;
    quorum?: QuorumPhaseOutcome;
    /** With isQuorumLost: the last real-server node, the sorry server (not a real server of the service). */
    sorry?: LabNode | undefined;
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
        ...(options.forwarding === 'dr' ? { directRoutingVip: LAB_VIP } : {}),
        ...(options.forwarding === 'nat' ? { isNatRouted: true } : {}),
        httpPort: options.port,
        readyTimeoutMs: options.readyTimeoutMs,
        onStep: step,
        ...(options.runId === undefined ? {} : { runId: options.runId }),
      },
      deps,
    );
    state.topology = topology;
    if (options.forwarding === 'tun') {
      await setupTunnelRealServers(topology, options.daemons?.lvsdBin ?? DEFAULT_LVSD_BIN, deps.nodePath);
      step('real-servers-prepared', `lvsd realserver setup --vip ${LAB_VIP.text} --method tun on ${topology.realServers.map((n) => n.name).join(', ')}`);
    }
    const director = topology.node('director-1');
    await topology.ipBatch(director.namespace, [`address add ${LAB_VIP.text}/32 dev eth0`]);
    step('vip-added', `${LAB_VIP.text}/32 on ${director.name} eth0`);
    state.sorry = options.isQuorumLost === true ? topology.realServers.at(-1) : undefined;
    const serving = topology.realServers.filter((n) => n !== state.sorry);
    const scriptLog = `${options.daemons?.configDir ?? '/tmp'}/quorum-scripts.log`;
    const spec: LabIpvsSpec = {
      port: options.port,
      scheduler: options.scheduler,
      forwarding: options.forwarding,
      isHealthChecked: options.isRealServerFailed === true || state.sorry !== undefined,
      ...(options.isRealServerFailed === true ? { isSlowStarted: true } : {}),
      ...(options.isDrainObserved === true ? { streamRealServers: topology.realServers } : {}),
      ...(state.sorry === undefined ? {} : { quorum: { sorry: state.sorry, scriptLog } }),
    };
    const expectedRules = ipvsadmRestoreInput(spec, serving);
    const what = `TCP ${LAB_VIP.text}:${options.port} ${options.scheduler}, ${serving.length} real servers (${FORWARDING_NAMES[options.forwarding]})${state.sorry === undefined ? '' : `, sorry server ${state.sorry.name}`}`;
    if (options.daemons === undefined) {
      await topology.execChecked(director.namespace, 'ipvsadm', ['-R'], { input: expectedRules });
      step('ipvs-service-created', `${what} on ${director.name}, by ipvsadm -R`);
    } else {
      state.daemons = await startDaemons(topology, options.daemons, deps, labIpvsConfig(spec, serving));
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
    step('ipvs-stats', state.ipvsServices.map((s) => `${s.protocol} ${s.address} conns=${s.conns} outPkts=${s.outPkts}`).join('; '));
    if (options.forwarding === 'tun') {
      state.tunl0RxPackets = await readTunl0RxPackets(topology);
      step('tunl0-counters', JSON.stringify(state.tunl0RxPackets));
    }
    if (options.isRealServerFailed === true) {
      const failure = { port: options.port, probe: options.probe, url: `http://${LAB_VIP.text}:${options.port}/`, fullWeight: labRealServerWeight(spec) };
      state.realServerFailure = await runRealServerFailure(topology, failure, deps, step);
    }
    if (options.isDrainObserved === true && options.daemons !== undefined) {
      state.drain = await runDrainPhase(topology, { spec, daemons: state.daemons, daemonOptions: options.daemons }, deps, step);
    }
    if (state.sorry !== undefined) {
      state.quorum = await runQuorumPhase(topology, { port: options.port, probe: options.probe, url: `http://${LAB_VIP.text}:${options.port}/`, scriptLog, sorry: state.sorry }, deps, step);
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
  const serving = state.topology?.realServers.filter((n) => n !== state.sorry) ?? [];
  const expectedServers = serving.map((n) => n.name);
  const destinationOf = (n: LabNode): string => `${n.address.text}:${options.port}`;
  const rs1 = serving.filter((n) => n.name === 'rs-1').map(destinationOf);
  const othersThanRs1 = serving.filter((n) => n.name !== 'rs-1').map(destinationOf);
  const isOk =
    error === undefined &&
    summary.total > 0 &&
    summary.okCount === summary.total &&
    expectedServers.every((name) => (summary.byServer[name] ?? 0) > 0) &&
    (teardown?.remainingNamespaces.length ?? 0) === 0 &&
    state.daemonOutcomes.every((d) => d.exit === 'exit code 0') &&
    (options.isRealServerFailed !== true || isFailureHandled(state.realServerFailure, rs1[0] ?? 'rs-1', othersThanRs1)) &&
    (options.isDrainObserved !== true || isDrainHandled(state.drain)) &&
    (options.isQuorumLost !== true || isQuorumHandled(state.quorum, options.directorCount));
  return {
    scenario: TRAFFIC_THROUGH_VIP,
    isOk,
    timeline,
    summary,
    records: state.records,
    expectedServers,
    vip: LAB_VIP.text,
    scheduler: options.scheduler,
    forwarding: options.forwarding,
    nodes: (state.topology?.nodes ?? []).map((n) => ({ name: n.name, role: n.role, namespace: n.namespace, address: n.address.text })),
    ipvsModules: state.ipvsModules,
    ipvsServices: state.ipvsServices,
    ipvsStatsText: state.ipvsStatsText,
    ipvsConnectionsByDestination: state.ipvsConnectionsByDestination,
    ...(state.tunl0RxPackets === undefined ? {} : { tunl0RxPackets: state.tunl0RxPackets }),
    daemons: state.daemonOutcomes,
    ...(state.realServerFailure === undefined ? {} : { realServerFailure: state.realServerFailure }),
    ...(state.drain === undefined ? {} : { drain: state.drain }),
    ...(state.quorum === undefined ? {} : { quorum: state.quorum }),
    ...(teardown === undefined ? {} : { teardown }),
    ...(error === undefined ? {} : { error }),
  };
}

/**
 * While rs-1 was out every probe succeeded without it; after its return its weight ramped to the full
 * weight while the others kept theirs, and it answered again.
 */
export function isFailureHandled(f: RealServerFailureOutcome | undefined, rs1: string, others: readonly string[]): boolean {
  if (f === undefined) return false;
  const isClean = (s: { okCount: number; total: number }): boolean => s.total > 0 && s.okCount === s.total;
  const isRamped = isRampObserved(weightsOf(f.weightSamples, rs1), f.fullWeight) && areWeightsSteady(f.weightSamples, others, f.fullWeight);
  return isClean(f.whileDown) && f.whileDown.byServer['rs-1'] === undefined && isRamped && isClean(f.afterReturn) && (f.afterReturn.byServer['rs-1'] ?? 0) > 0;
}

const FORWARDING_NAMES: Readonly<Record<LabForwarding, string>> = { dr: 'direct routing', nat: 'masquerading', tun: 'ipip tunnelling' };

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

/**
 * Lab scenario "realserver" (needs IPVS: run it inside UML, one boot, this one process):
 *   1. topology: one director, three real servers (HTTP name servers on 0.0.0.0:80), a client;
 *      nothing is prepared on the real servers (no directRoutingVip);
 *   2. control: rs-2 holds the DR VIP on lo with the kernel's default ARP sysctls, and the client's
 *      arping sees rs-2 answer: the ARP check below can see a real server that answers;
 *   3. both VIPs on the director; rs-3's all.rp_filter set to 1 (strict), as many distributions ship;
 *   4. `lvsd realserver setup`: rs-1 and rs-2 for DR (192.0.2.50), rs-3 for TUN (192.0.2.51, which
 *      loads ipip: the UML run does not preload it); then rs-1 again (must change nothing);
 *   5. IPVS on the director with ipvsadm -R: 192.0.2.50:80 -> rs-1, rs-2 (-g); 192.0.2.51:80 -> rs-3 (-i);
 *   6. tcpdump on the client, probes to both VIPs, arping both VIPs, the client's neighbour table;
 *   7. `--undo` on every real server (rs-1 and rs-2 repeating the setup command), then rs-1 again;
 *   8. teardown.
 * Observations only: the integration test asserts. A failed step ends the run with `error` set.
 */
import { fileURLToPath } from 'node:url';
import type { Clock } from '../core/clock.js';
import type { CommandRunner } from '../core/command-runner.js';
import { describeError, isLvsdError, LvsdError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ProcessSpawner } from '../lab/lab-process.js';
import { runProberIn } from '../lab/prober-remote.js';
import { labAddress, LAB_VIP, type LabNode } from '../lab/topology-plan.js';
import { createTopology, type LabTopology, type TeardownReport } from '../lab/topology.js';
import {
  parseArpingReplies,
  parseGrepSysctls,
  parseIpJsonLinks,
  parseIpJsonNeighbours,
  parseIpJsonRxPackets,
  parseTcpdumpFrames,
  type NeighbourEntry,
} from './realserver-lab-checks.js';

export const DR_VIP = LAB_VIP;
export const TUN_VIP = labAddress(51);
const PORT = 80;
const LVSD_TIMEOUT_MS = 60_000;
const ARPING_ARGS = ['-c', '2', '-w', '3', '-I', 'eth0'];
const SYSCTL_FILES = ['all/arp_ignore', 'all/arp_announce', 'eth0/arp_ignore', 'eth0/arp_announce', 'all/rp_filter', 'default/rp_filter', 'tunl0/rp_filter'].map(
  (s) => `/proc/sys/net/ipv4/conf/${s}`,
);

export const DEFAULT_LVSD_BIN = fileURLToPath(new URL('../../../bin/lvsd.js', import.meta.url));

export interface RealServerLabOptions {
  readonly probeCount: number;
  readonly lvsdBin: string;
  readonly runId?: string;
}

export interface RealServerLabDeps {
  readonly runner: CommandRunner;
  readonly spawner: ProcessSpawner;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly nodePath: string;
}

export interface CommandOutcome {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A real server as seen from inside its namespace. */
export interface RealServerView {
  /** net.ipv4.conf.*.{arp_ignore,arp_announce,rp_filter}; tunl0's only once it exists. */
  readonly sysctls: Readonly<Record<string, string>>;
  readonly links: Readonly<Record<string, { readonly isUp: boolean; readonly addresses: readonly string[] }>>;
  /** Files left in its --state-dir. */
  readonly stateFile: string | undefined;
}

export interface ProbeView {
  readonly total: number;
  readonly okCount: number;
  readonly byServer: Readonly<Record<string, number>>;
}

export interface RealServerLabResult {
  readonly timeline: readonly { readonly atMs: number; readonly step: string; readonly detail: string }[];
  readonly macs: Record<string, string>;
  /** MACs answering arping for the DR VIP while rs-2 held it unprepared. */
  readonly controlArpMacs: readonly string[];
  readonly before: Record<string, RealServerView>;
  readonly setup: Record<string, CommandOutcome>;
  readonly afterSetup: Record<string, RealServerView>;
  readonly rerun?: CommandOutcome;
  readonly isStateUnchangedByRerun?: boolean;
  readonly probes: Record<'dr' | 'tun', ProbeView>;
  /** Source MACs of the packets from VIP:80 that reached the client, per VIP, with counts. */
  readonly replyMacs: Record<'dr' | 'tun', Record<string, number>>;
  readonly arpMacs: Record<'dr' | 'tun', readonly string[]>;
  /** Packets rs-3's tunl0 received (decapsulated IP-in-IP) by the end of the probes. */
  readonly tunl0RxPackets?: number | undefined;
  readonly clientNeighbours: readonly NeighbourEntry[];
  readonly undo: Record<string, CommandOutcome>;
  readonly afterUndo: Record<string, RealServerView>;
  readonly undoAgain?: CommandOutcome;
  readonly teardown?: TeardownReport;
  readonly error?: { readonly code: string; readonly message: string };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export async function runRealServerLab(options: RealServerLabOptions, deps: RealServerLabDeps): Promise<RealServerLabResult> {
  const started = deps.clock.now();
  const r: Mutable<RealServerLabResult> = {
    timeline: [],
    macs: {},
    controlArpMacs: [],
    before: {},
    setup: {},
    afterSetup: {},
    probes: { dr: { total: 0, okCount: 0, byServer: {} }, tun: { total: 0, okCount: 0, byServer: {} } },
    replyMacs: { dr: {}, tun: {} },
    arpMacs: { dr: [], tun: [] },
    clientNeighbours: [],
    undo: {},
    afterUndo: {},
  };
  const timeline: { atMs: number; step: string; detail: string }[] = [];
  r.timeline = timeline;
  const log = deps.logger.child({ component: 'realserver-lab' });
  const step = (name: string, detail: string): void => {
    timeline.push({ atMs: Math.round(deps.clock.now() - started), step: name, detail });
    log.info('scenario step', { step: name, detail });
  };
  let topology: LabTopology | undefined;
  try {
    topology = await createTopology({ directorCount: 1, realServerCount: 3, httpPort: PORT, onStep: step, ...(options.runId === undefined ? {} : { runId: options.runId }) }, deps);
    await scenario(topology, options, deps, r, step);
  } catch (e) {
    r.error = { code: isLvsdError(e) ? e.code : 'ERR_LAB', message: describeError(e) };
    step('failed', r.error.message);
  } finally {
    if (topology !== undefined) r.teardown = await topology.teardown();
  }
  return r;
}

async function scenario(t: LabTopology, options: RealServerLabOptions, deps: RealServerLabDeps, r: Mutable<RealServerLabResult>, step: (s: string, d: string) => void): Promise<void> {
  const director = t.node('director-1');
  const client = t.client;
  if (client === undefined) throw new LvsdError('ERR_LAB', 'the topology has no client');
  const [rs1, rs2, rs3] = [t.node('rs-1'), t.node('rs-2'), t.node('rs-3')];
  const stateDir = (n: LabNode): string => `/run/lvsd-lab-${n.name}`;
  const lvsd = async (n: LabNode, args: readonly string[]): Promise<CommandOutcome> => {
    const out = await t.exec(n.namespace, deps.nodePath, [options.lvsdBin, 'realserver', 'setup', ...args, '--state-dir', stateDir(n)], { timeoutMs: LVSD_TIMEOUT_MS });
    return { exitCode: out.exitCode, stdout: out.stdout, stderr: out.stderr };
  };
  const view = async (n: LabNode): Promise<RealServerView> => {
    const sysctls = await t.exec(n.namespace, 'grep', ['-H', '.', ...SYSCTL_FILES]);
    const links = parseIpJsonLinks((await t.execChecked(n.namespace, 'ip', ['-j', 'address', 'show'])).stdout);
    const state = await t.exec(n.namespace, 'cat', [`${stateDir(n)}/state.json`]);
    return {
      sysctls: parseGrepSysctls(sysctls.stdout),
      links: Object.fromEntries(links.map((l) => [l.name, { isUp: l.isUp, addresses: l.addresses }])),
      stateFile: state.exitCode === 0 ? state.stdout : undefined,
    };
  };
  const arpingMacs = async (vip: string): Promise<string[]> =>
    parseArpingReplies((await t.exec(client.namespace, 'arping', [...ARPING_ARGS, vip], { timeoutMs: 10_000 })).stdout).map((a) => a.mac);

  for (const n of t.nodes) r.macs[n.name] = parseIpJsonLinks((await t.execChecked(n.namespace, 'ip', ['-j', 'link', 'show', 'dev', 'eth0'])).stdout)[0]?.mac ?? '';
  step('macs', JSON.stringify(r.macs));

  await t.ipBatch(rs2.namespace, [`address add ${DR_VIP.text}/32 dev lo`]);
  r.controlArpMacs = await arpingMacs(DR_VIP.text);
  await t.ipBatch(rs2.namespace, [`address del ${DR_VIP.text}/32 dev lo`]);
  step('control-arp', `rs-2 unprepared with the VIP on lo: arping answered by ${r.controlArpMacs.join(' ') || 'nobody'}`);

  await t.ipBatch(director.namespace, [`address add ${DR_VIP.text}/32 dev eth0`, `address add ${TUN_VIP.text}/32 dev eth0`]);
  await t.execChecked(rs3.namespace, 'sysctl', ['-q', '-w', 'net.ipv4.conf.all.rp_filter=1']);
  for (const n of [rs1, rs2, rs3]) r.before[n.name] = await view(n);
  step('vips-on-director', `${DR_VIP.text} and ${TUN_VIP.text} on ${director.name} eth0; rs-3 all.rp_filter=1`);

  const setups = await Promise.all([
    lvsd(rs1, ['--vip', DR_VIP.text, '--method', 'dr', '--interface', 'eth0']),
    lvsd(rs2, ['--vip', DR_VIP.text, '--method', 'dr', '--interface', 'eth0']),
    lvsd(rs3, ['--vip', TUN_VIP.text, '--method', 'tun', '--interface', 'eth0']),
  ]);
  [rs1, rs2, rs3].forEach((n, i) => (r.setup[n.name] = setups[i] ?? { exitCode: null, stdout: '', stderr: '' }));
  step('setup', [rs1, rs2, rs3].map((n) => `${n.name}: exit ${r.setup[n.name]?.exitCode ?? '?'}`).join(', '));
  for (const n of [rs1, rs2, rs3]) r.afterSetup[n.name] = await view(n);
  r.rerun = await lvsd(rs1, ['--vip', DR_VIP.text, '--method', 'dr', '--interface', 'eth0']);
  r.isStateUnchangedByRerun = (await view(rs1)).stateFile === r.afterSetup['rs-1']?.stateFile;
  step('setup-again', `rs-1: exit ${r.rerun.exitCode ?? '?'}: ${r.rerun.stdout.split('\n')[0] ?? ''}`);

  const rules = [
    `-A -t ${DR_VIP.text}:${PORT} -s rr`,
    ...[rs1, rs2].map((n) => `-a -t ${DR_VIP.text}:${PORT} -r ${n.address.text}:${PORT} -g -w 1`),
    `-A -t ${TUN_VIP.text}:${PORT} -s rr`,
    `-a -t ${TUN_VIP.text}:${PORT} -r ${rs3.address.text}:${PORT} -i -w 1`,
    '',
  ].join('\n');
  await t.execChecked(director.namespace, 'ipvsadm', ['-R'], { input: rules });
  step('ipvs', `${DR_VIP.text}:${PORT} -> rs-1, rs-2 (dr); ${TUN_VIP.text}:${PORT} -> rs-3 (tun)`);

  const tcpdump = await t.spawn(client.namespace, { name: 'client tcpdump', file: 'tcpdump', args: ['-l', '-n', '-e', '-i', 'eth0', '-c', '5000', 'tcp and src port 80'] });
  await tcpdump.waitForLine((l) => l.includes('listening on'), { stream: 'stderr', timeoutMs: 20_000 });
  const probe = { count: options.probeCount, intervalMs: 50, timeoutMs: 2000, maxDurationMs: 30_000 };
  const [dr, tun] = await Promise.all([
    runProberIn(t, client.namespace, { url: `http://${DR_VIP.text}:${PORT}/`, ...probe }, deps.nodePath),
    runProberIn(t, client.namespace, { url: `http://${TUN_VIP.text}:${PORT}/`, ...probe }, deps.nodePath),
  ]);
  r.probes = { dr: probeView(dr.summary), tun: probeView(tun.summary) };
  await tcpdump.stop(2000);
  const frames = parseTcpdumpFrames(tcpdump.lines('stdout').join('\n'));
  for (const [key, vip] of [['dr', DR_VIP.text], ['tun', TUN_VIP.text]] as const) {
    const counts: Record<string, number> = {};
    for (const f of frames.filter((x) => x.source === vip)) counts[f.sourceMac] = (counts[f.sourceMac] ?? 0) + 1;
    r.replyMacs[key] = counts;
  }
  step('probed', `dr ${dr.summary.okCount}/${dr.summary.total} ${JSON.stringify(dr.summary.byServer)}, tun ${tun.summary.okCount}/${tun.summary.total} ${JSON.stringify(tun.summary.byServer)}; replies from ${JSON.stringify(r.replyMacs)}`);

  r.tunl0RxPackets = parseIpJsonRxPackets((await t.execChecked(rs3.namespace, 'ip', ['-s', '-j', 'link', 'show', 'dev', 'tunl0'])).stdout);
  r.clientNeighbours = parseIpJsonNeighbours((await t.execChecked(client.namespace, 'ip', ['-j', 'neigh', 'show', 'dev', 'eth0'])).stdout);
  r.arpMacs = { dr: await arpingMacs(DR_VIP.text), tun: await arpingMacs(TUN_VIP.text) };
  step('arp', `arping ${DR_VIP.text}: ${r.arpMacs.dr.join(' ')}; ${TUN_VIP.text}: ${r.arpMacs.tun.join(' ')}`);

  const undos = await Promise.all([
    lvsd(rs1, ['--vip', DR_VIP.text, '--method', 'dr', '--interface', 'eth0', '--undo']),
    lvsd(rs2, ['--vip', DR_VIP.text, '--method', 'dr', '--interface', 'eth0', '--undo']),
    lvsd(rs3, ['--vip', TUN_VIP.text, '--undo']),
  ]);
  [rs1, rs2, rs3].forEach((n, i) => (r.undo[n.name] = undos[i] ?? { exitCode: null, stdout: '', stderr: '' }));
  for (const n of [rs1, rs2, rs3]) r.afterUndo[n.name] = await view(n);
  r.undoAgain = await lvsd(rs1, ['--vip', DR_VIP.text, '--undo']);
  step('undo', [rs1, rs2, rs3].map((n) => `${n.name}: exit ${r.undo[n.name]?.exitCode ?? '?'}`).join(', '));
}

function probeView(s: { total: number; okCount: number; byServer: Readonly<Record<string, number>> }): ProbeView {
  return { total: s.total, okCount: s.okCount, byServer: s.byServer };
}

/**
 * Bench section "health-scale" (host, one network namespace): 10,000 TCP-checked targets (40
 * addresses x 250 ports on lo, one Node listener accepting them all) probed every second by lvsd, then
 * by keepalived's checker process with the same targets and keepalived's semantics, in the same run.
 * For each, over a fixed window: CPU time per check and CPU share (utime + stime from /proc/PID/stat),
 * RSS, how regularly every target was probed (seen at the listener: each gap between two probes of a
 * target within 10 % of the interval), and the gaps between VRRP adverts (one 100 ms instance in the
 * same lvsd; keepalived's in its VRRP process), captured with tcpdump.
 *
 * The host kernel has no IPVS: lvsd runs its daemon with the in-memory IPVS kernel
 * (lvsd-memory-ipvs-main.ts), keepalived with an LD_PRELOAD shim that acknowledges its IPVS requests
 * (fake-ipvs-genl.c, built here with gcc). Both daemons program all 10,000 destinations (checked);
 * neither touches IPVS again while every target stays up (checked after each window).
 */
import { SPREAD_RATIO } from '../../src/ipvs/health-component.js';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sleep, systemClock } from '../../src/core/clock.js';
import { createProcessRunner, type CommandRunner } from '../../src/core/command-runner.js';
import { createChildProcessSpawner, type LabProcess } from '../../src/lab/lab-process.js';
import type { BenchContext, BenchRow, BenchSectionModule } from '../bench-model.js';
import { createBenchNetns, type BenchNetns } from './bench-netns.js';
import { expectEvent, startControlledProcess, type ControlledProcess } from './controlled-process.js';
import { allTargets, formatKeepalivedConfig, targetAddress, formatLvsdConfig, planTargetGroups, targetAddresses, type BenchVrrpInstance, type KeepalivedCheckSettings, type TargetGroup } from './health-bench-config.js';
import { clockTicksPerSecond } from './proc-sample.js';
import { parseTcpdumpVrrpLine, summarizeAdverts, type VrrpAdvertSeen } from './probe-stats.js';
import { measureWindow, type WindowMeasurement } from './scale-window.js';

const GRID = { addressCount: 40, portsPerAddress: 250, basePort: 20000 };
const CHECKS: KeepalivedCheckSettings = { delayLoopS: 1, connectTimeoutS: 1, retry: 1, delayBeforeRetryS: 1 };
const INTERVAL_MS = CHECKS.delayLoopS * 1000;
const TOLERANCE = 0.1;
const WINDOW_MS = 10_000;
/** After every target was probed once (the first round): steady state, VRRP master. */
const SETTLE_MS = 3000;
const BASELINE_WINDOW_MS = 5000;
const ADVERT_MS = 100;
const VRRP_IF = 'hb0';
const LVSD_VRRP: BenchVrrpInstance = { interface: VRRP_IF, vrid: 51, priority: 150, advertIntervalMs: ADVERT_MS, vip: '192.0.2.250/32' };
const KEEPALIVED_VRRP: BenchVrrpInstance = { ...LVSD_VRRP, vrid: 52 };
const START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 5000;
const POLL_MS = 250;
const FIRST_ROUND_POLL_MS = 1000;
const FD_MARGIN = 2000;

interface DaemonRun {
  readonly window: WindowMeasurement;
  readonly advertGapsMs: readonly number[];
}

interface Env {
  readonly ctx: BenchContext;
  readonly runner: CommandRunner;
  readonly netns: BenchNetns;
  readonly scratch: string;
  readonly groups: readonly TargetGroup[];
  readonly listener: ControlledProcess;
  readonly ticksPerSecond: number;
  readonly pcap: string;
}

export const healthScaleBench: BenchSectionModule = {
  async run(ctx) {
    const runner = createProcessRunner();
    const groups = planTargetGroups(GRID);
    const targets = allTargets(groups).length;
    await requireFdLimit(runner, targets + FD_MARGIN);
    const scratch = await mkdtemp(join(tmpdir(), 'lvsd-health-bench-'));
    const cleanups: (() => Promise<void>)[] = [() => rm(scratch, { recursive: true, force: true })];
    const lvsd: DaemonRun[] = [];
    const keepalived: DaemonRun[] = [];
    let baseline: number[] = [];
    let floor: WindowMeasurement | undefined;
    const loadBefore = await loadAverage();
    let error: string | undefined;
    try {
      const shim = await buildShim(runner, join(ctx.repoRoot, 'bench/health/fake-ipvs-genl.c'), scratch);
      const netns = await createBenchNetns({ name: `lvsd-hb-${process.pid}`, loopbackAddresses: targetAddresses(groups), vrrpInterface: VRRP_IF, vrrpPeer: 'hb1', vrrpAddress: '192.0.2.241/28' }, runner);
      cleanups.unshift(() => netns.remove());
      const pcap = join(scratch, 'vrrp.pcap');
      const capture = await createChildProcessSpawner(systemClock).spawn({ name: 'tcpdump', file: 'ip', args: [...netns.prefix.slice(1), 'tcpdump', '-i', VRRP_IF, '-n', '-U', '-w', pcap, 'ip proto 112'] });
      cleanups.unshift(() => capture.stop(STOP_GRACE_MS).then(() => undefined));
      await capture.waitForLine((l) => l.includes('listening on'), { stream: 'stderr', timeoutMs: 30_000 });
      const listener = await startControlledProcess('target listener', 'ip', [...netns.prefix.slice(1), ctx.nodePath, join(ctx.repoRoot, 'dist/bench/health/target-listener-main.js'), JSON.stringify(GRID)]);
      cleanups.unshift(() => listener.stop(STOP_GRACE_MS));
      await expectEvent(listener.next((e) => e['event'] !== undefined, START_TIMEOUT_MS), 'ready');
      const env: Env = { ctx, runner, netns, scratch, groups, listener, ticksPerSecond: await clockTicksPerSecond(runner), pcap };
      for (let i = 0; i < ctx.repeat && (i === 0 || ctx.hasTimeLeft()); i++) {
        lvsd.push(await runLvsd(env, i));
        keepalived.push(await runKeepalived(env, shim, i));
        ctx.progress(`health-scale: repetition ${i + 1}/${ctx.repeat}: CPU per check lvsd ${us(lvsd[i]?.window.cpuPerCheckUs)} vs keepalived ${us(keepalived[i]?.window.cpuPerCheckUs)}, RSS ${mb(lvsd[i]?.window.rssMaxMb)} vs ${mb(keepalived[i]?.window.rssMaxMb)}, late ${pct(lvsd[i]?.window.latePercent)} vs ${pct(keepalived[i]?.window.latePercent)}`);
        if (i === 0) {
          baseline = await runVrrpBaseline(env);
          floor = await runNodeFloor(env);
        }
      }
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    } finally {
      for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    }
    return {
      name: 'health-scale',
      title: `Health checks at scale: ${targets.toLocaleString('en-US')} TCP-checked targets every ${INTERVAL_MS / 1000} s, lvsd vs keepalived's checker (host netns)`,
      rows: buildRows(lvsd, keepalived, baseline, floor),
      notes: [...notesFor(lvsd, keepalived), `load average (1 min) of the host: ${loadBefore} before, ${await loadAverage()} after`],
      ...(error === undefined ? {} : { error }),
    };
  },
};

async function runLvsd(env: Env, repetition: number): Promise<DaemonRun> {
  const dir = join(env.scratch, `lvsd-${repetition}`);
  const config = join(dir, 'lvsd.yaml');
  await mkdirp(dir);
  await writeFile(config, formatLvsdConfig({ routerId: 'bench-lvsd', files: { dir }, groups: env.groups, checks: CHECKS, vrrp: LVSD_VRRP }));
  const expected = allTargets(env.groups).length;
  const daemon = await startLvsdProcess(env, config);
  try {
    await waitFor(async () => (await lvsdDestinations(daemon)) === expected, START_TIMEOUT_MS, `lvsd programming ${expected} destinations`);
    await waitForFirstRound(env, 'lvsd');
    await sleep(systemClock, SETTLE_MS);
    const window = await measureWindow({ listener: env.listener, pid: daemon.pid, windowMs: WINDOW_MS, intervalMs: INTERVAL_MS, tolerance: TOLERANCE, ticksPerSecond: env.ticksPerSecond });
    const after = await lvsdDestinations(daemon);
    if (after !== expected) throw new Error(`lvsd has ${after} of ${expected} destinations after the window: it marked healthy targets down`);
    return { window, advertGapsMs: await advertGaps(env, LVSD_VRRP.vrid, window.wallStartS, window.wallEndS) };
  } finally {
    await daemon.stop(STOP_GRACE_MS);
  }
}

async function startLvsdProcess(env: Env, config: string): Promise<ControlledProcess> {
  const daemon = await startControlledProcess('lvsd', 'ip', [...env.netns.prefix.slice(1), env.ctx.nodePath, join(env.ctx.repoRoot, 'dist/bench/health/lvsd-memory-ipvs-main.js'), config]);
  try {
    await expectEvent(daemon.next((e) => e['event'] !== undefined, START_TIMEOUT_MS), 'ready');
  } catch (e) {
    await daemon.stop(STOP_GRACE_MS);
    throw new Error(`lvsd did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  return daemon;
}

async function lvsdDestinations(daemon: ControlledProcess): Promise<number> {
  const table = await expectEvent(daemon.request('table', (e) => e['event'] !== undefined, 30_000), 'table');
  return Number(table['destinations']);
}

/** lvsd with the VRRP instance alone: the advert gaps when lvsd has nothing else to do. */
async function runVrrpBaseline(env: Env): Promise<number[]> {
  const dir = join(env.scratch, 'lvsd-vrrp-only');
  const config = join(dir, 'lvsd.yaml');
  await mkdirp(dir);
  await writeFile(config, formatLvsdConfig({ routerId: 'bench-lvsd', files: { dir }, groups: [], checks: CHECKS, vrrp: LVSD_VRRP }));
  const daemon = await startLvsdProcess(env, config);
  try {
    await sleep(systemClock, SETTLE_MS);
    const startS = Date.now() / 1000;
    await sleep(systemClock, BASELINE_WINDOW_MS);
    return [...(await advertGaps(env, LVSD_VRRP.vrid, startS, Date.now() / 1000))];
  } finally {
    await daemon.stop(STOP_GRACE_MS);
  }
}

/** The bare Node prober (node-floor-prober-main.ts) on the same targets: what any Node check costs at least. */
async function runNodeFloor(env: Env): Promise<WindowMeasurement> {
  const prober = await startControlledProcess('node floor prober', 'ip', [...env.netns.prefix.slice(1), env.ctx.nodePath, join(env.ctx.repoRoot, 'dist/bench/health/node-floor-prober-main.js'), JSON.stringify(GRID), String(INTERVAL_MS)]);
  try {
    await expectEvent(prober.next((e) => e['event'] !== undefined, START_TIMEOUT_MS), 'ready');
    await waitForFirstRound(env, 'the node floor prober');
    await sleep(systemClock, SETTLE_MS);
    return await measureWindow({ listener: env.listener, pid: prober.pid, windowMs: WINDOW_MS, intervalMs: INTERVAL_MS, tolerance: TOLERANCE, ticksPerSecond: env.ticksPerSecond });
  } finally {
    await prober.stop(STOP_GRACE_MS);
  }
}

async function loadAverage(): Promise<string> {
  return (await readFile('/proc/loadavg', 'utf8').catch(() => '?')).split(' ')[0] ?? '?';
}

async function runKeepalived(env: Env, shim: string, repetition: number): Promise<DaemonRun> {
  const dir = join(env.scratch, `keepalived-${repetition}`);
  await mkdirp(dir);
  const config = join(dir, 'keepalived.conf');
  const counts = join(dir, 'ipvs-requests.txt');
  const checkerPidFile = join(dir, 'checkers.pid');
  await writeFile(config, formatKeepalivedConfig({ routerId: 'bench-keepalived', groups: env.groups, checks: CHECKS, vrrp: KEEPALIVED_VRRP }));
  const expected = allTargets(env.groups).length;
  const daemon: LabProcess = await createChildProcessSpawner(systemClock).spawn({
    name: 'keepalived',
    file: 'ip',
    args: [...env.netns.prefix.slice(1), 'keepalived', '-n', '-l', '-G', '-f', config, '-p', join(dir, 'keepalived.pid'), '-c', checkerPidFile, '-r', join(dir, 'vrrp.pid')],
    env: { ...definedEnv(), LD_PRELOAD: shim, LVSD_FAKE_IPVS_COUNTS: counts },
  });
  try {
    await waitFor(async () => (await ipvsRequests(counts)).get('new-dest') === expected, START_TIMEOUT_MS, `keepalived programming ${expected} destinations`, () => daemon.lines('stdout').slice(-3).join(' | '));
    const checker = Number((await readFile(checkerPidFile, 'utf8')).trim());
    if (!Number.isInteger(checker) || checker <= 0) throw new Error(`keepalived's checker pid file ${checkerPidFile} holds no pid`);
    await waitForFirstRound(env, 'keepalived');
    await sleep(systemClock, SETTLE_MS);
    const window = await measureWindow({ listener: env.listener, pid: checker, windowMs: WINDOW_MS, intervalMs: INTERVAL_MS, tolerance: TOLERANCE, ticksPerSecond: env.ticksPerSecond });
    const removed = (await ipvsRequests(counts)).get('del-dest') ?? 0;
    if (removed !== 0) throw new Error(`keepalived removed ${removed} destinations: it marked healthy targets down`);
    return { window, advertGapsMs: await advertGaps(env, KEEPALIVED_VRRP.vrid, window.wallStartS, window.wallEndS) };
  } finally {
    await daemon.stop(STOP_GRACE_MS);
  }
}

/** Until the listener has seen every target probed since now. */
async function waitForFirstRound(env: Env, who: string): Promise<void> {
  await expectEvent(env.listener.request('window', (e) => e['event'] !== undefined, 30_000), 'window');
  const targets = allTargets(env.groups).length;
  let probed = 0;
  const report = async (): Promise<boolean> => {
    const r = await expectEvent(env.listener.request(`report ${INTERVAL_MS} ${TOLERANCE}`, (e) => e['event'] !== undefined, 30_000), 'report');
    probed = (r['summary'] as { targetsProbed: number }).targetsProbed;
    return probed === targets;
  };
  await waitFor(report, START_TIMEOUT_MS, `${who}'s first round of probes`, () => `${probed} of ${targets} targets probed`, FIRST_ROUND_POLL_MS);
}

/** fake-ipvs-genl.c's counts file: "new-dest 10000" lines. */
async function ipvsRequests(file: string): Promise<Map<string, number>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return new Map(text.split('\n').flatMap((l) => {
    const [name, count] = l.trim().split(/\s+/);
    return name === undefined || name === '' ? [] : [[name, Number(count)] as const];
  }));
}

async function advertGaps(env: Env, vrid: number, startS: number, endS: number): Promise<readonly number[]> {
  const r = await env.runner.run({ file: 'tcpdump', args: ['-r', env.pcap, '-n', '-tt'], timeoutMs: 30_000, maxOutputBytes: 64 << 20 });
  const seen = r.stdout.split('\n').map(parseTcpdumpVrrpLine).filter((a): a is VrrpAdvertSeen => a !== undefined);
  return summarizeAdverts(seen, vrid, ADVERT_MS, startS, endS).gapsMs;
}

async function buildShim(runner: CommandRunner, source: string, scratch: string): Promise<string> {
  const out = join(scratch, 'fake-ipvs-genl.so');
  const r = await runner.run({ file: 'gcc', args: ['-shared', '-fPIC', '-O2', '-Wall', '-o', out, source, '-ldl'], timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`gcc ${source}: ${r.stderr.trim().slice(0, 500)}`);
  return out;
}

async function requireFdLimit(runner: CommandRunner, needed: number): Promise<void> {
  // Node raises its soft limit to the hard limit at start; the listener needs one descriptor per target.
  const r = await runner.run({ file: 'sh', args: ['-c', 'ulimit -Hn'], timeoutMs: 5000 });
  const hard = r.stdout.trim() === 'unlimited' ? Infinity : Number(r.stdout.trim());
  if (!(hard >= needed)) throw new Error(`the hard limit on open files is ${r.stdout.trim()}; the listener needs ${needed} (raise it with ulimit -Hn)`);
}

async function waitFor(what: () => Promise<boolean>, timeoutMs: number, description: string, detail?: () => string, pollMs = POLL_MS): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await what()) return;
    await sleep(systemClock, pollMs);
  }
  throw new Error(`${description}: not done within ${timeoutMs} ms${detail === undefined ? '' : ` (${detail()})`}`);
}

function buildRows(lvsd: readonly DaemonRun[], keepalived: readonly DaemonRun[], baseline: readonly number[], floor: WindowMeasurement | undefined): BenchRow[] {
  const series = (runs: readonly DaemonRun[], label: string, pick: (w: WindowMeasurement) => number | undefined) => ({
    label,
    samples: runs.flatMap((r) => {
      const v = pick(r.window);
      return v === undefined ? [] : [v];
    }),
  });
  const both = (label: string, unit: BenchRow['unit'], pick: (w: WindowMeasurement) => number | undefined, extra: Partial<BenchRow> = {}): BenchRow => ({
    label,
    unit,
    lvsd: series(lvsd, 'lvsd', pick),
    reference: series(keepalived, 'keepalived checker', pick),
    ...extra,
  });
  const deviation = (runs: readonly DaemonRun[]): number[] => runs.flatMap((r) => r.advertGapsMs.map((g) => Math.abs(g - ADVERT_MS)));
  return [
    both('CPU per check', 'us', (w) => w.cpuPerCheckUs, { target: { kind: 'ratio-at-most', value: 1 } }),
    {
      label: 'CPU per check, Node sockets alone (floor)',
      unit: 'us',
      lvsd: { label: 'net.connect + destroy', samples: floor?.cpuPerCheckUs === undefined ? [] : [floor.cpuPerCheckUs] },
      reference: series(keepalived, 'keepalived checker', (w) => w.cpuPerCheckUs),
    },
    both('CPU share of one core', '%', (w) => w.cpuPercent),
    both('RSS, largest in the window', 'MB', (w) => w.rssMaxMb, { stat: 'p99', target: { kind: 'at-most', value: 150 } }),
    both('RSS peak since start (VmHWM)', 'MB', (w) => w.peakMb),
    both('probes late (gap beyond 1 s +- 10 %) or missing', '%', (w) => w.latePercent, { stat: 'p99', target: { kind: 'at-most', value: 0 } }),
    both('probe gap - 1 s, p99 over all targets', 'ms', (w) => w.probes.deviationMs?.p99),
    both('longest gap between two probes of a target', 'ms', (w) => w.probes.longestGapMs),
    both('checks done / checks due', '%', (w) => 100 * w.probes.checkRate),
    {
      label: 'VRRP advert gap - 100 ms, during the checks',
      unit: 'ms',
      lvsd: { label: 'lvsd (same process)', samples: deviation(lvsd), isDistribution: true },
      reference: { label: 'keepalived (its VRRP process)', samples: deviation(keepalived), isDistribution: true },
      stat: 'p99',
    },
    { label: 'VRRP advert gap - 100 ms, lvsd without checks', unit: 'ms', lvsd: { label: 'lvsd', samples: baseline.map((g) => Math.abs(g - ADVERT_MS)), isDistribution: true }, stat: 'p99' },
  ];
}

function notesFor(lvsd: readonly DaemonRun[], keepalived: readonly DaemonRun[]): string[] {
  const delays = [...lvsd, ...keepalived].map((r) => r.window.listenerDelayMs.max);
  const listenerCpu = [...lvsd, ...keepalived].flatMap((r) => (r.window.listenerCpuPercent === undefined ? [] : [r.window.listenerCpuPercent]));
  return [
    `targets: ${GRID.addressCount} addresses (${targetAddress(0)}-${targetAddress(GRID.addressCount - 1)}) x ${GRID.portsPerAddress} ports on lo, one Node listener; keepalived's settings delay_loop ${CHECKS.delayLoopS}, connect_timeout ${CHECKS.connectTimeoutS}, retry ${CHECKS.retry}, delay_before_retry ${CHECKS.delayBeforeRetryS}, warmup ${CHECKS.delayLoopS}; lvsd the same (interval 1s, fastInterval 1s, timeout 1s, rise 1, fall 2, warmup ${CHECKS.delayLoopS}s; its daemon spreads each interval by up to +-${SPREAD_RATIO * 100} %)`,
    `each window ${WINDOW_MS / 1000} s, ${SETTLE_MS / 1000} s after the listener saw every target probed; lvsd and keepalived run one after the other on the same targets; CPU is the whole lvsd process (VRRP included) and keepalived's checker process alone`,
    'no IPVS in the host kernel: lvsd runs its daemon with the in-memory IPVS kernel, keepalived with an LD_PRELOAD shim acknowledging its IPVS requests; both programmed all 10,000 destinations and removed none',
    `probe times are the listener's accept times; its event loop lagged at most ${Math.max(0, ...delays).toFixed(1)} ms in any window (the error of a gap), and it used ${listenerCpu.length === 0 ? '?' : Math.max(...listenerCpu).toFixed(0)} % of a core at most`,
    '2 cores shared with other jobs: CPU and timing numbers are noisy',
  ];
}

function definedEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}

async function mkdirp(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

function us(n: number | undefined): string {
  return n === undefined ? '-' : `${n.toFixed(1)} µs`;
}

function mb(n: number | undefined): string {
  return n === undefined ? '-' : `${n.toFixed(0)} MB`;
}

function pct(n: number | undefined): string {
  return n === undefined ? '-' : `${n.toFixed(2)} %`;
}

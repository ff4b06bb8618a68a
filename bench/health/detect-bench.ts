/**
 * Bench section "health-detect" (inside UML: real IPVS): how long after a real server stops until
 * IPVS no longer lists it, for lvsd and for keepalived with the same settings (delay_loop 1,
 * connect_timeout 1, retry 1, delay_before_retry 1; lvsd: interval 1s, fastInterval 1s, timeout 1s,
 * rise 1, fall 2), in the same run. Four targets (ports on 192.0.2.1, on lo) behind one NAT virtual
 * server; one Node listener serves them. Each repetition stops one target's listener, polls
 * `ipvsadm -Ln` until its destination is gone, starts it again and waits until it is back. The stop
 * comes a different time after the last probe each repetition (stratified over one interval), so the
 * samples cover the phases of the probe cycle rather than one of them.
 */
import { SPREAD_RATIO } from '../../src/ipvs/health-component.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sleep, systemClock } from '../../src/core/clock.js';
import { createProcessRunner, type CommandRunner } from '../../src/core/command-runner.js';
import { createChildProcessSpawner, type LabProcess } from '../../src/lab/lab-process.js';
import type { BenchContext, BenchSectionModule } from '../bench-model.js';
import { expectEvent, startControlledProcess, type ControlledProcess } from './controlled-process.js';
import { allTargets, formatKeepalivedConfig, formatLvsdConfig, planTargetGroups, targetAddresses, type BenchTarget, type KeepalivedCheckSettings, type TargetGroup } from './health-bench-config.js';

const GRID = { addressCount: 1, portsPerAddress: 4, basePort: 20000 };
const CHECKS: KeepalivedCheckSettings = { delayLoopS: 1, connectTimeoutS: 1, retry: 1, delayBeforeRetryS: 1 };
const INTERVAL_MS = CHECKS.delayLoopS * 1000;
const POLL_MS = 20;
const WAIT_LIMIT_MS = 15_000;
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5000;
const COMMAND_TIMEOUT_MS = 10_000;

interface Daemon {
  readonly label: string;
  stop(): Promise<void>;
}

interface Env {
  readonly ctx: BenchContext;
  readonly runner: CommandRunner;
  readonly listener: ControlledProcess;
  readonly group: TargetGroup;
  readonly targets: readonly BenchTarget[];
}

export const healthDetectBench: BenchSectionModule = {
  async run(ctx) {
    const runner = createProcessRunner();
    const groups = planTargetGroups(GRID);
    const group = groups[0];
    if (group === undefined) throw new Error('no target group');
    const scratch = await mkdtemp(join(tmpdir(), 'lvsd-health-detect-'));
    const lvsd: number[] = [];
    const keepalived: number[] = [];
    const polls: number[] = [];
    let error: string | undefined;
    let listener: ControlledProcess | undefined;
    try {
      await mustRun(runner, 'ip', ['-batch', '-'], `${targetAddresses(groups).map((a) => `address add ${a}/32 dev lo`).join('\n')}\n`);
      await mustRun(runner, 'ipvsadm', ['-C']);
      listener = await startControlledProcess('target listener', ctx.nodePath, [join(ctx.repoRoot, 'dist/bench/health/target-listener-main.js'), JSON.stringify(GRID)]);
      await expectEvent(listener.next((e) => e['event'] !== undefined, START_TIMEOUT_MS), 'ready');
      const env: Env = { ctx, runner, listener, group, targets: allTargets(groups) };
      await measure(env, await startLvsd(env, scratch), lvsd, polls);
      await measure(env, await startKeepalived(env, scratch), keepalived, polls);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    } finally {
      await listener?.stop(STOP_GRACE_MS);
      await runner.run({ file: 'ipvsadm', args: ['-C'], timeoutMs: COMMAND_TIMEOUT_MS }).catch(() => undefined);
      await rm(scratch, { recursive: true, force: true });
    }
    const pollMs = polls.length === 0 ? undefined : polls.reduce((a, b) => a + b, 0) / polls.length;
    return {
      name: 'health-detect',
      title: 'Health check detection: real server stopped -> gone from IPVS (ipvsadm -Ln), lvsd vs keepalived, kernel IPVS in UML',
      rows: [
        {
          label: 'server stops -> destination gone',
          unit: 'ms',
          lvsd: { label: 'lvsd', samples: lvsd },
          reference: { label: 'keepalived', samples: keepalived },
        },
      ],
      notes: [
        `settings: keepalived delay_loop ${CHECKS.delayLoopS}, connect_timeout ${CHECKS.connectTimeoutS}, retry ${CHECKS.retry}, delay_before_retry ${CHECKS.delayBeforeRetryS} (TCP_CHECK); lvsd interval 1s, fastInterval 1s, timeout 1s, rise 1, fall 2 (its daemon spreads each interval by up to +-${SPREAD_RATIO * 100} %); a refused connection fails at once, so both need two failed probes about a second apart: between ${INTERVAL_MS} and ${2 * INTERVAL_MS} ms plus the removal, depending on where in the probe cycle the server stopped`,
        `${GRID.portsPerAddress} targets behind one NAT virtual server; stop i of n comes (i + 0.5) / n of an interval after the stopped target was seen back in IPVS; ipvsadm -Ln polled every ${POLL_MS} ms, one poll took ${pollMs === undefined ? '?' : pollMs.toFixed(0)} ms on average in UML (the resolution)`,
        'the phase of the probe cycle at the stop moves each sample by up to a second, so a few samples give a wide range; user-mode Linux on 2 cores shared with other jobs: timings are noisy',
      ],
      ...(error === undefined ? {} : { error }),
    };
  },
};

async function measure(env: Env, daemon: Daemon, samples: number[], polls: number[]): Promise<void> {
  try {
    await waitFor(async () => (await listedTargets(env, polls)).size === env.targets.length, START_TIMEOUT_MS, `${daemon.label}: all ${env.targets.length} destinations in IPVS`);
    await firstRound(env, daemon.label);
    for (let i = 0; i < env.ctx.repeat && (i === 0 || env.ctx.hasTimeLeft()); i++) {
      const victim = env.targets[i % env.targets.length];
      if (victim === undefined) break;
      const name = `${victim.address}:${victim.port}`;
      await sleep(systemClock, ((i + 0.5) / env.ctx.repeat) * INTERVAL_MS);
      await expectEvent(env.listener.request(`close ${victim.address} ${victim.port}`, (e) => e['event'] !== undefined, COMMAND_TIMEOUT_MS), 'closed');
      const stoppedAt = performance.now();
      await waitFor(async () => !(await listedTargets(env, polls)).has(name), WAIT_LIMIT_MS, `${daemon.label}: ${name} leaving IPVS`);
      samples.push(performance.now() - stoppedAt);
      await expectEvent(env.listener.request(`open ${victim.address} ${victim.port}`, (e) => e['event'] !== undefined, COMMAND_TIMEOUT_MS), 'opened');
      await waitFor(async () => (await listedTargets(env, polls)).has(name), WAIT_LIMIT_MS, `${daemon.label}: ${name} returning to IPVS`);
      env.ctx.progress(`health-detect: ${daemon.label} ${i + 1}/${env.ctx.repeat}: ${name} gone from IPVS ${Math.round(samples[samples.length - 1] ?? 0)} ms after it stopped`);
    }
  } finally {
    await daemon.stop();
    await mustRun(env.runner, 'ipvsadm', ['-C']);
  }
}

/** Until the listener has seen every target probed since now. */
async function firstRound(env: Env, who: string): Promise<void> {
  await expectEvent(env.listener.request('window', (e) => e['event'] !== undefined, COMMAND_TIMEOUT_MS), 'window');
  await waitFor(async () => {
    const r = await expectEvent(env.listener.request(`report ${INTERVAL_MS} 0.1`, (e) => e['event'] !== undefined, COMMAND_TIMEOUT_MS), 'report');
    return (r['summary'] as { targetsProbed: number }).targetsProbed === env.targets.length;
  }, START_TIMEOUT_MS, `${who}'s first round of probes`);
}

/** "192.0.2.1:20000" of every destination of the virtual server, as ipvsadm lists them. */
async function listedTargets(env: Env, polls: number[]): Promise<Set<string>> {
  const r = await env.runner.run({ file: 'ipvsadm', args: ['-Ln', '-t', `${env.group.virtualAddress}:${env.group.virtualPort}`], timeoutMs: COMMAND_TIMEOUT_MS });
  polls.push(r.durationMs);
  // Before the daemon created the service: "No such service", exit 1.
  if (r.exitCode !== 0 && r.stderr.includes('No such service')) return new Set();
  if (r.exitCode !== 0) throw new Error(`ipvsadm -Ln: exit ${r.exitCode ?? r.signal ?? '?'}: ${r.stderr.trim().slice(0, 300)}`);
  return new Set([...r.stdout.matchAll(/->\s+(\d+\.\d+\.\d+\.\d+:\d+)\s/g)].map((m) => m[1] ?? ''));
}

async function startLvsd(env: Env, scratch: string): Promise<Daemon> {
  const dir = join(scratch, 'lvsd');
  await mkdir(dir, { recursive: true });
  const config = join(dir, 'lvsd.yaml');
  await writeFile(config, formatLvsdConfig({ routerId: 'bench-lvsd', files: { dir }, groups: [env.group], checks: CHECKS, logLevel: 'warn' }));
  const p = await createChildProcessSpawner(systemClock).spawn({ name: 'lvsd', file: env.ctx.nodePath, args: [join(env.ctx.repoRoot, 'bin/lvsd.js'), 'run', '--foreground', '--config', config] });
  return daemonOf('lvsd', p);
}

async function startKeepalived(env: Env, scratch: string): Promise<Daemon> {
  const dir = join(scratch, 'keepalived');
  await mkdir(dir, { recursive: true });
  const config = join(dir, 'keepalived.conf');
  await writeFile(config, formatKeepalivedConfig({ routerId: 'bench-keepalived', groups: [env.group], checks: CHECKS }));
  const p = await createChildProcessSpawner(systemClock).spawn({ name: 'keepalived', file: 'keepalived', args: ['-n', '-l', '-G', '-C', '-f', config, '-p', join(dir, 'keepalived.pid'), '-c', join(dir, 'checkers.pid')] });
  return daemonOf('keepalived', p);
}

function daemonOf(label: string, p: LabProcess): Daemon {
  return {
    label,
    stop: async () => {
      await p.stop(STOP_GRACE_MS);
    },
  };
}

async function waitFor(what: () => Promise<boolean>, timeoutMs: number, description: string): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await what()) return;
    await sleep(systemClock, POLL_MS);
  }
  throw new Error(`${description}: not within ${timeoutMs} ms`);
}

async function mustRun(runner: CommandRunner, file: string, args: readonly string[], input?: string): Promise<{ stdout: string; durationMs: number }> {
  const r = await runner.run({ file, args: [...args], timeoutMs: COMMAND_TIMEOUT_MS, ...(input === undefined ? {} : { input }) });
  if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${r.exitCode ?? r.signal ?? '?'}: ${r.stderr.trim().slice(0, 300)}`);
  return { stdout: r.stdout, durationMs: r.durationMs };
}

/**
 * The lab's lvsd daemons: one `lvsd run --config <generated> --foreground` per director namespace,
 * started and waited for (control socket), reloaded with a new generated config (SIGHUP, as an
 * operator would), and stopped (SIGTERM) with their exits and notable log lines kept for the report.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep, type Clock } from '../../core/clock.js';
import { LvsdError } from '../../core/errors.js';
import { notableDaemonLines } from '../daemon-log-notes.js';
import { formatLabDaemonConfig, labDaemonPaths } from '../lab-daemon-config.js';
import { describeExit, type LabProcess } from '../lab-process.js';
import type { LabTopology } from '../topology.js';
import type { LabDaemonOptions } from './traffic-through-vip-options.js';

export interface DaemonOutcome {
  readonly name: string;
  /** "exit code 0", "signal SIGKILL", "running" (did not stop in time). */
  readonly exit: string;
  readonly stderrTail: readonly string[];
  /** Its warnings, errors and health changes (notableDaemonLines). */
  readonly notes: readonly string[];
}

const DAEMON_POLL_MS = 50;
/** Lines of each daemon's warnings and health changes kept for the report. */
const DAEMON_NOTES_LIMIT = 30;
const RELOAD_DONE = '"message":"reload done"';

/** Writes director-N.yaml for every director (the same `extra` sections for all). */
export async function writeDaemonConfigs(topology: LabTopology, options: LabDaemonOptions, extra: Record<string, unknown>): Promise<string[]> {
  await mkdir(options.configDir, { recursive: true });
  await mkdir(options.runDir, { recursive: true });
  const files: string[] = [];
  for (const director of topology.directors) {
    const file = join(options.configDir, `${director.name}.yaml`);
    await writeFile(file, formatLabDaemonConfig({ routerId: director.name, runDir: options.runDir, logLevel: options.logLevel, extra }));
    files.push(file);
  }
  return files;
}

export async function startDaemons(topology: LabTopology, options: LabDaemonOptions, deps: { readonly clock: Clock; readonly nodePath: string }, extra: Record<string, unknown>): Promise<LabProcess[]> {
  const files = await writeDaemonConfigs(topology, options, extra);
  const started: LabProcess[] = [];
  for (const [i, director] of topology.directors.entries()) {
    started.push(
      await topology.spawn(director.namespace, {
        name: `lvsd ${director.name}`,
        file: deps.nodePath,
        args: [options.lvsdBin, 'run', '--config', files[i] ?? '', '--foreground'],
      }),
    );
  }
  await Promise.all(
    topology.directors.map((d, i) => waitForSocket(started[i], labDaemonPaths({ routerId: d.name, runDir: options.runDir }).controlSocket, options.readyTimeoutMs, deps.clock)),
  );
  return started;
}

/**
 * Rewrites every director's config with `extra` and sends each daemon SIGHUP; resolves when each
 * logged that the reload was done (bounded by the daemons' ready timeout). Only the first reload of
 * a daemon can be awaited this way (the line is matched among all lines seen).
 */
export async function reloadDaemons(topology: LabTopology, daemons: readonly LabProcess[], options: LabDaemonOptions, extra: Record<string, unknown>): Promise<void> {
  await writeDaemonConfigs(topology, options, extra);
  for (const d of daemons) {
    if (!d.kill('SIGHUP')) throw new LvsdError('ERR_LAB', `${d.name} is not running: cannot reload it`);
  }
  await Promise.all(daemons.map((d) => d.waitForLine((l) => l.includes(RELOAD_DONE), { stream: 'stderr', timeoutMs: options.readyTimeoutMs })));
}

export async function stopDaemons(daemons: readonly LabProcess[], stopTimeoutMs: number): Promise<DaemonOutcome[]> {
  return Promise.all(
    daemons.map(async (d) => ({ name: d.name, exit: describeExit(await d.stop(stopTimeoutMs)), stderrTail: d.lines('stderr').slice(-10), notes: notableDaemonLines(d.lines('stderr'), DAEMON_NOTES_LIMIT) })),
  );
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

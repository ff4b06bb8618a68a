/**
 * Who owns a lab: before a topology creates its namespaces it records its process id under
 * /run/lvsd-lab/<prefix>. A test run killed with SIGKILL never tears down; the next topology sweeps
 * every prefix whose owner is gone and removes that prefix's namespaces. Namespaces without an
 * owner record are never touched (they may belong to someone else).
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner } from '../core/command-runner.js';
import type { Logger } from '../core/logger.js';
import { isProcessRunning } from '../core/process-state.js';

export const LAB_OWNER_DIR = '/run/lvsd-lab';

export interface LabOwner {
  readonly prefix: string;
  readonly pid: number;
}

/** Pure: the owners whose process is no longer running. */
export function findStaleOwners(owners: readonly LabOwner[], isRunning: (pid: number) => boolean): LabOwner[] {
  return owners.filter((o) => !isRunning(o.pid));
}

export async function claimLab(prefix: string, pid: number, dir = LAB_OWNER_DIR): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, prefix), `${pid}\n`);
}

export async function releaseLab(prefix: string, dir = LAB_OWNER_DIR): Promise<void> {
  await rm(join(dir, prefix), { force: true });
}

export async function readLabOwners(dir = LAB_OWNER_DIR): Promise<LabOwner[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const owners: LabOwner[] = [];
  for (const prefix of names) {
    const pid = Number.parseInt(await readFile(join(dir, prefix), 'utf8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 0) owners.push({ prefix, pid });
  }
  return owners;
}

/** Removes the namespaces of labs whose owner died; returns the namespaces removed. */
export async function sweepStaleLabs(
  deps: { runner: CommandRunner; logger: Logger; isRunning?: (pid: number) => boolean },
  dir = LAB_OWNER_DIR,
): Promise<string[]> {
  const stale = findStaleOwners(await readLabOwners(dir), deps.isRunning ?? isProcessRunning);
  if (stale.length === 0) return [];
  const listed = await deps.runner.run({ file: 'ip', args: ['netns', 'list'], timeoutMs: 10_000 });
  const all = listed.stdout.split('\n').map((l) => l.split(/\s+/)[0] ?? '').filter((n) => n !== '');
  const removed: string[] = [];
  for (const owner of stale) {
    const mine = all.filter((n) => n.startsWith(owner.prefix));
    if (mine.length > 0) {
      await deps.runner.run({ file: 'ip', args: ['-force', '-batch', '-'], input: `${mine.map((n) => `netns del ${n}`).join('\n')}\n`, timeoutMs: 10_000 });
      removed.push(...mine);
    }
    await releaseLab(owner.prefix, dir);
    deps.logger.warn('removed a lab left by a dead process', { prefix: owner.prefix, pid: owner.pid, namespaces: mine.length });
  }
  return removed;
}

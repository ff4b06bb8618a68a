/**
 * The pid file as a component: refuses to start when another live lvsd holds it, removes it on stop
 * (only when it is still ours).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LvsdError } from '../core/errors.js';
import type { Component } from './lifecycle.js';

export function createPidFile(path: string, pid: number): Component {
  let isWritten = false;
  return {
    name: 'pid-file',
    async start() {
      if (isWritten) return;
      const other = await readPid(path);
      if (other !== undefined && other !== pid && isAlive(other)) {
        throw new LvsdError('ERR_COMPONENT_START', `another lvsd (pid ${other}) is running with pid file ${path}`);
      }
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, `${pid}\n`, { mode: 0o644 });
      isWritten = true;
    },
    async stop() {
      if (!isWritten) return;
      isWritten = false;
      if ((await readPid(path)) === pid) await rm(path, { force: true });
    },
    snapshot: () => ({ path, isWritten }),
  };
}

export async function readPid(path: string): Promise<number | undefined> {
  try {
    const n = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

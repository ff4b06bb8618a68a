/**
 * CPU time and memory of a running process from /proc (thin I/O around probe-stats.ts's parsers).
 */
import { readFile } from 'node:fs/promises';
import type { CommandRunner } from '../../src/core/command-runner.js';
import { parseProcStat, parseStatusKb, type CpuTicks } from './probe-stats.js';

export async function readCpuTicks(pid: number): Promise<CpuTicks> {
  const ticks = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  if (ticks === undefined) throw new Error(`cannot read utime/stime of pid ${pid}`);
  return ticks;
}

export interface MemorySample {
  readonly rssKb: number;
  /** Peak RSS since start (VmHWM). */
  readonly hwmKb: number;
}

export async function readMemory(pid: number): Promise<MemorySample> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = parseStatusKb(text, 'VmRSS');
  const hwmKb = parseStatusKb(text, 'VmHWM');
  if (rssKb === undefined || hwmKb === undefined) throw new Error(`cannot read VmRSS/VmHWM of pid ${pid}`);
  return { rssKb, hwmKb };
}

/** USER_HZ, the unit of utime and stime. */
export async function clockTicksPerSecond(runner: CommandRunner): Promise<number> {
  const r = await runner.run({ file: 'getconf', args: ['CLK_TCK'], timeoutMs: 5000 });
  const n = Number(r.stdout.trim());
  if (r.exitCode !== 0 || !Number.isInteger(n) || n <= 0) throw new Error(`getconf CLK_TCK: ${r.stdout.trim()} ${r.stderr.trim()}`);
  return n;
}

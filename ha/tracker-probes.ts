/**
 * What each kind of VRRP tracker probes: a script's exit code (run without a shell, under a timeout
 * that kills its process group), an interface's link state, an integer in a file (keepalived reads a
 * missing or unreadable file as 0, and so do we, saying why).
 */
import { readFile } from 'node:fs/promises';
import type { CommandRunner } from '../src/core/command-runner.js';
import { describeError } from '../src/core/errors.js';
import type { LinkLookup } from './link-lookup.js';
import type { ProbeOutcome } from './periodic-tracker.js';

export function scriptProbe(argv: readonly string[], timeoutMs: number, runner: CommandRunner): (signal: AbortSignal) => Promise<ProbeOutcome> {
  const [file, ...args] = argv;
  return async (signal) => {
    if (file === undefined) return { kind: 'up-down', isUp: false, detail: 'empty command' };
    try {
      const r = await runner.run({ file, args, timeoutMs, signal, maxOutputBytes: 4096 });
      if (r.exitCode === 0) return { kind: 'up-down', isUp: true };
      const why = r.isTimedOut ? `timed out after ${timeoutMs} ms` : r.exitCode === null ? `killed by ${r.signal ?? 'a signal'}` : `exit ${r.exitCode}`;
      return { kind: 'up-down', isUp: false, detail: why };
    } catch (e) {
      return { kind: 'up-down', isUp: false, detail: describeError(e) };
    }
  };
}

export function interfaceProbe(interfaceName: string, links: LinkLookup): (signal: AbortSignal) => Promise<ProbeOutcome> {
  return async (signal) => {
    try {
      const link = await links.lookup(interfaceName, signal);
      return { kind: 'up-down', isUp: link.isUp, ...(link.isUp ? {} : { detail: `${interfaceName} is down` }) };
    } catch (e) {
      return { kind: 'up-down', isUp: false, detail: describeError(e) };
    }
  };
}

/** The first integer in the file (keepalived: strtol semantics; garbage or absence reads as 0). */
export function parseTrackFileValue(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m === null ? 0 : Number.parseInt(m[1] ?? '0', 10);
}

export function fileProbe(path: string): (signal: AbortSignal) => Promise<ProbeOutcome> {
  return async (signal) => {
    try {
      return { kind: 'value', value: parseTrackFileValue(await readFile(path, { encoding: 'utf8', signal })) };
    } catch {
      return { kind: 'value', value: 0 };
    }
  };
}

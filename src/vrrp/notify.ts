/**
 * keepalived's notify scripts (keepalived.conf(5): notify_master, notify_backup, notify_fault,
 * notify_stop, and `notify` with TYPE NAME STATE PRIORITY appended), run in the order the
 * transitions happened: keepalived runs them concurrently and unordered (its issues #584, #996);
 * lvsd queues them, one at a time, each under a timeout that kills its process group.
 */
import { splitCommandLine } from '../core/command-line.js';
import type { CommandRunner } from '../core/command-runner.js';
import type { Logger } from '../core/logger.js';
import { createScriptQueue, SCRIPT_TIMEOUT_MS, type ScriptQueue } from '../core/script-queue.js';
import type { VrrpInstanceEvent } from '../../ha/vrrp-instance-events.js';
import type { VrrpInstanceConfig } from '../../config/schema-vrrp.js';

export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

/** Which notify a transition fires: entering master, backup or fault; STOP when shutting down. */
export function notifyStateOf(event: VrrpInstanceEvent): NotifyState | undefined {
  if (event.kind !== 'transition') return undefined;
  if (event.reason === 'shutdown') return 'STOP';
  if (event.to === 'master') return 'MASTER';
  if (event.to === 'backup') return 'BACKUP';
  if (event.to === 'fault') return 'FAULT';
  return undefined;
}

/** The argv lists to run, in keepalived's order: the state's own script, then the generic one. */
export function notifyCommands(state: NotifyState, notify: VrrpInstanceConfig['notify'], name: string, priority: number): string[][] {
  const own = { MASTER: notify.master, BACKUP: notify.backup, FAULT: notify.fault, STOP: notify.stop }[state];
  const out: string[][] = [];
  if (own !== undefined) {
    const argv = splitCommandLine(own);
    if (argv.ok) out.push(argv.value);
  }
  if (notify.any !== undefined) {
    const argv = splitCommandLine(notify.any);
    if (argv.ok) out.push([...argv.value, 'INSTANCE', name, state, String(priority)]);
  }
  return out;
}

export const NOTIFY_TIMEOUT_MS = SCRIPT_TIMEOUT_MS;

/** Runs commands one after the other, in submission order (src/core/script-queue.ts). */
export function createNotifyQueue(runner: CommandRunner, logger: Logger, timeoutMs = NOTIFY_TIMEOUT_MS): ScriptQueue {
  return createScriptQueue(runner, logger, timeoutMs);
}

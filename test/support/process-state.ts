/** Whether a process is really running: a zombie (killed, not yet reaped) counts as gone. */
import { readFileSync } from 'node:fs';

export function isProcessRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Polls (bounded) until the process is gone; returns whether it went. */
export async function waitForExit(pid: number, timeoutMs = 5000): Promise<boolean> {
  for (let waited = 0; waited <= timeoutMs; waited += 20) {
    if (!isProcessRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** Test helpers over the product's process-state check. */
import { isProcessRunning } from '../../src/core/process-state.js';

export { isProcessRunning };

/** Polls (bounded) until the process is gone; returns whether it went. */
export async function waitForExit(pid: number, timeoutMs = 5000): Promise<boolean> {
  for (let waited = 0; waited <= timeoutMs; waited += 20) {
    if (!isProcessRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

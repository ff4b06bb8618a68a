/**
 * V8 grows a heap's old generation, after each full collection, by a factor it picks from the
 * collector's speed, up to 4. The daemon fixes it at 2 (`--heap-growing-percent=100`): process-wide
 * (V8 has no per-isolate setting), and it applies from the next full collection on, so the daemon's
 * entry sets it before the config is read. Set later, the main thread's limit stays what V8 picked
 * after the collection during config loading (60 MB live then, about 4x that allowed), and the garbage
 * of the start-up (first IPVS round, first health round) stays in a 210 MB heap whose live objects
 * are 38 MB: the main thread allocates too little afterwards to reach the limit again.
 * Measured in bench/health/README.md ("Where the daemon's other 200 MB was").
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_FLAG = '--heap-growing-percent=100';

/** Idempotent. */
export function useFixedHeapGrowth(): void {
  setFlagsFromString(HEAP_GROWING_FLAG);
}

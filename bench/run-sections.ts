/**
 * Runs benchmark sections one after the other in this process, each under its share of a time
 * budget, and never throws: a section that fails reports its error and what it measured so far.
 */
import { performance } from 'node:perf_hooks';
import type { BenchSectionResult, BenchSectionSpec } from './bench-model.js';

export interface RunSectionsOptions {
  readonly repeat: number;
  readonly repoRoot: string;
  readonly nodePath: string;
  readonly budgetMs: number;
  readonly progress: (line: string) => void;
  /** BenchContext.longRunMs. */
  readonly longRunMs: number;
  /** BenchContext.longRuns. */
  readonly longRuns?: readonly string[];
}

export async function runBenchSections(sections: readonly BenchSectionSpec[], options: RunSectionsOptions): Promise<BenchSectionResult[]> {
  const results: BenchSectionResult[] = [];
  for (const spec of sections) {
    const started = performance.now();
    const deadline = started + options.budgetMs * spec.budgetShare;
    try {
      const module = await spec.load();
      const result = await module.run({
        repeat: options.repeat,
        repoRoot: options.repoRoot,
        nodePath: options.nodePath,
        progress: options.progress,
        hasTimeLeft: () => performance.now() < deadline,
        longRunMs: options.longRunMs,
        ...(options.longRuns === undefined ? {} : { longRuns: options.longRuns }),
      });
      results.push({ ...result, durationMs: performance.now() - started });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      results.push({ name: spec.name, title: spec.title, rows: [], notes: [], error, durationMs: performance.now() - started });
    }
  }
  return results;
}

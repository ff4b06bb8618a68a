/**
 * `npm run bench`: runs the benchmark sections (bench/sections.ts) and prints one table per section
 * with lvsd next to a reference measured in the same run, and their ratio.
 *
 *   node dist/bench/run.js [--repeat N] [--sections ipvs,vrrp,...] [--long-run-s S] [--json]
 *
 * UML sections share one boot (one guest process: bench/uml-bench-main.ts); host sections run here
 * afterwards. The whole run is bounded: the UML guest is killed after UML_TIMEOUT_MS, sections stop
 * repeating once their share of SECTIONS_BUDGET_MS is spent, and a section's long runs (VRRP:
 * spurious transitions and advert jitter) last --long-run-s each. Exit 0 when every section ran
 * (a missed target is reported, not an error: benchmarks measure, tests assert), 1 when a section
 * failed, 2 on bad usage or missing prerequisites.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createProcessRunner } from '../src/core/command-runner.js';
import { silentLogger } from '../src/core/logger.js';
import { findExecutable } from '../src/lab/find-executable.js';
import { checkUmlPrerequisites, describePrerequisiteIssues } from '../src/lab/uml-prerequisites.js';
import { runInUml } from '../src/lab/uml-runner.js';
import type { BenchSectionResult, BenchSectionSpec } from './bench-model.js';
import { formatBenchReport } from './format-bench-table.js';
import { runBenchSections } from './run-sections.js';
import { BENCH_SECTIONS } from './sections.js';
import { LONG_RUN_LOADS as VRRP_LONG_RUN_LOADS } from './vrrp/vrrp-bench-plan.js';

/** Well under 5 minutes for the whole bench, boot included. */
const UML_TIMEOUT_MS = 270_000;
const SECTIONS_BUDGET_MS = 180_000;
const MAX_REPEAT = 20;
const DEFAULT_LONG_RUN_S = 60;
/** The VRRP issue asks for 10-minute runs: allowed, not the default. */
const MAX_LONG_RUN_S = 3600;

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const usage = `usage: node dist/bench/run.js [--repeat N (1-20, default 5)] [--sections NAME,... (default all)] [--long-run-s S (1-${MAX_LONG_RUN_S}, default ${DEFAULT_LONG_RUN_S})] [--long-runs NAME,... (default all; vrrp: ${VRRP_LONG_RUN_LOADS.join(', ')})] [--json]`;

let values: { repeat?: string; sections?: string; 'long-run-s'?: string; 'long-runs'?: string; json?: boolean; help?: boolean };
try {
  ({ values } = parseArgs({
    options: { repeat: { type: 'string' }, sections: { type: 'string' }, 'long-run-s': { type: 'string' }, 'long-runs': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (e) {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n${usage}\n`);
  process.exit(2);
}
if (values.help === true) {
  process.stdout.write(`${usage}\nsections: ${BENCH_SECTIONS.map((s) => `${s.name} (${s.place}): ${s.title}`).join('; ')}\n`);
  process.exit(0);
}
const repeat = Number(values.repeat ?? '5');
if (!Number.isInteger(repeat) || repeat < 1 || repeat > MAX_REPEAT) {
  process.stderr.write(`bench: --repeat must be an integer 1-${MAX_REPEAT}\n${usage}\n`);
  process.exit(2);
}
const longRunS = Number(values['long-run-s'] ?? String(DEFAULT_LONG_RUN_S));
if (!Number.isInteger(longRunS) || longRunS < 1 || longRunS > MAX_LONG_RUN_S) {
  process.stderr.write(`bench: --long-run-s must be an integer 1-${MAX_LONG_RUN_S}\n${usage}\n`);
  process.exit(2);
}
const longRunMs = longRunS * 1000;
const longRuns = values['long-runs']?.split(',').map((s) => s.trim());
const unknownLongRuns = (longRuns ?? []).filter((n) => !(VRRP_LONG_RUN_LOADS as readonly string[]).includes(n));
if (unknownLongRuns.length > 0) {
  process.stderr.write(`bench: unknown long run ${unknownLongRuns.join(', ')} (have ${VRRP_LONG_RUN_LOADS.join(', ')})\n${usage}\n`);
  process.exit(2);
}
const wanted = values.sections === undefined ? BENCH_SECTIONS.map((s) => s.name) : values.sections.split(',').map((s) => s.trim());
const unknown = wanted.filter((n) => !BENCH_SECTIONS.some((s) => s.name === n));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown section ${unknown.join(', ')} (have ${BENCH_SECTIONS.map((s) => s.name).join(', ')})\n`);
  process.exit(2);
}
const chosen = BENCH_SECTIONS.filter((s) => wanted.includes(s.name));
const pathEnv = process.env['PATH'] ?? '';
const problems = prerequisiteProblems(chosen, pathEnv);
if (problems.length > 0) {
  process.stderr.write(`bench: cannot run: ${problems.join('; ')}\n`);
  process.exit(2);
}

const started = performance.now();
const startedAt = new Date().toISOString();
const environment = [`host: node ${process.version}, ${process.platform} ${process.arch}`];
const results: BenchSectionResult[] = [];
const umlSections = chosen.filter((s) => s.place === 'uml');
if (umlSections.length > 0) {
  process.stderr.write(`bench: booting UML for ${umlSections.map((s) => s.name).join(', ')} (${repeat} repetitions; bounded at ${UML_TIMEOUT_MS / 1000} s)\n`);
  const guest = await runUmlSections(umlSections);
  environment.push(...guest.environment);
  results.push(...guest.sections);
}
const hostSections = chosen.filter((s) => s.place === 'host');
if (hostSections.length > 0) {
  const progress = (line: string): void => void process.stderr.write(`${line}\n`);
  results.push(...(await runBenchSections(hostSections, { repeat, repoRoot, nodePath: process.execPath, budgetMs: SECTIONS_BUDGET_MS, progress, longRunMs, ...(longRuns === undefined ? {} : { longRuns }) })));
}
const durationMs = performance.now() - started;
if (values.json === true) process.stdout.write(`${JSON.stringify({ startedAt, environment, repeat, durationMs, sections: results }, null, 2)}\n`);
else process.stdout.write(`${formatBenchReport({ startedAt, environment, repeat, durationMs }, results)}\n`);
process.exitCode = results.every((r) => r.error === undefined) ? 0 : 1;

async function runUmlSections(sections: readonly BenchSectionSpec[]): Promise<{ environment: string[]; sections: BenchSectionResult[] }> {
  try {
    const run = await runInUml(
      {
        job: { kind: 'node', entry: join(repoRoot, 'dist/bench/uml-bench-main.js') },
        modules: [...new Set(sections.flatMap((s) => s.modules))],
        input: { sections: sections.map((s) => s.name), repeat, budgetMs: SECTIONS_BUDGET_MS, repoRoot, longRunMs },
        timeoutMs: UML_TIMEOUT_MS,
        cwd: repoRoot,
      },
      { runner: createProcessRunner(), logger: silentLogger, pathEnv, nodePath: process.execPath, cwd: repoRoot },
    );
    if (run.stderr.trim() !== '') process.stderr.write(run.stderr.endsWith('\n') ? run.stderr : `${run.stderr}\n`);
    const result = run.result as { environment: string[]; sections: BenchSectionResult[] } | undefined;
    if (run.exitCode !== 0 || result === undefined) throw new Error(`the bench job exited ${run.exitCode}: ${run.stderr.trim().split('\n').slice(-5).join(' | ')}`);
    return result;
  } catch (e) {
    const error = e instanceof Error ? e.message.split('\n')[0] ?? e.message : String(e);
    return { environment: [], sections: sections.map((s) => ({ name: s.name, title: s.title, rows: [], notes: [], error, durationMs: 0 })) };
  }
}

function prerequisiteProblems(sections: readonly BenchSectionSpec[], path: string): string[] {
  const out: string[] = [];
  if (process.getuid?.() !== 0) out.push('run as root (network namespaces, UML networking and IPVS)');
  const uml = sections.filter((s) => s.place === 'uml');
  if (uml.length > 0) {
    const check = checkUmlPrerequisites({ pathEnv: path, modules: [...new Set(uml.flatMap((s) => s.modules))] });
    if (!check.isSatisfied) out.push(describePrerequisiteIssues(check.issues));
  }
  for (const binary of new Set(sections.flatMap((s) => s.binaries))) {
    if (findExecutable(binary, path) === undefined) out.push(`${binary} not found on PATH`);
  }
  return out;
}

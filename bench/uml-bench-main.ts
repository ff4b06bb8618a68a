/**
 * The guest side of `npm run bench`: one Node process inside UML runs every UML section asked for
 * ($LVSD_UML_INPUT: { sections, repeat, budgetMs, repoRoot }) and writes their results, with a
 * description of the guest, to $LVSD_UML_RESULT. Progress goes to stderr.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, release } from 'node:os';
import type { BenchSectionSpec } from './bench-model.js';
import { runBenchSections } from './run-sections.js';
import { findBenchSection } from './sections.js';

interface GuestInput {
  readonly sections: readonly string[];
  readonly repeat: number;
  readonly budgetMs: number;
  readonly repoRoot: string;
  readonly longRunMs: number;
}

const inputPath = process.env['LVSD_UML_INPUT'];
const resultPath = process.env['LVSD_UML_RESULT'];
if (inputPath === undefined || resultPath === undefined) {
  process.stderr.write('uml-bench-main: run me inside UML through bench/run.ts (LVSD_UML_INPUT and LVSD_UML_RESULT are unset)\n');
  process.exit(2);
}
const input = JSON.parse(await readFile(inputPath, 'utf8')) as GuestInput;
const specs = input.sections.map(findBenchSection).filter((s): s is BenchSectionSpec => s !== undefined);
const ipvsadmVersion = (() => {
  try {
    return execFileSync('ipvsadm', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'ipvsadm: not found';
  }
})();
const environment = [`guest: Linux ${release()} (user-mode Linux), ${cpus().length} CPU, node ${process.version}`, ipvsadmVersion];
const sections = await runBenchSections(specs, {
  repeat: input.repeat,
  repoRoot: input.repoRoot,
  nodePath: process.execPath,
  budgetMs: input.budgetMs,
  longRunMs: input.longRunMs,
  progress: (line) => process.stderr.write(`${line}\n`),
});
await writeFile(resultPath, JSON.stringify({ environment, sections }));

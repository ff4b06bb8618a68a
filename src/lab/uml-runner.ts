/**
 * Boots user-mode Linux with the host's / as root (hostfs), loads the kernel modules a job needs,
 * runs one job (a Node entry point or a command) as a child of the guest's init, and powers off.
 *
 * Host-visible scratch directory (mkdtemp under /var/tmp; the guest's /tmp and /run are private
 * tmpfs): init script, the job's input JSON, its stdout/stderr, its result JSON and output files.
 * The directory is removed afterwards, whatever happened. On timeout or abort the whole UML process
 * group is killed (the CommandRunner does that).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner } from '../core/command-runner.js';
import { LvsdError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { buildUmlInitScript, parseUmlConsole, tailLines } from './uml-init-script.js';
import { LAB_UML_MODULES } from './uml-modules.js';
import { checkUmlPrerequisites, describePrerequisiteIssues, HOST_MODULES_DIR } from './uml-prerequisites.js';

/** The job inside the guest. A Node job runs with the host's node binary (deps.nodePath). */
export type UmlJob =
  | { readonly kind: 'node'; readonly entry: string; readonly args?: readonly string[]; readonly nodeArgs?: readonly string[] }
  | { readonly kind: 'command'; readonly file: string; readonly args?: readonly string[] };

export interface UmlRunOptions {
  readonly job: UmlJob;
  /** Whole run: boot, modules, job, power-off. On expiry the UML process group is killed. */
  readonly timeoutMs: number;
  /** Loaded before the job. Default LAB_UML_MODULES. A module the tree lacks is an ERR_PREREQUISITE naming it. */
  readonly modules?: readonly string[];
  /** Guest memory. Default 512. */
  readonly memoryMb?: number;
  /** Written as JSON to a file whose path the job finds in LVSD_UML_INPUT. */
  readonly input?: unknown;
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory of the job. Default deps.cwd. */
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  /** Add `quiet` to the kernel command line (fewer kernel messages on the console). Default true. */
  readonly isKernelQuiet?: boolean;
  readonly umlBinary?: string;
  readonly moduleTreeRoot?: string;
  readonly kernelRelease?: string;
  /** Parent of the scratch directory; must not be /tmp or /run (private in the guest). Default /var/tmp. */
  readonly scratchParent?: string;
}

export interface UmlRunDeps {
  readonly runner: CommandRunner;
  readonly logger: Logger;
  /** The host's PATH (to find linux.uml). */
  readonly pathEnv: string;
  /** Node binary for 'node' jobs; the host's, seen through hostfs. */
  readonly nodePath: string;
  readonly cwd: string;
}

export interface UmlRunResult {
  /** The job's exit code inside the guest (UML's own exit code carries no information). */
  readonly exitCode: number;
  /** Everything UML printed: kernel messages, init's markers and errors. */
  readonly console: string;
  /** The job's own stdout and stderr. */
  readonly stdout: string;
  readonly stderr: string;
  /** JSON the job wrote to the file named by LVSD_UML_RESULT, parsed; undefined when it wrote none. */
  readonly result: unknown;
  /** Files the job wrote into the directory named by LVSD_UML_OUTPUT_DIR: name -> UTF-8 content. */
  readonly files: Readonly<Record<string, string>>;
  /** Host wall time of the whole run. */
  readonly durationMs: number;
  /** Guest uptime when the job started (boot + mounts + modprobe) and when it ended. */
  readonly jobStartUptimeMs?: number;
  readonly jobEndUptimeMs?: number;
}

/** Environment variables the job finds. */
export const UML_ENV = {
  input: 'LVSD_UML_INPUT',
  result: 'LVSD_UML_RESULT',
  outputDir: 'LVSD_UML_OUTPUT_DIR',
  isInUml: 'LVSD_IN_UML',
} as const;

const CONSOLE_TAIL_LINES = 25;

export async function runInUml(options: UmlRunOptions, deps: UmlRunDeps): Promise<UmlRunResult> {
  const modules = options.modules ?? LAB_UML_MODULES;
  const prereqs = checkUmlPrerequisites({
    pathEnv: deps.pathEnv,
    modules,
    ...(options.umlBinary === undefined ? {} : { umlBinary: options.umlBinary }),
    ...(options.moduleTreeRoot === undefined ? {} : { moduleTreeRoot: options.moduleTreeRoot }),
    ...(options.kernelRelease === undefined ? {} : { kernelRelease: options.kernelRelease }),
  });
  if (!prereqs.isSatisfied || prereqs.umlBinaryPath === undefined || prereqs.modules === undefined) {
    throw new LvsdError('ERR_PREREQUISITE', `cannot run UML: ${describePrerequisiteIssues(prereqs.issues)}`, {
      details: { issues: prereqs.issues },
    });
  }
  await mkdir(HOST_MODULES_DIR, { recursive: true });
  const scratch = await mkdtemp(join(options.scratchParent ?? '/var/tmp', 'lvsd-uml-'));
  const nonce = randomBytes(8).toString('hex');
  const log = deps.logger.child({ component: 'uml-runner', run: nonce });
  try {
    const files = scratchFiles(scratch);
    await mkdir(files.outputDir);
    const env: Record<string, string> = {
      ...options.env,
      [UML_ENV.result]: files.result,
      [UML_ENV.outputDir]: files.outputDir,
      [UML_ENV.isInUml]: '1',
    };
    if (options.input !== undefined) {
      await writeFile(files.input, JSON.stringify(options.input));
      env[UML_ENV.input] = files.input;
    }
    const script = buildUmlInitScript({
      nonce,
      moduleTreeRoot: prereqs.moduleTreeRoot,
      modules: prereqs.modules.loadable,
      cwd: options.cwd ?? deps.cwd,
      env,
      argv: jobArgv(options.job, deps.nodePath),
      stdoutFile: files.stdout,
      stderrFile: files.stderr,
    });
    await writeFile(files.init, script, { mode: 0o755 });
    const args = [
      `mem=${options.memoryMb ?? 512}M`,
      'rootfstype=hostfs',
      'rootflags=/',
      'rw',
      `init=${files.init}`,
      'con=null',
      'con0=fd:0,fd:1',
      `umid=lvsd-${nonce}`,
      `uml_dir=${scratch}`,
      ...(options.isKernelQuiet === false ? [] : ['quiet']),
    ];
    log.info('uml run starting', { job: describeJob(options.job), modules: prereqs.modules.loadable.length, timeoutMs: options.timeoutMs });
    const run = await deps.runner.run({
      file: prereqs.umlBinaryPath,
      args,
      timeoutMs: options.timeoutMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const consoleText = run.stdout + run.stderr;
    const stdout = (await readOptional(files.stdout)) ?? '';
    const stderr = (await readOptional(files.stderr)) ?? '';
    const failure = { console: consoleText, stdout, stderr };
    if (run.isTimedOut) {
      throw new LvsdError('ERR_UML', `UML run timed out after ${options.timeoutMs} ms (${describeJob(options.job)}); ${tails(failure)}`, {
        details: failure,
      });
    }
    if (run.isAborted) throw new LvsdError('ERR_COMMAND_ABORTED', 'UML run aborted', { details: failure });
    const markers = parseUmlConsole(consoleText, nonce);
    if (markers.failedStep !== undefined) {
      throw new LvsdError('ERR_UML', `UML guest init failed at step "${markers.failedStep}"; ${tails(failure)}`, { details: failure });
    }
    if (markers.jobEnd === undefined) {
      throw new LvsdError('ERR_UML', `UML stopped without reporting the job's exit code (crash or kernel panic?); ${tails(failure)}`, {
        details: failure,
      });
    }
    const result = await readResult(files.result, failure);
    const outputFiles = await readOutputDir(files.outputDir);
    log.info('uml run finished', { exitCode: markers.jobEnd.exitCode, durationMs: Math.round(run.durationMs), bootMs: markers.jobStartUptimeMs });
    return {
      exitCode: markers.jobEnd.exitCode,
      console: consoleText,
      stdout,
      stderr,
      result,
      files: outputFiles,
      durationMs: run.durationMs,
      jobEndUptimeMs: markers.jobEnd.uptimeMs,
      ...(markers.jobStartUptimeMs === undefined ? {} : { jobStartUptimeMs: markers.jobStartUptimeMs }),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function scratchFiles(scratch: string) {
  return {
    init: join(scratch, 'init.sh'),
    input: join(scratch, 'input.json'),
    result: join(scratch, 'result.json'),
    stdout: join(scratch, 'job.stdout'),
    stderr: join(scratch, 'job.stderr'),
    outputDir: join(scratch, 'out'),
  };
}

export function jobArgv(job: UmlJob, nodePath: string): string[] {
  if (job.kind === 'node') return [nodePath, ...(job.nodeArgs ?? []), job.entry, ...(job.args ?? [])];
  return [job.file, ...(job.args ?? [])];
}

function describeJob(job: UmlJob): string {
  return job.kind === 'node' ? `node ${job.entry}` : job.file;
}

function tails(f: { console: string; stdout: string; stderr: string }): string {
  const parts = [`console tail:\n${tailLines(f.console, CONSOLE_TAIL_LINES)}`];
  if (f.stderr.trim() !== '') parts.push(`job stderr tail:\n${tailLines(f.stderr, CONSOLE_TAIL_LINES)}`);
  return parts.join('\n');
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function readResult(path: string, failure: { console: string; stdout: string; stderr: string }): Promise<unknown> {
  const text = await readOptional(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new LvsdError('ERR_UML', `the job's result file is not valid JSON: ${(e as Error).message}`, {
      cause: e,
      details: { ...failure, resultText: text.slice(0, 2000) },
    });
  }
}

async function readOutputDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile()) out[entry.name] = await readFile(join(dir, entry.name), 'utf8');
  }
  return out;
}

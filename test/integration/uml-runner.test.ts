/**
 * runInUml against the real UML kernel: exit code, stdout, result JSON and output files come back;
 * lo is up; /tmp and /run are private; modules load; a timeout kills UML and says so; a module the
 * tree lacks is refused before booting; the scratch directory never outlives the run.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { isLvsdError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { runInUml, type UmlRunDeps } from '../../src/lab/uml-runner.js';
import { requirePrereqs } from '../support/prereqs.js';

const gate = requirePrereqs(['root', 'uml']);

const deps: UmlRunDeps = {
  runner: createProcessRunner(),
  logger: silentLogger,
  pathEnv: process.env['PATH'] ?? '',
  nodePath: process.execPath,
  cwd: process.cwd(),
};

/** A scratch parent per test, so the test can see that runInUml cleaned up after itself. */
async function scratchParent(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp('/var/tmp/lvsd-uml-test-');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// A command job: `sh -c` with checks; `set -e` turns a failed check into a wrong exit code.
const JOB = [
  'set -e',
  'grep -q "^dummy " /proc/modules',
  'ip -o link show lo | grep -q "UP"',
  'test "$(stat -f -c %T /tmp)" = tmpfs',
  'test "$(stat -f -c %T /run)" = tmpfs',
  'test ! -e "$HOST_TMP_MARKER"', // the host's /tmp is not visible
  'test ! -e "$HOST_RUN_MARKER"', // nor its /run (so neither /run/netns)
  'cat "$LVSD_UML_INPUT"',
  'echo "to stderr" >&2',
  'printf \'{"answer":42,"inUml":"%s"}\' "$LVSD_IN_UML" > "$LVSD_UML_RESULT"',
  'echo extra > "$LVSD_UML_OUTPUT_DIR/extra.txt"',
  'exit 7',
].join('\n');

gate.test('runInUml returns the job exit code, stdout, stderr, result JSON and output files', async (t) => {
  const parent = await scratchParent(t);
  const tmpMarker = await mkdtemp('/tmp/lvsd-uml-marker-');
  const runMarker = `/run/lvsd-uml-marker-${process.pid}-${Date.now()}`;
  await writeFile(runMarker, '');
  t.teardown(() => Promise.all([rm(tmpMarker, { recursive: true, force: true }), rm(runMarker, { force: true })]).then(() => undefined));
  const run = await runInUml(
    {
      job: { kind: 'command', file: 'sh', args: ['-c', JOB] },
      modules: ['dummy'],
      input: { hello: 'guest' },
      env: { HOST_TMP_MARKER: tmpMarker, HOST_RUN_MARKER: runMarker },
      timeoutMs: 60_000,
      scratchParent: parent,
    },
    deps,
  );
  t.is(run.exitCode, 7, run.stderr);
  t.is(run.stdout, '{"hello":"guest"}');
  t.is(run.stderr, 'to stderr\n');
  t.deepEqual(run.result, { answer: 42, inUml: '1' });
  t.deepEqual(run.files, { 'extra.txt': 'extra\n' });
  t.true((run.jobStartUptimeMs ?? 0) > 0);
  t.true((run.jobEndUptimeMs ?? 0) >= (run.jobStartUptimeMs ?? 0));
  t.regex(run.console, /job-end exit=7/);
  t.deepEqual(await readdir(parent), [], 'scratch directory removed');
  t.log(`UML run: ${Math.round(run.durationMs)} ms, job started at guest uptime ${run.jobStartUptimeMs ?? '?'} ms`);
});

gate.test('runInUml kills UML on timeout and says it timed out', async (t) => {
  const parent = await scratchParent(t);
  const error = await t.throwsAsync(
    runInUml({ job: { kind: 'command', file: 'sleep', args: ['600'] }, modules: [], timeoutMs: 6_000, scratchParent: parent }, deps),
  );
  t.true(isLvsdError(error, 'ERR_UML'), String(error));
  t.regex(error?.message ?? '', /timed out after 6000 ms/);
  t.deepEqual(await readdir(parent), [], 'scratch directory removed');
  t.deepEqual(await processesMentioning(parent), [], 'no UML process left');
});

gate.test('a module missing from the UML tree is refused before booting, by name', async (t) => {
  const error = await t.throwsAsync(
    runInUml({ job: { kind: 'command', file: 'true' }, modules: ['ip_vs', 'no_such_module_xyz'], timeoutMs: 30_000 }, deps),
  );
  t.true(isLvsdError(error, 'ERR_PREREQUISITE'), String(error));
  t.regex(error?.message ?? '', /no_such_module_xyz/);
  t.notRegex(error?.message ?? '', /module ip_vs\b/);
});

/** PIDs whose command line contains `needle` (the scratch path is on UML's command line). */
async function processesMentioning(needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await readFile(join('/proc', entry, 'cmdline'), 'utf8')).includes(needle)) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

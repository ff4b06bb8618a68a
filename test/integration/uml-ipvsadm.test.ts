/**
 * `lvsd ipvsadm` against ipvsadm 1.31 on the real kernel IPVS of UML (Linux 6.1): one boot, one
 * long-lived guest process (test/fixtures/ipvsadm/uml-ipvsadm-job.ts). Asserts that
 *  - every listing of every corpus table (-Ln, --stats, --exact, --rate, --thresholds,
 *    --persistent-conn, --tun-info, --nosort, --timeout, --daemon, -Sn, -c, and -L, -S, -c with
 *    names) is byte for byte what ipvsadm prints, with the same exit code;
 *  - the corpus rules applied one by one through lvsd give the table ipvsadm -R gives;
 *  - failing command lines get ipvsadm's message and exit code, and change nothing;
 *  - `lvsd ipvsadm -R` with a bad line 7 (syntax; refused by the simulated kernel; refused by the
 *    real kernel only, after lines 1-6 were applied) names line 7 and leaves everything as it was.
 * LVSD_UPDATE_IPVSADM_GOLDENS=1 writes the captured goldens to test/fixtures/ipvsadm/goldens.json;
 * LVSD_IPVSADM_RESULT_FILE=PATH keeps the job's whole result (every output of both tools).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { silentLogger } from '../../src/core/logger.js';
import { IPVS_MODULES } from '../../src/lab/uml-modules.js';
import { runInUml } from '../../src/lab/uml-runner.js';
import { FAILING_LINES, NAMED_LISTINGS, NUMERIC_LISTINGS, SCENARIOS, SERVICE_LISTINGS } from '../fixtures/ipvsadm/ipvsadm-corpus.js';
import type { Comparison } from '../fixtures/ipvsadm/uml-ipvsadm-job.js';
import { requirePrereqs } from '../support/prereqs.js';

const gate = requirePrereqs(['root', 'uml', 'ipvsadm', 'ip']);

interface JobResult {
  comparisons: Comparison[];
  effects: { scenario: string; isEqual: boolean; expected: string; actual: string; failures: string[] }[];
  failures: { comparisons: Comparison[]; isTableUnchanged: boolean };
  restore: {
    cases: { name: string; expectedExitCode: number; exitCode: number; stdout: string; stderr: string; isUnchanged: boolean; before: string; after: string }[];
    roundTrip: { exitCode: number; stderr: string; isEqual: boolean; saved: string; after: string };
  };
}

function describe(c: Comparison): string {
  const show = (o: Comparison['expected']): string => `exit ${o.exitCode}\n--- stdout\n${o.stdout}--- stderr\n${o.stderr}`;
  return `[${c.scenario}] ipvsadm ${c.args} (${c.attempts} tries)\n=== ipvsadm\n${show(c.expected)}\n=== lvsd\n${show(c.actual)}`;
}

gate.test('lvsd ipvsadm vs ipvsadm 1.31 in UML: listings byte for byte, equal effects, errors, atomic -R', async (t) => {
  const run = await runInUml(
    {
      job: { kind: 'node', entry: join(process.cwd(), 'dist/test/fixtures/ipvsadm/uml-ipvsadm-job.js') },
      modules: [...IPVS_MODULES, 'ip_vs_pe_sip', 'dummy', 'ipv6'],
      timeoutMs: 280_000,
    },
    { runner: createProcessRunner(), logger: silentLogger, pathEnv: process.env['PATH'] ?? '', nodePath: process.execPath, cwd: process.cwd() },
  );
  t.is(run.exitCode, 0, `${run.stderr}\n${run.stdout}`);
  const r = run.result as JobResult | undefined;
  if (r === undefined) return t.fail(`no result; stderr:\n${run.stderr}`);
  const resultFile = process.env['LVSD_IPVSADM_RESULT_FILE']; // debugging: the job's whole result as JSON
  if (resultFile !== undefined) writeFileSync(resultFile, JSON.stringify(r, null, 1));
  if (process.env['LVSD_UPDATE_IPVSADM_GOLDENS'] === '1' && run.files['goldens.json'] !== undefined) {
    writeFileSync(join(process.cwd(), 'test/fixtures/ipvsadm/goldens.json'), run.files['goldens.json']);
  }

  const listings = r.comparisons;
  for (const c of listings) t.true(c.isEqual, describe(c));
  const expectedCount = SCENARIOS.reduce((n, s) => n + NUMERIC_LISTINGS.length + (s.hasNames === true ? NAMED_LISTINGS.length : 0) + (SERVICE_LISTINGS[s.name]?.length ?? 0), 0);
  t.is(listings.length, expectedCount);
  t.true(listings.some((c) => c.args === '-Lnc' && c.expected.stdout.split('\n').length > 6), 'the traffic scenario lists connections');
  t.true(listings.some((c) => c.args === '-L' && c.expected.stdout.includes('vip-one.example:http')), 'names are resolved without -n');

  for (const e of r.effects) t.true(e.isEqual, `[${e.scenario}] rules through lvsd\n${e.failures.join('\n')}\n=== after ipvsadm -R\n${e.expected}\n=== after lvsd\n${e.actual}`);

  for (const c of r.failures.comparisons) t.true(c.isEqual, describe(c));
  t.is(r.failures.comparisons.length, FAILING_LINES.length);
  t.true(r.failures.isTableUnchanged, 'the failing lines changed the table');

  for (const c of r.restore.cases) {
    t.is(c.exitCode, c.expectedExitCode, `${c.name}: ${c.stderr}`);
    t.regex(c.stderr, /^line 7: /m, `${c.name}: ${c.stderr}`);
    t.true(c.isUnchanged, `${c.name}: the table changed\n=== before\n${c.before}\n=== after\n${c.after}`);
  }
  t.deepEqual(
    r.restore.cases.map((c) => c.name),
    ['syntax', 'simulated-kernel', 'real-kernel-only'],
  );
  t.is(r.restore.roundTrip.exitCode, 0, r.restore.roundTrip.stderr);
  t.true(r.restore.roundTrip.isEqual, `=== saved\n${r.restore.roundTrip.saved}\n=== after lvsd -R\n${r.restore.roundTrip.after}`);
  t.log(`UML run ${Math.round(run.durationMs)} ms: ${listings.length} listings, ${r.failures.comparisons.length} failing lines, ${r.effects.length} tables rebuilt through lvsd`);
});

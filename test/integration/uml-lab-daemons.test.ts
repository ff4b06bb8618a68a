/**
 * runLab with daemons on, as `lvsd lab` runs it: the real `bin/lvsd.js run --foreground` in each
 * director namespace with its generated config, ready when its control socket exists, stopped with
 * SIGTERM and expected to exit 0, all while traffic flows.
 */
import { createProcessRunner } from '../../src/core/command-runner.js';
import { silentLogger } from '../../src/core/logger.js';
import { runLab } from '../../src/lab/lab.js';
import { requirePrereqs } from '../support/prereqs.js';

const gate = requirePrereqs(['root', 'uml', 'ipvsadm', 'ip', 'sysctl']);

gate.test('uml lab with daemons: one daemon per director starts, stays up during traffic, exits 0 on SIGTERM', async (t) => {
  const report = await runLab(
    { directors: 2, scenario: 'traffic-through-vip', timeoutMs: 90_000, realServers: 2, withDaemons: true, probe: { count: 6, intervalMs: 10 } },
    { runner: createProcessRunner(), logger: silentLogger, pathEnv: process.env['PATH'] ?? '', nodePath: process.execPath },
  );
  t.log(report.text);
  const result = report.result;
  if (result === undefined) {
    t.fail(`no scenario result; log:\n${report.scenarioLog}`);
    return;
  }
  t.is(result.error, undefined);
  const steps = result.timeline.map((e) => e.step);
  t.true(steps.indexOf('daemons-started') < steps.indexOf('probe-started'));
  t.true(steps.indexOf('daemons-stopped') < steps.indexOf('topology-removed'));
  t.deepEqual(result.daemons.map((d) => [d.name, d.exit]), [
    ['lvsd director-1', 'exit code 0'],
    ['lvsd director-2', 'exit code 0'],
  ]);
  // The real daemon's own last words: it stopped its components and exited on SIGTERM.
  for (const [i, d] of result.daemons.entries()) {
    t.true(d.stderrTail.some((l) => l.includes('"message":"lvsd stopped"') && l.includes(`"routerId":"director-${i + 1}"`)), d.stderrTail.join('\n'));
  }
  t.is(result.summary.okCount, 6);
  t.true(report.isOk);
});

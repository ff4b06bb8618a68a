/**
 * IPVS for real, inside UML (one boot, one long-lived scenario process): ip_vs loaded, the lab
 * topology, VIP 192.0.2.50 on director-1, the real `lvsd run --foreground` in each director namespace
 * as `lvsd lab` runs it, programming a direct-routing rr service with 3 real servers from its config
 * (ipvsadm -Sn, the oracle, must show exactly those rules), the client probing the VIP, then SIGTERM
 * and exit 0.
 * Goes through runLab, the API behind `lvsd lab`, so the report is checked too.
 */
import { createProcessRunner } from '../../src/core/command-runner.js';
import { silentLogger } from '../../src/core/logger.js';
import { runLab } from '../../src/lab/lab.js';
import { spreadOf } from '../../src/lab/probe-analysis.js';
import { weightsOf } from '../../src/lab/slowstart-ramp.js';
import { requirePrereqs } from '../support/prereqs.js';

const gate = requirePrereqs(['root', 'uml', 'ipvsadm', 'ip', 'sysctl']);

const PROBES = 30;

gate.test('uml ipvs: every real server answers through the VIP, rr spreads evenly, ipvsadm counts the connections, the daemons run and stop', async (t) => {
  const report = await runLab(
    { directors: 2, scenario: 'traffic-through-vip', timeoutMs: 90_000, realServers: 3, scheduler: 'rr', withDaemons: true, probe: { count: PROBES, intervalMs: 10, timeoutMs: 2000, maxDurationMs: 20_000 } },
    { runner: createProcessRunner(), logger: silentLogger, pathEnv: process.env['PATH'] ?? '', nodePath: process.execPath },
  );
  t.log(report.text);
  const result = report.result;
  if (result === undefined) {
    t.fail(`no scenario result; log:\n${report.scenarioLog}`);
    return;
  }
  t.is(result.error, undefined);
  t.true(result.ipvsModules.includes('ip_vs'));
  t.true(result.ipvsModules.includes('ip_vs_rr'));
  t.deepEqual(
    result.timeline.map((e) => e.step),
    ['ipvs-loaded', 'topology-created', 'http-servers-ready', 'vip-added', 'daemons-started', 'ipvs-service-created', 'probe-started', 'probe-finished', 'ipvs-connections', 'ipvs-stats', 'daemons-stopped', 'topology-removed'],
  );
  t.deepEqual(result.nodes.map((n) => n.name), ['director-1', 'director-2', 'rs-1', 'rs-2', 'rs-3', 'client']);

  // The client's view: every probe answered, by every real server, evenly (rr, one client, new connection each).
  t.is(result.summary.total, PROBES);
  t.is(result.summary.okCount, PROBES);
  t.deepEqual(Object.keys(result.summary.byServer), ['rs-1', 'rs-2', 'rs-3']);
  t.true(spreadOf(result.summary, ['rs-1', 'rs-2', 'rs-3']) <= 1, JSON.stringify(result.summary.byServer));
  t.is(result.summary.longestFailureGap.count, 0);

  // The kernel's view (ipvsadm): one DR service with the 3 real servers, and the connections counted.
  t.is(result.ipvsServices.length, 1);
  const service = result.ipvsServices[0];
  t.is(service?.protocol, 'TCP');
  t.is(service?.address, '192.0.2.50:80');
  t.is(service?.conns, PROBES);
  t.deepEqual(service?.destinations.map((d) => d.address), ['192.0.2.21:80', '192.0.2.22:80', '192.0.2.23:80']);
  t.deepEqual(service?.destinations.map((d) => d.conns), [PROBES / 3, PROBES / 3, PROBES / 3]);
  t.deepEqual(result.ipvsConnectionsByDestination, { '192.0.2.21:80': PROBES / 3, '192.0.2.22:80': PROBES / 3, '192.0.2.23:80': PROBES / 3 });

  // One lvsd per director, up during the traffic; each stopped its components and exited 0 on SIGTERM.
  t.deepEqual(result.daemons.map((d) => [d.name, d.exit]), [
    ['lvsd director-1', 'exit code 0'],
    ['lvsd director-2', 'exit code 0'],
  ]);
  for (const [i, d] of result.daemons.entries()) {
    t.true(d.stderrTail.some((l) => l.includes('"message":"lvsd stopped"') && l.includes(`"routerId":"director-${i + 1}"`)), d.stderrTail.join('\n'));
  }

  // Cleanup inside the guest (3 HTTP servers, 2 daemons), and the verdict.
  t.deepEqual(result.teardown?.remainingNamespaces, []);
  t.is(result.teardown?.stoppedProcesses.length, 5);
  t.true(result.isOk);
  t.true(report.isOk);
  t.is(report.uml.exitCode, 0);
  t.regex(report.text, /^lvsd lab: traffic-through-vip: OK$/m);
  t.regex(report.text, /by server: rs-1 10, rs-2 10, rs-3 10/);
  t.regex(report.text, /ipvs-service-created .* on director-1, director-2, by lvsd \(ipvsadm -Sn matches\)/);
});

gate.test('uml real-server failure: health checks take a stopped real server out of IPVS, traffic goes on without errors, it returns with its weight ramping (slowstart)', async (t) => {
  const report = await runLab(
    { directors: 2, scenario: 'real-server-failure', timeoutMs: 120_000, realServers: 3, scheduler: 'rr', withDaemons: true, probe: { count: 30, intervalMs: 10, timeoutMs: 2000, maxDurationMs: 20_000 } },
    { runner: createProcessRunner(), logger: silentLogger, pathEnv: process.env['PATH'] ?? '', nodePath: process.execPath },
  );
  t.log(report.text);
  const failure = report.result?.realServerFailure;
  if (failure === undefined) return t.fail(`no failure outcome; error: ${JSON.stringify(report.result?.error)}\n${report.scenarioLog.slice(-2000)}`);
  t.log(`rs-1 left IPVS ${failure.removedAfterMs} ms after its service stopped, returned ${failure.returnedAfterMs} ms after the restart`);
  t.is(failure.whileDown.okCount, failure.whileDown.total, 'no client error once rs-1 is out');
  t.deepEqual(Object.keys(failure.whileDown.byServer).sort(), ['rs-2', 'rs-3']);
  // slowstart (ipvsadm -Ln samples after its return): rs-1's weight rises through intermediate values
  // to the full weight; rs-2 and rs-3 keep the full weight in every sample.
  const rs1Weights = weightsOf(failure.weightSamples, '192.0.2.21:80');
  t.log(`rs-1's weight in ${rs1Weights.length} samples after its return: ${rs1Weights.join(' ')}`);
  t.is(failure.fullWeight, 10);
  t.true(rs1Weights.every((w, i) => i === 0 || w >= (rs1Weights[i - 1] ?? 0)), `non-decreasing: ${rs1Weights.join(' ')}`);
  t.true(rs1Weights.some((w) => w > 0 && w < failure.fullWeight), `a weight strictly between 0 and full: ${rs1Weights.join(' ')}`);
  t.is(rs1Weights.at(-1), failure.fullWeight);
  for (const other of ['192.0.2.22:80', '192.0.2.23:80']) t.deepEqual(new Set(weightsOf(failure.weightSamples, other)), new Set([failure.fullWeight]), other);
  t.is(failure.afterReturn.okCount, failure.afterReturn.total);
  t.true((failure.afterReturn.byServer['rs-1'] ?? 0) > 0, 'rs-1 answers again');
  const steps = report.result?.timeline.map((e) => e.step) ?? [];
  t.deepEqual(steps.filter((s) => s.startsWith('rs-1-') || s.startsWith('probe-')), ['probe-started', 'probe-finished', 'rs-1-stopped', 'rs-1-removed', 'probe-while-down', 'rs-1-restarted', 'rs-1-returned', 'rs-1-ramped', 'probe-after-return']);
  t.true(report.isOk);
});

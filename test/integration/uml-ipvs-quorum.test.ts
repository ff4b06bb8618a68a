/**
 * Virtual-service quorum for real, inside UML (one boot), through runLab, the API behind `lvsd lab`
 * (issue 5's acceptance: "lose enough servers and the sorry server takes over; regain and it leaves"):
 * lvsd on director-1 serves the VIP with rs-1..rs-3 (HTTP-checked, weight 1), quorum 2 and rs-4 as
 * sorry server. rs-1 and rs-2 stop: ipvsadm (the oracle) must show the sorry server alone taking new
 * connections, every client request must be answered by rs-4, and quorum_down must have run; rs-1
 * starts again: ipvsadm must show rs-1 and rs-3 back and the sorry server out, the clients must be
 * answered by them only, and quorum_up must have run after quorum_down.
 */
import { createProcessRunner } from '../../src/core/command-runner.js';
import { silentLogger } from '../../src/core/logger.js';
import { runLab } from '../../src/lab/lab.js';
import { requirePrereqs } from '../support/prereqs.js';

const gate = requirePrereqs(['root', 'uml', 'ipvsadm', 'ip', 'sysctl']);

gate.test('uml quorum: losing two of three real servers puts the sorry server in (quorum_down runs); one returning takes it out (quorum_up runs)', async (t) => {
  const report = await runLab(
    { directors: 1, scenario: 'quorum', timeoutMs: 150_000, realServers: 4, scheduler: 'rr', withDaemons: true, probe: { count: 30, intervalMs: 10, timeoutMs: 2000, maxDurationMs: 20_000 } },
    { runner: createProcessRunner(), logger: silentLogger, pathEnv: process.env['PATH'] ?? '', nodePath: process.execPath },
  );
  t.log(report.text);
  const r = report.result;
  const q = r?.quorum;
  if (r === undefined || q === undefined) return t.fail(`no quorum outcome; error: ${JSON.stringify(r?.error)}\n${report.scenarioLog.slice(-3000)}`);
  t.log(`sorry server in ${q.sorryInAfterMs} ms after rs-1 and rs-2 stopped (${q.tableWhileLost.join(', ')}); out ${q.sorryOutAfterMs} ms after rs-1 restarted (${q.tableAfterRegain.join(', ')})`);
  t.is(r.error, undefined);
  t.regex(report.text, /ipvs-service-created .*3 real servers .*sorry server rs-4 on director-1, by lvsd \(ipvsadm -Sn matches\)/);
  // Before: the three real servers answer, the sorry server does not.
  t.deepEqual(Object.keys(r.summary.byServer), ['rs-1', 'rs-2', 'rs-3']);
  // Quorum lost: the sorry server alone has weight; every probe answered, by rs-4 only.
  t.true(q.tableWhileLost.includes('192.0.2.24:80 w1'), q.tableWhileLost.join(', '));
  t.true(q.tableWhileLost.every((d) => d.startsWith('192.0.2.24:80') || d.endsWith(' w0')), q.tableWhileLost.join(', '));
  t.is(q.whileLost.okCount, q.whileLost.total);
  t.deepEqual(Object.keys(q.whileLost.byServer), ['rs-4']);
  // Quorum regained (rs-1 + rs-3 = 2): they serve again, the sorry server takes nothing.
  t.true(q.tableAfterRegain.includes('192.0.2.21:80 w1') && q.tableAfterRegain.includes('192.0.2.23:80 w1'), q.tableAfterRegain.join(', '));
  t.false(q.tableAfterRegain.includes('192.0.2.24:80 w1'), q.tableAfterRegain.join(', '));
  t.is(q.afterRegain.okCount, q.afterRegain.total);
  t.deepEqual(Object.keys(q.afterRegain.byServer), ['rs-1', 'rs-3']);
  // The scripts ran, in order, once each (one director).
  t.deepEqual(q.scriptLines, ['down', 'up']);
  t.deepEqual(r.daemons.map((d) => d.exit), ['exit code 0']);
  t.true(report.isOk);
});

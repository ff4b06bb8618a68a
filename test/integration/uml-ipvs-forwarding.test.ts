/**
 * IPVS forwarding methods and the drain, for real, inside UML (one boot per test), through runLab,
 * the API behind `lvsd lab`: lvsd in each director namespace programs the service from its generated
 * config with `forwarding: nat` or `forwarding: tun` (ipvsadm -Sn, the oracle, must show exactly the
 * -m / -i rules), and the client's probes must all be answered, by every real server.
 *   NAT: the client on its own subnet, director-1 its gateway and the real servers' (topology-plan.ts);
 *        the director must see the replies (OutPkts), which only masquerading does.
 *   TUN: the real servers prepared by `lvsd realserver setup --method tun`; their tunl0 must have
 *        decapsulated the client's packets, and the director must see no reply.
 *   Drain (over NAT): a real server holding a live TCP connection is removed from the config and lvsd
 *        reloaded (SIGHUP): weight 0 first, the connection keeps flowing, new connections go elsewhere,
 *        the destination stays while the connection lives and goes once it closed.
 */
import { createProcessRunner } from '../../src/core/command-runner.js';
import { silentLogger } from '../../src/core/logger.js';
import { runLab, type LabOptions } from '../../src/lab/lab.js';
import { requirePrereqs } from '../support/prereqs.js';

const gate = requirePrereqs(['root', 'uml', 'ipvsadm', 'ip', 'sysctl']);

const PROBES = 30;
const RS = ['rs-1', 'rs-2', 'rs-3'];
const RS_ADDRESSES = ['192.0.2.21:80', '192.0.2.22:80', '192.0.2.23:80'];

function lab(options: Partial<LabOptions>): ReturnType<typeof runLab> {
  return runLab(
    { directors: 2, scenario: 'traffic-through-vip', timeoutMs: 150_000, realServers: 3, scheduler: 'rr', withDaemons: true, probe: { count: PROBES, intervalMs: 10, timeoutMs: 2000, maxDurationMs: 20_000 }, ...options },
    { runner: createProcessRunner(), logger: silentLogger, pathEnv: process.env['PATH'] ?? '', nodePath: process.execPath },
  );
}

gate.serial('uml nat: lvsd programs a masquerading service, the replies come back through the director, every real server answers every probe', async (t) => {
  const report = await lab({ forwarding: 'nat' });
  t.log(report.text);
  const r = report.result;
  if (r === undefined) return t.fail(`no scenario result; log:\n${report.scenarioLog.slice(-3000)}`);
  t.is(r.error, undefined);
  t.is(r.forwarding, 'nat');
  t.is(r.nodes.find((n) => n.name === 'client')?.address, '198.51.100.100');
  t.regex(report.text, /ipvs-service-created .*\(masquerading\) on director-1, director-2, by lvsd \(ipvsadm -Sn matches\)/);

  t.is(r.summary.total, PROBES);
  t.is(r.summary.okCount, PROBES);
  t.deepEqual(Object.keys(r.summary.byServer).sort(), RS);
  t.deepEqual(r.ipvsConnectionsByDestination, Object.fromEntries(RS_ADDRESSES.map((a) => [a, PROBES / 3])));
  const service = r.ipvsServices[0];
  t.is(service?.address, '192.0.2.50:80');
  t.is(service?.conns, PROBES);
  t.deepEqual(service?.destinations.map((d) => [d.address, d.conns]), RS_ADDRESSES.map((a) => [a, PROBES / 3]));
  // Masquerading: every reply passed the director (at least SYN-ACK, response, FIN per connection).
  t.true((service?.outPkts ?? 0) >= 3 * PROBES, `OutPkts ${service?.outPkts ?? 'none'}`);
  t.true(r.isOk);
  t.true(report.isOk);
});

gate.serial('uml tun: lvsd prepares the real servers and programs an ipip service, the client\'s packets arrive through tunl0, every real server answers every probe', async (t) => {
  const report = await lab({ forwarding: 'tun' });
  t.log(report.text);
  const r = report.result;
  if (r === undefined) return t.fail(`no scenario result; log:\n${report.scenarioLog.slice(-3000)}`);
  t.is(r.error, undefined);
  t.is(r.forwarding, 'tun');
  t.true(r.timeline.some((e) => e.step === 'real-servers-prepared'));
  t.regex(report.text, /ipvs-service-created .*\(ipip tunnelling\) on director-1, director-2, by lvsd \(ipvsadm -Sn matches\)/);

  t.is(r.summary.total, PROBES);
  t.is(r.summary.okCount, PROBES);
  t.deepEqual(Object.keys(r.summary.byServer).sort(), RS);
  t.deepEqual(r.ipvsConnectionsByDestination, Object.fromEntries(RS_ADDRESSES.map((a) => [a, PROBES / 3])));
  const service = r.ipvsServices[0];
  t.is(service?.conns, PROBES);
  t.deepEqual(service?.destinations.map((d) => [d.address, d.conns]), RS_ADDRESSES.map((a) => [a, PROBES / 3]));
  // The client's packets (at least SYN, ACK+request, FIN per connection) were decapsulated by each real server's tunl0.
  for (const name of RS) t.true((r.tunl0RxPackets?.[name] ?? 0) >= 3 * (PROBES / 3), `${name} tunl0 rx ${r.tunl0RxPackets?.[name] ?? 'none'}`);
  // The replies went from the real servers to the client directly.
  t.is(service?.outPkts, 0);
  t.true(r.isOk);
  t.true(report.isOk);
});

gate.serial('uml drain: removing the real server that holds a live connection drains it (weight 0, the connection flows, new ones go elsewhere) and deletes it once the connection closed', async (t) => {
  const report = await lab({ scenario: 'drain', forwarding: 'nat', timeoutMs: 180_000 });
  t.log(report.text);
  const d = report.result?.drain;
  if (d === undefined) return t.fail(`no drain outcome; error: ${JSON.stringify(report.result?.error)}\n${report.scenarioLog.slice(-3000)}`);
  t.true(RS.includes(d.drainedServer));
  // Right after the reload: still there, weight 0, the held connection counted as active.
  t.like(d.whileDraining, { weight: 0, activeConns: 1, forward: 'Masq' });
  // The connection kept flowing from the same real server, through the reload and the drain.
  t.true(d.repliesWhileDraining >= 10, `${d.repliesWhileDraining} replies while draining`);
  t.deepEqual(d.heldConnectionServers, [d.drainedServer]);
  // New connections: the other two real servers only, none failed.
  t.deepEqual(Object.keys(d.newConnections).sort(), RS.filter((n) => n !== d.drainedServer));
  t.is(d.newConnectionErrors, 0);
  // Seconds of repair rounds later (one a second), still listed: the live connection kept it.
  t.like(d.beforeClose, { weight: 0, activeConns: 1 });
  // The client closed cleanly, every line answered; then the destination went, because it drained.
  t.is(d.closed?.reason, 'stopped');
  t.is(d.closed?.received, d.closed?.sent);
  t.deepEqual(d.daemonChanges.map((c) => `${c.op} ${c.reason}`), ['add-destination missing', 'edit-destination drain', 'delete-destination drained']);
  t.log(`weight 0 ${d.weightZeroAfterMs} ms after SIGHUP; deleted ${d.deletedAfterCloseMs} ms after the close`);
  t.true(report.result?.isOk);
  t.true(report.isOk);
});

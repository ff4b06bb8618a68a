/**
 * The lab topology on the HOST kernel (no IPVS needed): namespaces, bridge, HTTP name servers, and
 * the bounded prober in the client namespace. Nothing is created in the host's root namespace
 * except the namespaces themselves; teardown is verified.
 */
import { systemClock } from '../../src/core/clock.js';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { silentLogger } from '../../src/core/logger.js';
import { createChildProcessSpawner } from '../../src/lab/lab-process.js';
import { runProberIn } from '../../src/lab/prober-remote.js';
import { createTopology } from '../../src/lab/topology.js';
import { requirePrereqs } from '../support/prereqs.js';

const gate = requirePrereqs(['root', 'netns', 'ip', 'sysctl']);

gate.test('host netns: the client reaches each real server through the bridge and gets its name; teardown removes everything', async (t) => {
  const runner = createProcessRunner();
  const topology = await createTopology(
    { directorCount: 2, realServerCount: 2 },
    { runner, spawner: createChildProcessSpawner(systemClock), logger: silentLogger, nodePath: process.execPath },
  );
  t.teardown(async () => {
    await topology.teardown();
  });
  const client = topology.client;
  if (client === undefined) throw new Error('the topology has a client by default');
  t.deepEqual(
    topology.nodes.map((n) => `${n.name}=${n.address.text}`),
    ['director-1=192.0.2.11', 'director-2=192.0.2.12', 'rs-1=192.0.2.21', 'rs-2=192.0.2.22', 'client=192.0.2.100'],
  );
  t.true(topology.nodes.every((n) => n.namespace.length <= 15));
  t.deepEqual((await topology.listNamespaces()).sort(), [...topology.nodes.map((n) => n.namespace), topology.plan.switchNamespace].sort());

  for (const rs of topology.realServers) {
    const run = await runProberIn(
      topology,
      client.namespace,
      { url: `http://${rs.address.text}/`, count: 5, intervalMs: 20, timeoutMs: 2000, maxDurationMs: 10_000 },
      process.execPath,
    );
    t.is(run.summary.total, 5, rs.name);
    t.is(run.summary.okCount, 5, rs.name);
    t.deepEqual(run.summary.byServer, { [rs.name]: 5 });
    t.is(run.stoppedBy, 'count');
  }

  // Links exist only inside the run's namespaces: a director sees its eth0 and lo, nothing else.
  const links = await topology.execChecked(topology.node('director-1').namespace, 'ip', ['-o', 'link', 'show']);
  t.deepEqual(
    links.stdout.trim().split('\n').map((l) => l.split(':')[1]?.trim().split('@')[0]),
    ['lo', 'eth0'],
  );

  const pids = topology.processes().map((p) => p.pid);
  t.is(pids.length, 2);
  const report = await topology.teardown();
  t.deepEqual(report.remainingNamespaces, []);
  t.deepEqual(report.errors, []);
  t.is(report.stoppedProcesses.length, 2);
  t.deepEqual(await topology.listNamespaces(), []);
  for (const pid of pids) t.false(isAlive(pid), `process ${pid} is gone`);
  t.is(await topology.teardown(), report, 'teardown is idempotent');
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Replays of ipvsadm 1.31's own output (test/fixtures/ipvsadm/goldens.json, captured in UML): for
 * every listing of every corpus table, `lvsd ipvsadm` given the same kernel state, names and
 * /proc/net/ip_vs_conn prints the same bytes with the same exit code; for every failing command
 * line on the "features" table (the in-memory kernel seeded with it), the same message and code.
 */
import test from 'ava';
import { runIpvsadm } from '../../../src/ipvsadm/run-ipvsadm.js';
import { captureDeps, loadGoldens, memoryKernel, scenarioState, snapshotClient, unclosable, words } from './golden-deps.js';

const goldens = loadGoldens();

test('the goldens were captured from ipvsadm 1.31 and cover every corpus table', (t) => {
  t.regex(goldens.capturedWith, /^ipvsadm v1\.31 /);
  t.deepEqual(
    goldens.scenarios.map((s) => s.name),
    ['empty', 'features', 'daemons', 'backup-daemon-v6-group', 'names', 'traffic', 'netmask-holes'],
  );
  t.true(goldens.failures.length > 100);
});

for (const scenario of goldens.scenarios) {
  test(`listings of "${scenario.name}" are byte for byte ipvsadm's`, async (t) => {
    for (const output of scenario.outputs) {
      const c = captureDeps({
        client: snapshotClient(scenarioState(scenario, output.state)),
        ...(output.connections === undefined ? {} : { connections: output.connections }),
        hosts: scenario.hosts,
        services: scenario.services,
      });
      const code = await runIpvsadm(words(output.args), c.deps);
      t.is(c.out(), output.stdout, `ipvsadm ${output.args}`);
      t.is(c.err(), output.stderr, `ipvsadm ${output.args} (stderr)`);
      t.is(code, output.exitCode, `ipvsadm ${output.args} (exit code)`);
    }
  });
}

test('failing command lines get ipvsadm\'s message and exit code', async (t) => {
  const features = goldens.scenarios.find((s) => s.name === 'features');
  if (features === undefined) return t.fail('no features scenario');
  const kernel = await memoryKernel(scenarioState(features, 0));
  const before = await kernel.listServices();
  for (const f of goldens.failures) {
    const c = captureDeps({ client: unclosable(kernel) });
    const code = await runIpvsadm(words(f.args), c.deps);
    t.is(c.err(), f.stderr, `ipvsadm ${f.args}`);
    t.is(c.out(), f.stdout, `ipvsadm ${f.args} (stdout)`);
    t.is(code, f.exitCode, `ipvsadm ${f.args} (exit code)`);
  }
  t.deepEqual(await kernel.listServices(), before);
});

/**
 * Health checks drive the IPVS table, end to end on the host (no root, no IPVS kernel): real TCP
 * checks against servers on loopback, the reconciler on the in-memory kernel. Stopping a server takes
 * it out of the table; starting it again brings it back. Both health components: in-process and on a
 * worker thread (the daemon's).
 */
import test from 'ava';
import { createServer, type Server } from 'node:net';
import { systemClock } from '../../src/core/clock.js';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { MemoryIpvsClient } from '../../src/ipvs/memory-ipvs-client.js';
import { readIpvsTable } from '../../src/ipvs/ipvs-client.js';
import { createIpvsReconciler } from '../../src/ipvs/ipvs-reconciler.js';
import { createHealthComponent } from '../../src/ipvs/health-component.js';
import { createHealthWorkerComponent } from '../../src/ipvs/health-worker-component.js';
import { buildHealthPlan } from '../../src/ipvs/health-plan.js';
import { parseYamlConfig } from '../../config/yaml-source.js';
import { validateConfig } from '../../config/validate.js';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer((c) => c.end());
    s.once('error', reject);
    s.listen(port, '127.0.0.2', () => resolve(s));
  });
}

async function until(what: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  for (let waited = 0; waited <= timeoutMs; waited += 50) {
    if (await what()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

const COMPONENTS = [
  { name: 'in-process', create: createHealthComponent, portOffset: 0 },
  { name: 'on a worker thread', create: createHealthWorkerComponent, portOffset: 1 },
] as const;

for (const { name, create, portOffset } of COMPONENTS) test(`${name}: a real server whose TCP check fails leaves the IPVS table within fall x fastInterval + timeout, and returns`, async (t) => {
  const port = 20000 + (process.pid % 20000) + portOffset;
  const server = await listen(port);
  const r = validateConfig(parseYamlConfig(`ipvs:
  virtualServers:
    - address: 192.0.2.50
      port: ${port}
      healthCheckDefaults: { interval: 100ms, timeout: 200ms, rise: 2, fall: 2 }
      realServers:
        - { address: 127.0.0.2, healthChecks: [{ type: tcp }] }
        - { address: 192.0.2.23 }
`, 't.yaml'));
  if (r.config === undefined) return t.fail(JSON.stringify(r.issues));
  const config = r.config.ipvs;
  const logger = createMemoryLogger();
  const kernel = new MemoryIpvsClient();
  let onChange = (): void => undefined;
  const health = create(buildHealthPlan(config), { clock: systemClock, logger, runner: createProcessRunner(), random: Math.random, onChange: () => onChange() });
  const ipvs = createIpvsReconciler(config, {
    clock: systemClock,
    logger,
    openClient: async () => kernel,
    sysctl: { read: async () => undefined, write: async () => undefined },
    ownership: { load: async () => [], save: async () => undefined },
    health: health.view,
  });
  onChange = () => void ipvs.reconcile('health').catch(() => undefined);
  t.teardown(async () => {
    await health.stop();
    await ipvs.stop();
    server.close();
  });
  const servers = async (): Promise<string[]> => (await readIpvsTable(kernel))[0]?.destinations.map((d) => d.destination.key.address.text) ?? [];
  await health.start(new AbortController().signal);
  await ipvs.start(new AbortController().signal);
  t.deepEqual(await servers(), ['127.0.0.2', '192.0.2.23']);

  await new Promise<void>((resolve) => server.close(() => resolve()));
  const t0 = Date.now();
  t.true(await until(async () => (await servers()).join() === '192.0.2.23', 5000), 'the failed server leaves the table');
  t.log(`removed ${Date.now() - t0} ms after the server stopped (bound: fall 2 x fastInterval 100 ms + timeout 200 ms + one interval)`);
  const change = logger.entries.find((e) => e.message === 'real server health changed' && e.fields['present'] === false);
  t.is(change?.fields['check'], 'tcp');
  t.is(change?.fields['reason'], 'connect-refused');
  t.true(logger.entries.some((e) => e.message === 'ipvs change' && e.fields['rs'] === `127.0.0.2:${port}` && e.fields['reason'] === 'failed'), 'deleted at once as failed, not drained');

  const back = await listen(port);
  t.teardown(() => void back.close());
  t.true(await until(async () => (await servers()).includes('127.0.0.2'), 5000), 'it returns after rise successes');
});

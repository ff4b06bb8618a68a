/** The in-memory kernel meets the IpvsClient contract (the same one the real kernel meets in UML). */
import test from 'ava';
import { isIpvsError } from '../../../src/ipvs/ipvs-error.js';
import { MemoryIpvsClient } from '../../../src/ipvs/memory-ipvs-client.js';
import { runIpvsClientContract } from './ipvs-client-contract.js';
import { dest, svc, tcp } from './ipvs-test-values.js';

test('the IpvsClient contract', async (t) => {
  const checks = await runIpvsClientContract(new MemoryIpvsClient());
  for (const c of checks) t.true(c.ok, `${c.name}\n  expected ${c.expected}\n  actual   ${c.actual}`);
  t.is(checks.length, 27);
});

test('a scheduler or persistence engine the kernel lacks is ERR_IPVS_NO_SUCH_SCHEDULER', async (t) => {
  const client = new MemoryIpvsClient({ schedulers: ['rr'], persistenceEngines: [] });
  await client.addService(svc(tcp('192.0.2.1', 80), 'rr'));
  await t.throwsAsync(client.addService(svc(tcp('192.0.2.1', 81), 'wlc')), { instanceOf: Error, message: 'Scheduler or persistence engine not found' });
  const err = await t.throwsAsync(client.editService(svc(tcp('192.0.2.1', 80), 'rr', { persistenceEngine: 'sip' })));
  t.true(isIpvsError(err, 'ERR_IPVS_NO_SUCH_SCHEDULER'));
});

test('mutations are recorded in order; reads are not', async (t) => {
  const client = new MemoryIpvsClient();
  const key = tcp('192.0.2.1', 80);
  await client.addService(svc(key, 'rr'));
  await client.addDestination(key, dest('192.0.2.8', 80));
  await client.listServices();
  await client.editDestination(key, dest('192.0.2.8', 80, undefined, { weight: 0 }));
  t.deepEqual(client.operations, [
    { command: 'new-service', vs: 'tcp 192.0.2.1:80' },
    { command: 'new-dest', vs: 'tcp 192.0.2.1:80', rs: '192.0.2.8:80' },
    { command: 'set-dest', vs: 'tcp 192.0.2.1:80', rs: '192.0.2.8:80' },
  ]);
});

test('connection counts set by a test show in the destination list', async (t) => {
  const client = new MemoryIpvsClient();
  const key = tcp('192.0.2.1', 80);
  await client.addService(svc(key, 'rr'));
  await client.addDestination(key, dest('192.0.2.8', 80));
  client.setConnections(key, dest('192.0.2.8', 80).key, { active: 3, inactive: 1 });
  const [entry] = await client.listDestinations(key);
  t.like(entry, { activeConnections: 3, inactiveConnections: 1, persistentConnections: 0 });
});

test('aborted, invalid and closed calls fail with their codes and change nothing', async (t) => {
  const client = new MemoryIpvsClient();
  const aborted = await t.throwsAsync(client.addService(svc(tcp('192.0.2.1', 80), 'rr'), AbortSignal.abort()));
  t.true(isIpvsError(aborted, 'ERR_IPVS_ABORTED'));
  const invalid = await t.throwsAsync(client.addService(svc(tcp('192.0.2.1', 70000), 'rr')));
  t.true(isIpvsError(invalid, 'ERR_IPVS_INVALID'));
  t.deepEqual(await client.listServices(), []);
  client.close();
  const closed = await t.throwsAsync(client.listServices());
  t.true(isIpvsError(closed, 'ERR_IPVS_CLOSED'));
});

/**
 * planIpvs, table-driven, against the in-memory kernel: minimal operations, edits in place,
 * ownership, drift repair, and the drain of destinations and services with a fake clock.
 */
import test from 'ava';
import { applyIpvsPlan } from '../../../src/ipvs/apply-ipvs-plan.js';
import { readIpvsTable } from '../../../src/ipvs/ipvs-client.js';
import { MemoryIpvsClient } from '../../../src/ipvs/memory-ipvs-client.js';
import { type DesiredIpvsService, EMPTY_PLAN_STATE, type IpvsPlanParams, type IpvsPlanState, planIpvs } from '../../../src/ipvs/plan.js';
import { dest, MASQ, ROUTE, svc, tcp, udp } from './ipvs-test-values.js';

const DRAIN: IpvsPlanParams = { drainTimeoutMs: 30_000, isServiceRemovalImmediate: false };
const WEB = tcp('192.0.2.1', 80);
const DNS = udp('192.0.2.2', 53);

const table = (): DesiredIpvsService[] => [
  { service: svc(WEB, 'wlc'), destinations: [dest('192.0.2.11', 80), dest('192.0.2.12', 80, ROUTE, { weight: 2 })] },
  { service: svc(DNS, 'rr'), destinations: [dest('192.0.2.21', 53, MASQ)] },
];

/** A kernel and the planner state after converging on `desired`. */
async function converged(desired: DesiredIpvsService[], params = DRAIN) {
  const kernel = new MemoryIpvsClient();
  let state: IpvsPlanState = EMPTY_PLAN_STATE;
  const plan = planIpvs(desired, await readIpvsTable(kernel), state, 0, params);
  await applyIpvsPlan(kernel, plan.ops);
  state = plan.state;
  kernel.operations.length = 0;
  return { kernel, state };
}

/** One round: read, plan, apply; returns the plan. */
async function round(kernel: MemoryIpvsClient, desired: DesiredIpvsService[], state: IpvsPlanState, nowMs: number, params = DRAIN) {
  const plan = planIpvs(desired, await readIpvsTable(kernel), state, nowMs, params);
  const result = await applyIpvsPlan(kernel, plan.ops);
  return { plan, result };
}

const summary = (ops: readonly { op: string; reason: string }[]) => ops.map((o) => `${o.op}:${o.reason}`);

test('from empty: services first, then their destinations', async (t) => {
  const plan = planIpvs(table(), [], EMPTY_PLAN_STATE, 0, DRAIN);
  t.deepEqual(summary(plan.ops), ['add-service:missing', 'add-service:missing', 'add-destination:missing', 'add-destination:missing', 'add-destination:missing']);
  t.deepEqual([...plan.state.ownedServices], ['tcp 192.0.2.1:80', 'udp 192.0.2.2:53']);
});

test('planning against the applied result gives nothing (idempotent)', async (t) => {
  const { kernel, state } = await converged(table());
  const { plan } = await round(kernel, table(), state, 1000);
  t.deepEqual(plan.ops, []);
  t.deepEqual(kernel.operations, []);
});

test('one weight change is one operation, an edit in place', async (t) => {
  const { kernel, state } = await converged(table());
  const desired = table();
  desired[0] = { ...desired[0]!, destinations: [dest('192.0.2.11', 80, ROUTE, { weight: 5 }), dest('192.0.2.12', 80, ROUTE, { weight: 2 })] };
  await round(kernel, desired, state, 1000);
  t.deepEqual(kernel.operations, [{ command: 'set-dest', vs: 'tcp 192.0.2.1:80', rs: '192.0.2.11:80' }]);
});

test('scheduler, persistence and forwarding changes are edits, never delete + add', async (t) => {
  const { kernel, state } = await converged(table());
  const desired: DesiredIpvsService[] = [
    { service: svc(WEB, 'sh', { schedulerFlags: ['sh-port'], persistence: { timeoutS: 300, netmaskPrefixLength: 24 } }), destinations: [dest('192.0.2.11', 80, { method: 'tunnel', tunnel: { type: 'gue', port: 6080, checksum: 'csum' } }), dest('192.0.2.12', 80, ROUTE, { weight: 2 })] },
    table()[1]!,
  ];
  await round(kernel, desired, state, 1000);
  t.deepEqual(kernel.operations.map((o) => o.command), ['set-service', 'set-dest']);
});

test('a persistence mask with holes set behind our back (ipvsadm -M 255.255.0.255) is edited back to the configured /24', async (t) => {
  const configured = (): DesiredIpvsService[] => [{ service: svc(WEB, 'wlc', { persistence: { timeoutS: 300, netmaskPrefixLength: 24 } }), destinations: [] }];
  const { kernel, state } = await converged(configured());
  await kernel.editService(svc(WEB, 'wlc', { persistence: { timeoutS: 300, netmaskPrefixLength: 24, ipv4Netmask: 0xffff00ff } }));
  kernel.operations.length = 0;
  const plan = planIpvs(configured(), await readIpvsTable(kernel), state, 1000, DRAIN);
  t.deepEqual(summary(plan.ops), ['edit-service:changed']);
});

test('services lvsd does not own are left alone, destinations included', async (t) => {
  const { kernel, state } = await converged(table());
  const foreign = tcp('198.51.100.1', 443);
  await kernel.addService(svc(foreign, 'rr'));
  await kernel.addDestination(foreign, dest('198.51.100.9', 443));
  kernel.operations.length = 0;
  const { plan } = await round(kernel, table(), state, 1000);
  t.deepEqual(plan.ops, []);
  t.deepEqual(plan.foreignServices, [foreign]);
  t.is((await kernel.listDestinations(foreign)).length, 1);
});

test('a declared service that already exists is adopted: edited to match, then owned', async (t) => {
  const kernel = new MemoryIpvsClient();
  await kernel.addService(svc(WEB, 'rr'));
  await kernel.addDestination(WEB, dest('192.0.2.99', 80));
  const { plan } = await round(kernel, [table()[0]!], EMPTY_PLAN_STATE, 0);
  t.deepEqual(summary(plan.ops), ['edit-service:changed', 'add-destination:missing', 'add-destination:missing', 'edit-destination:drain']);
  t.true(plan.state.ownedServices.has('tcp 192.0.2.1:80'));
});

test('drift repair: what someone deleted, edited or added behind our back', async (t) => {
  const { kernel, state } = await converged(table());
  await kernel.deleteDestination(WEB, dest('192.0.2.11', 80).key); // ipvsadm -d
  await kernel.editDestination(DNS, dest('192.0.2.21', 53, MASQ, { weight: 9 })); // ipvsadm -e
  await kernel.addDestination(DNS, dest('192.0.2.22', 53, MASQ)); // ipvsadm -a
  const { plan } = await round(kernel, table(), state, 1000);
  t.deepEqual(summary(plan.ops), ['add-destination:missing', 'edit-destination:changed', 'edit-destination:drain']);
});

test('a removed destination: weight 0, kept while it has connections, deleted when they are gone', async (t) => {
  const { kernel, state } = await converged(table());
  const desired = table();
  desired[0] = { ...desired[0]!, destinations: [dest('192.0.2.12', 80, ROUTE, { weight: 2 })] };
  const first = await round(kernel, desired, state, 1000);
  t.deepEqual(summary(first.plan.ops), ['edit-destination:drain']);
  t.is(first.plan.nextDeadlineMs, 31_000);
  kernel.setConnections(WEB, dest('192.0.2.11', 80).key, { active: 2 });
  const waiting = await round(kernel, desired, first.plan.state, 5000);
  t.deepEqual(waiting.plan.ops, []);
  kernel.setConnections(WEB, dest('192.0.2.11', 80).key, { active: 0, inactive: 4 });
  const done = await round(kernel, desired, waiting.plan.state, 9000);
  t.deepEqual(summary(done.plan.ops), ['delete-destination:drained']);
  t.is(done.plan.nextDeadlineMs, undefined);
  t.deepEqual((await kernel.listDestinations(WEB)).map((d) => d.destination.key.address.text), ['192.0.2.12']);
});

test('a drain that outlasts drainTimeoutMs ends in a delete', async (t) => {
  const { kernel, state } = await converged(table());
  const desired = [table()[1]!, { ...table()[0]!, destinations: [] }];
  const first = await round(kernel, desired, state, 1000);
  for (const d of table()[0]!.destinations) kernel.setConnections(WEB, d.key, { active: 1 });
  t.deepEqual((await round(kernel, desired, first.plan.state, 30_999)).plan.ops, []);
  const late = await round(kernel, desired, first.plan.state, 31_000);
  t.deepEqual(summary(late.plan.ops), ['delete-destination:drain-timeout', 'delete-destination:drain-timeout']);
});

test('a destination that comes back while draining gets its weight back and stops draining', async (t) => {
  const { kernel, state } = await converged(table());
  const without = table();
  without[0] = { ...without[0]!, destinations: [dest('192.0.2.12', 80, ROUTE, { weight: 2 })] };
  const first = await round(kernel, without, state, 1000);
  const back = await round(kernel, table(), first.plan.state, 2000);
  t.deepEqual(summary(back.plan.ops), ['edit-destination:changed']);
  t.is(back.plan.state.drainingDestinations.size, 0);
});

test('a removed service drains its destinations, then goes; or goes at once when told', async (t) => {
  const { kernel, state } = await converged(table());
  const first = await round(kernel, [table()[1]!], state, 1000);
  t.deepEqual(summary(first.plan.ops), ['edit-destination:drain', 'edit-destination:drain']);
  t.true(first.plan.state.ownedServices.has('tcp 192.0.2.1:80'), 'still owned while draining');
  const second = await round(kernel, [table()[1]!], first.plan.state, 2000);
  t.deepEqual(summary(second.plan.ops), ['delete-service:drained']);
  t.false(second.plan.state.ownedServices.has('tcp 192.0.2.1:80'));
  t.is(await kernel.getService(WEB), undefined);

  const again = await converged(table());
  const immediate = await round(again.kernel, [table()[1]!], again.state, 1000, { ...DRAIN, isServiceRemovalImmediate: true });
  t.deepEqual(summary(immediate.plan.ops), ['delete-service:removed']);
});

test('drainTimeoutMs 0 deletes removed destinations at once', async (t) => {
  const params = { drainTimeoutMs: 0, isServiceRemovalImmediate: false };
  const { kernel, state } = await converged(table(), params);
  const desired = [table()[1]!, { ...table()[0]!, destinations: [] }];
  const { plan } = await round(kernel, desired, state, 1000, params);
  t.deepEqual(summary(plan.ops), ['delete-destination:removed', 'delete-destination:removed']);
});

test('duplicate keys in the desired table are a bug of the caller', (t) => {
  t.throws(() => planIpvs([table()[0]!, table()[0]!], [], EMPTY_PLAN_STATE, 0, DRAIN), { instanceOf: RangeError });
  const twice = { service: svc(WEB, 'rr'), destinations: [dest('192.0.2.11', 80), dest('192.0.2.11', 80)] };
  t.throws(() => planIpvs([twice], [], EMPTY_PLAN_STATE, 0, DRAIN), { instanceOf: RangeError });
});

test('operations of a service whose add failed are skipped, not sent', async (t) => {
  const kernel = new MemoryIpvsClient({ schedulers: ['rr'] });
  const plan = planIpvs([table()[0]!], [], EMPTY_PLAN_STATE, 0, DRAIN);
  const result = await applyIpvsPlan(kernel, plan.ops);
  t.is(result.failed[0]?.error.code, 'ERR_IPVS_NO_SUCH_SCHEDULER');
  t.is(result.skipped.length, 2);
  t.deepEqual(kernel.operations, []);
});

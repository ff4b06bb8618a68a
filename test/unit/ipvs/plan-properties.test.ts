/**
 * Properties of planIpvs + applyIpvsPlan against the in-memory kernel, from random desired tables
 * and random starting kernels (some services declared, some owned from an earlier run, some foreign):
 * the kernel accepts every operation, the table converges within three rounds (drains need two),
 * then planning gives nothing; foreign services are never touched; a single weight change is a
 * single operation.
 */
import test from 'ava';
import fc from 'fast-check';
import { applyIpvsPlan } from '../../../src/ipvs/apply-ipvs-plan.js';
import { readIpvsTable, type IpvsTableEntry } from '../../../src/ipvs/ipvs-client.js';
import { MemoryIpvsClient } from '../../../src/ipvs/memory-ipvs-client.js';
import { formatDestinationKey, formatServiceKey, ipFamilyOfServiceKey } from '../../../src/ipvs/model.js';
import { type DesiredIpvsService, EMPTY_PLAN_STATE, type IpvsPlanState, isSameDestination, isSameService, planIpvs } from '../../../src/ipvs/plan.js';
import * as arb from './ipvs-arbitraries.js';

const PARAMS = { drainTimeoutMs: 10_000, isServiceRemovalImmediate: false };

const serviceWithDests = (): fc.Arbitrary<DesiredIpvsService> =>
  arb.service().chain((service) =>
    fc
      .uniqueArray(arb.destination(ipFamilyOfServiceKey(service.key)), { selector: (d) => formatDestinationKey(d.key), maxLength: 4 })
      .map((destinations) => ({ service, destinations })),
  );

const tables = fc.uniqueArray(serviceWithDests(), { selector: (s) => formatServiceKey(s.service.key), maxLength: 6 });

/** Desired, plus a starting kernel: declared keys with other contents, earlier-owned and foreign services. */
const scenario = fc
  .record({ desired: tables, extra: tables, reuse: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), ownExtra: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }) })
  .map(({ desired, extra, reuse, ownExtra }) => {
    const desiredKeys = new Set(desired.map((d) => formatServiceKey(d.service.key)));
    const others = extra.filter((e) => !desiredKeys.has(formatServiceKey(e.service.key)));
    // Some declared services already exist with other settings (same key, the extra table's contents).
    const existing = desired.filter((_, i) => reuse[i] === true).map((d, i) => ({ service: otherSettings(d, others[i]), destinations: sameFamily(d, others[i]) }));
    const owned = others.filter((_, i) => ownExtra[i] === true);
    const foreign = others.filter((_, i) => ownExtra[i] !== true);
    return { desired, initial: [...existing, ...owned, ...foreign], owned, foreign };
  });

/** `d`'s service with other settings: `other`'s scheduler and flags, persistence flipped. */
function otherSettings(d: DesiredIpvsService, other: DesiredIpvsService | undefined): DesiredIpvsService['service'] {
  const { persistence: _dropped, ...rest } = d.service;
  const base = { ...rest, scheduler: other?.service.scheduler ?? 'rr', schedulerFlags: other?.service.schedulerFlags ?? [] };
  return d.service.persistence === undefined ? { ...base, persistence: { timeoutS: 77, netmaskPrefixLength: 1 } } : base;
}

/** Destinations of `other` that may live in `d`'s service (same family, or tunnelled). */
function sameFamily(d: DesiredIpvsService, other: DesiredIpvsService | undefined): readonly DesiredIpvsService['destinations'][number][] {
  const family = ipFamilyOfServiceKey(d.service.key);
  return (other?.destinations ?? []).filter((x) => x.key.address.family === family || x.forwarding.method === 'tunnel');
}

async function load(table: readonly DesiredIpvsService[]): Promise<MemoryIpvsClient> {
  const kernel = new MemoryIpvsClient();
  for (const s of table) {
    await kernel.addService(s.service);
    for (const d of s.destinations) await kernel.addDestination(s.service.key, d);
  }
  kernel.operations.length = 0;
  return kernel;
}

const sameContent = (want: DesiredIpvsService, have: IpvsTableEntry | undefined): boolean =>
  have !== undefined &&
  isSameService(want.service, have.service.service) &&
  want.destinations.length === have.destinations.length &&
  want.destinations.every((d) => have.destinations.some((h) => formatDestinationKey(h.destination.key) === formatDestinationKey(d.key) && isSameDestination(d, h.destination)));

test('converges in at most three rounds, then plans nothing; foreign services untouched', async (t) => {
  await fc.assert(
    fc.asyncProperty(scenario, async ({ desired, initial, owned, foreign }) => {
      const kernel = await load(initial);
      let state: IpvsPlanState = { ...EMPTY_PLAN_STATE, ownedServices: new Set(owned.map((o) => formatServiceKey(o.service.key))) };
      const foreignKeys = new Set(foreign.map((f) => formatServiceKey(f.service.key)));
      let rounds = 0;
      for (let nowMs = 0; ; nowMs += 1000) {
        const plan = planIpvs(desired, await readIpvsTable(kernel), state, nowMs, PARAMS);
        state = plan.state;
        if (plan.ops.length === 0) break;
        rounds += 1;
        t.true(rounds <= 3, `not converged after 3 rounds: ${JSON.stringify(plan.ops.map((o) => o.op))}`);
        if (rounds > 3) return;
        for (const op of plan.ops) {
          const vs = formatServiceKey(op.op === 'delete-service' ? op.key : op.op === 'add-service' || op.op === 'edit-service' ? op.service.key : op.service);
          t.false(foreignKeys.has(vs), `operation on a foreign service: ${op.op} ${vs}`);
        }
        const result = await applyIpvsPlan(kernel, plan.ops);
        t.deepEqual(result.failed.map((f) => `${f.op.op}: ${f.error.message}`), []);
      }
      const final = new Map((await readIpvsTable(kernel)).map((e) => [formatServiceKey(e.service.service.key), e]));
      for (const d of desired) t.true(sameContent(d, final.get(formatServiceKey(d.service.key))), formatServiceKey(d.service.key));
      for (const f of foreign) t.true(sameContent(f, final.get(formatServiceKey(f.service.key))), `foreign ${formatServiceKey(f.service.key)} changed`);
      t.is(final.size, desired.length + foreign.length, 'owned services that left the table are gone');
    }),
    { numRuns: 150 },
  );
});

test('after convergence one weight change is exactly one SET_DEST', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      tables.filter((ts) => ts.some((s) => s.destinations.length > 0)),
      fc.nat(),
      fc.integer({ min: 0, max: 1000 }),
      async (desired, pick, weight) => {
        const kernel = await load([]);
        const first = planIpvs(desired, [], EMPTY_PLAN_STATE, 0, PARAMS);
        await applyIpvsPlan(kernel, first.ops);
        kernel.operations.length = 0;
        const withDests = desired.filter((s) => s.destinations.length > 0);
        const target = withDests[pick % withDests.length]!;
        const changed = desired.map((s) =>
          s !== target ? s : { ...s, destinations: s.destinations.map((d, i) => (i === 0 ? { ...d, weight: d.weight === weight ? weight + 1 : weight } : d)) },
        );
        const plan = planIpvs(changed, await readIpvsTable(kernel), first.state, 1000, PARAMS);
        await applyIpvsPlan(kernel, plan.ops);
        t.deepEqual(kernel.operations.map((o) => o.command), ['set-dest']);
      },
    ),
    { numRuns: 100 },
  );
});

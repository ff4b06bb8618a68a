import test from 'ava';
import { parseYamlConfig } from '../../../config/yaml-source.js';
import { validateConfig } from '../../../config/validate.js';
import { formatIssue } from '../../../config/issues.js';
import type { IpvsConfig } from '../../../config/schema-ipvs.js';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { createMemoryLogger } from '../../../src/core/logger.js';
import { buildHealthPlan } from '../../../src/ipvs/health-plan.js';
import { createHealthScheduler, type HealthEvent } from '../../../health/scheduler.js';
import { createScriptedCheckers, runFor } from '../health/support/scripted-checker.js';

function ipvsConfig(yaml: string): IpvsConfig {
  const r = validateConfig(parseYamlConfig(yaml, 't.yaml'));
  if (r.config === undefined) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.config.ipvs;
}

// rs .21 has its own alpha and warmup (real server healthCheckDefaults); .22 takes the service's.
const YAML = `ipvs:
  virtualServers:
    - address: 192.0.2.50
      port: 80
      healthCheckDefaults: { interval: 1s, fastInterval: 200ms, rise: 1, fall: 2, warmup: 10s }
      realServers:
        - address: 192.0.2.21
          healthCheckDefaults: { isAlpha: true, warmup: 2s }
          healthChecks: [{ type: tcp }, { type: tcp, port: 8080, warmup: 500ms }]
        - { address: 192.0.2.22, healthChecks: [{ type: tcp }] }
`;

test('YAML: warmup and alpha layer check > real server > service into the plan', (t) => {
  const [a, b] = buildHealthPlan(ipvsConfig(YAML)).realServers;
  t.deepEqual(a?.checks.map((c) => [c.timing.warmupMs, c.timing.isAlpha]), [[2000, true], [500, true]]);
  t.deepEqual(b?.checks.map((c) => [c.timing.warmupMs, c.timing.isAlpha]), [[10_000, false]]);
});

test('YAML: a bad warmup is an error naming its key', (t) => {
  const r = validateConfig(parseYamlConfig(YAML.replace('warmup: 2s', 'warmup: 2'), 't.yaml'));
  t.is(r.config, undefined);
  t.deepEqual(r.issues.map(formatIssue), ['t.yaml:8:49: error: expected a duration with a unit, such as "250ms", "1s" or "2m" (got 2) [ipvs.virtualServers[0].realServers[0].healthCheckDefaults.warmup]']);
});

test('end to end: a real server with its own alpha starts down and out of the table until its checks first succeed, within their warmup; the other starts up', async (t) => {
  const clock = new FakeClock(0);
  const checkers = createScriptedCheckers(clock, 2);
  const scheduler = createHealthScheduler(buildHealthPlan(ipvsConfig(YAML)), { clock, random: () => 0.5, logger: createMemoryLogger([]), createChecker: (spec) => checkers.create(spec.kind) });
  const events: HealthEvent[] = [];
  scheduler.onEvent((e) => events.push(e));
  const destinations = () => Object.fromEntries(scheduler.snapshot().realServers.map((r) => [r.id.replace(/.* -> /, ''), r.destination]));
  t.deepEqual(destinations(), { '192.0.2.21:80': { isPresent: false, weight: 0 }, '192.0.2.22:80': { isPresent: true, weight: 1 } });
  scheduler.start();
  await runFor(clock, 900);
  // Port 8080 has passed (at 0.5 x 500 ms), port 80 has not run yet (due at 0.5 x 2 s): still out.
  const runsOf21 = () => scheduler.snapshot().probes.filter((p) => p.target === '192.0.2.21:80').map((p) => [p.key.includes('"port":8080') ? 8080 : 80, p.runs]);
  t.deepEqual(runsOf21(), [[80, 0], [8080, 1]]);
  t.deepEqual(checkers.calls.map((c) => c.atMs), [250]);
  t.deepEqual(destinations()['192.0.2.21:80'], { isPresent: false, weight: 0 });
  await runFor(clock, 200);
  const up = events.find((e) => e.type === 'real-server-changed' && e.isUp);
  t.like(up, { atMs: 1000, realServerId: 'tcp 192.0.2.50:80 -> 192.0.2.21:80', destination: { isPresent: true, weight: 1 }, cause: { kind: 'check', change: { cause: 'first-success' } } });
  await scheduler.stop();
});

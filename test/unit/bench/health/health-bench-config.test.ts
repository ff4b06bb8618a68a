import test from 'ava';
import { formatIssue } from '../../../../config/issues.js';
import { parseKeepalivedConfig } from '../../../../config/keepalived/keepalived-source.js';
import { createMemorySourceReader } from '../../../../config/keepalived/memory-source-reader.js';
import { validateConfig } from '../../../../config/validate.js';
import { parseYamlConfig } from '../../../../config/yaml-source.js';
import { buildHealthPlan } from '../../../../src/ipvs/health-plan.js';
import { allTargets, formatKeepalivedConfig, formatLvsdConfig, planTargetGroups, targetAddress, targetAddresses, type KeepalivedCheckSettings } from '../../../../bench/health/health-bench-config.js';

const CHECKS: KeepalivedCheckSettings = { delayLoopS: 1, connectTimeoutS: 1, retry: 1, delayBeforeRetryS: 1 };
const VRRP = { interface: 'hb0', vrid: 51, priority: 150, advertIntervalMs: 100, vip: '192.0.2.250/32' };

test('the 40 x 250 grid is 10,000 distinct targets on documentation addresses, one virtual server per address', (t) => {
  const groups = planTargetGroups({ addressCount: 40, portsPerAddress: 250, basePort: 20000 });
  const targets = allTargets(groups);
  t.is(targets.length, 10_000);
  t.is(new Set(targets.map((x) => `${x.address}:${x.port}`)).size, 10_000);
  t.deepEqual(targetAddresses(groups), Array.from({ length: 40 }, (_, i) => `192.0.2.${i + 1}`));
  t.is(groups.length, 40);
  t.is(new Set(groups.map((g) => `${g.virtualAddress}:${g.virtualPort}`)).size, 40);
  t.deepEqual(groups[0]?.targets.map((x) => x.port).slice(0, 2), [20000, 20001]);
  t.is(groups[0]?.targets.at(-1)?.port, 20249);
});

test('addresses past the first hundred come from 198.51.100.0/24, and virtual servers never collide', (t) => {
  t.is(targetAddress(99), '192.0.2.100');
  t.is(targetAddress(100), '198.51.100.1');
  t.is(targetAddress(199), '198.51.100.100');
  t.throws(() => targetAddress(200), { instanceOf: RangeError });
  const groups = planTargetGroups({ addressCount: 200, portsPerAddress: 1, basePort: 30000 });
  t.is(new Set(groups.map((g) => `${g.virtualAddress}:${g.virtualPort}`)).size, 200);
  const targets = new Set(allTargets(groups).map((x) => x.address));
  t.false(groups.some((g) => targets.has(g.virtualAddress)), 'no virtual address is also a target');
});

test('bad grids are refused', (t) => {
  t.throws(() => planTargetGroups({ addressCount: 0, portsPerAddress: 1, basePort: 20000 }), { instanceOf: RangeError });
  t.throws(() => planTargetGroups({ addressCount: 1, portsPerAddress: 0, basePort: 20000 }), { instanceOf: RangeError });
  t.throws(() => planTargetGroups({ addressCount: 1, portsPerAddress: 10, basePort: 65530 }), { instanceOf: RangeError });
  t.throws(() => formatKeepalivedConfig({ routerId: 'x', groups: [], checks: { ...CHECKS, delayLoopS: 0.5 } }), { instanceOf: RangeError });
  t.throws(() => formatKeepalivedConfig({ routerId: 'x', groups: [], checks: CHECKS, vrrp: { ...VRRP, advertIntervalMs: 105 } }), { instanceOf: RangeError });
});

test('keepalived.conf (through lvsd\'s own translator) and the lvsd YAML give the same health plan', (t) => {
  const groups = planTargetGroups({ addressCount: 3, portsPerAddress: 4, basePort: 20000 });
  const fromYaml = validateConfig(parseYamlConfig(formatLvsdConfig({ routerId: 'bench', files: { dir: '/run/bench' }, groups, checks: CHECKS, vrrp: VRRP }), 'lvsd.yaml'));
  t.deepEqual(fromYaml.issues.map(formatIssue), []);
  const raw = parseKeepalivedConfig(formatKeepalivedConfig({ routerId: 'bench', groups, checks: CHECKS, vrrp: VRRP }), 'keepalived.conf', createMemorySourceReader({}));
  const fromKeepalived = validateConfig(raw);
  t.deepEqual(fromKeepalived.issues.filter((i) => i.severity === 'error').map(formatIssue), []);
  if (fromYaml.config === undefined || fromKeepalived.config === undefined) return t.fail('a config did not validate');
  const yamlPlan = buildHealthPlan(fromYaml.config.ipvs);
  t.is(yamlPlan.realServers.length, 12);
  t.deepEqual(yamlPlan, buildHealthPlan(fromKeepalived.config.ipvs));
  // keepalived's semantics, spelled out: every second, down after retry + 1 = 2 failures a second apart, up after one success.
  t.deepEqual(yamlPlan.realServers[0]?.checks[0]?.timing, { intervalMs: 1000, fastIntervalMs: 1000, downIntervalMs: 1000, timeoutMs: 1000, rise: 1, fall: 2, isAlpha: false, warmupMs: 1000 });
  const yamlVrrp = fromYaml.config.vrrp.instances[0];
  const keepalivedVrrp = fromKeepalived.config.vrrp.instances[0];
  t.like(yamlVrrp, { interface: 'hb0', vrid: 51, priority: 150, version: 3 });
  t.is(yamlVrrp?.advertInterval, keepalivedVrrp?.advertInterval);
});

test('an lvsd config without targets is valid (the VRRP-only baseline)', (t) => {
  const r = validateConfig(parseYamlConfig(formatLvsdConfig({ routerId: 'bench', files: { dir: '/run/bench' }, groups: [], checks: CHECKS, vrrp: VRRP }), 'lvsd.yaml'));
  t.deepEqual(r.issues.map(formatIssue), []);
  t.is(r.config?.ipvs.virtualServers.length, 0);
  t.is(r.config?.vrrp.instances.length, 1);
});

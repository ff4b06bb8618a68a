import test from 'ava';
import { parseYamlConfig } from '../../../config/yaml-source.js';
import { validateConfig } from '../../../config/validate.js';
import type { IpvsConfig } from '../../../config/schema-ipvs.js';
import { desiredIpvsTable } from '../../../src/ipvs/desired-table.js';
import { buildHealthPlan } from '../../../src/ipvs/health-plan.js';

function ipvsConfig(yaml: string): IpvsConfig {
  const r = validateConfig(parseYamlConfig(yaml, 't.yaml'));
  if (r.config === undefined) throw new Error(JSON.stringify(r.issues));
  return r.config.ipvs;
}

const WEB = `ipvs:
  virtualServers:
    - address: 192.0.2.50
      port: 80
      healthCheckDefaults: { interval: 1s, rise: 2 }
      slowStart: 30s
      sorryServer: { address: 192.0.2.99 }
      realServers:
        - { address: 192.0.2.21, weight: 3, healthChecks: [{ type: http, path: /health, statusCodes: [200, "301-302"], fall: 5 }] }
        - { address: 192.0.2.22, isInhibitedOnFailure: true, healthChecks: [{ type: tcp, timeout: 500ms }, { type: exec, command: "/usr/bin/check 192.0.2.22" }] }
        - { address: 192.0.2.23 }
`;

test('the health plan: one entry per checked real server, ids like its IPVS destination, timing layered', (t) => {
  const plan = buildHealthPlan(ipvsConfig(WEB));
  t.deepEqual(plan.realServers.map((r) => r.id), ['tcp 192.0.2.50:80 -> 192.0.2.21:80', 'tcp 192.0.2.50:80 -> 192.0.2.22:80']);
  const [a, b] = plan.realServers;
  t.like(a, { weight: 3, slowstartMs: 30_000, isInhibitedOnFailure: false });
  t.deepEqual(a?.checks[0]?.timing, { intervalMs: 1000, fastIntervalMs: 1000, downIntervalMs: 1000, timeoutMs: 1000, rise: 2, fall: 5, isAlpha: false });
  t.like(a?.checks[0]?.check, { kind: 'http', path: '/health', statusCodes: [{ from: 200, to: 200 }, { from: 301, to: 302 }] });
  t.like(b, { isInhibitedOnFailure: true });
  t.like(b?.checks[0], { check: { kind: 'tcp' }, timing: { timeoutMs: 500, rise: 2, fall: 3 } });
  t.deepEqual(b?.checks[1]?.check, { kind: 'misc', file: '/usr/bin/check', args: ['192.0.2.22'], isDynamic: false });
});

test('the table follows health: a server out is left out, a weight from health is used, unchecked servers stay', (t) => {
  const config = ipvsConfig(WEB);
  const table = desiredIpvsTable(config, (id) =>
    id.endsWith('192.0.2.21:80') ? { isUp: false, isPresent: false, weight: 0 } : id.endsWith('192.0.2.22:80') ? { isUp: false, isPresent: true, weight: 0 } : undefined,
  );
  t.deepEqual(table[0]?.destinations.map((d) => `${d.key.address.text} w${d.weight}`), ['192.0.2.22 w0', '192.0.2.23 w1']);
  t.deepEqual(table[0]?.failedDestinations?.map((k) => k.address.text), ['192.0.2.21'], 'a failed server is deleted at once, not drained');
  const unknown = desiredIpvsTable(config, () => undefined);
  t.deepEqual(unknown[0]?.destinations.map((d) => `${d.key.address.text} w${d.weight}`), ['192.0.2.21 w3', '192.0.2.22 w1', '192.0.2.23 w1'], 'unknown health counts as configured');
});

test('the sorry server takes over when no real server is left, and leaves when one returns', (t) => {
  const config = ipvsConfig(WEB.replace('        - { address: 192.0.2.23 }\n', ''));
  const down = desiredIpvsTable(config, () => ({ isUp: false, isPresent: false, weight: 0 }));
  t.deepEqual(down[0]?.destinations.map((d) => d.key.address.text), ['192.0.2.99']);
  const oneBack = desiredIpvsTable(config, (id) => (id.endsWith('192.0.2.21:80') ? { isUp: true, isPresent: true, weight: 3 } : { isUp: false, isPresent: false, weight: 0 }));
  t.deepEqual(oneBack[0]?.destinations.map((d) => d.key.address.text), ['192.0.2.21']);
});

/** Which trackers each instance follows, with which weights (src/vrrp/vrrp-trackers.ts); the trackers are built, not started. */
import test from 'ava';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { CommandRunner } from '../../../src/core/command-runner.js';
import type { LinkLookup } from '../../../ha/link-lookup.js';
import { parseYamlConfig } from '../../../config/yaml-source.js';
import { validateConfig } from '../../../config/validate.js';
import { buildVrrpTrackers } from '../../../src/vrrp/vrrp-trackers.js';

const runner: CommandRunner = { run: () => Promise.reject(new Error('not started')) };
const links: LinkLookup = { lookup: () => Promise.reject(new Error('not started')) };

function refs(yaml: string, instance: string): string[] {
  const r = validateConfig(parseYamlConfig(yaml, 't.yaml'));
  if (r.config === undefined) throw new Error(JSON.stringify(r.issues));
  const set = buildVrrpTrackers(r.config.vrrp, { clock: new FakeClock(), logger: silentLogger, runner, links });
  return set.refsFor(instance).map((ref) => `${ref.tracker.name} ${ref.weight}`);
}

const CONFIG = (group: string) => `vrrp:
  scripts: [{ name: s0, command: /bin/true }, { name: s20, command: /bin/true, weight: -20 }]
  trackFiles: [{ name: f1, path: /run/f1 }, { name: f5, path: /run/f5, weight: -5 }]
  instances:
    - { name: A, interface: eth0, vrid: 1, vips: [192.0.2.1], trackInterfaces: [{ interface: eth1, weight: -10 }], trackScripts: [{ script: s0 }, { script: s20 }], trackFiles: [{ file: f1 }, { file: f5 }] }
    - { name: B, interface: eth0, vrid: 2, vips: [192.0.2.2] }
${group}`;

test('outside a sync group, every tracker with its weight', (t) => {
  t.deepEqual(refs(CONFIG(''), 'A'), ['interface eth0 0', 'interface eth1 -10', 'script s0 0', 'script s20 -20', 'file f1 1', 'file f5 -5']);
});

test('a sync group member: keepalived\'s rule for its own trackers; the group\'s trackers with their weights, for every member', (t) => {
  const group = '  syncGroups: [{ name: G, members: [A, B], trackScripts: [{ script: s20 }] }]\n';
  t.deepEqual(refs(CONFIG(group), 'A'), ['interface eth0 0', 'interface eth1 0', 'script s0 0', 'file f1 0', 'script s20 -20']);
  t.deepEqual(refs(CONFIG(group), 'B'), ['interface eth0 0', 'script s20 -20']);
});

test('a sync group with isTrackingWeighted keeps the members\' weights', (t) => {
  const group = '  syncGroups: [{ name: G, members: [A, B], isTrackingWeighted: true }]\n';
  t.deepEqual(refs(CONFIG(group), 'A'), ['interface eth0 0', 'interface eth1 -10', 'script s0 0', 'script s20 -20', 'file f1 1', 'file f5 -5']);
});

test('the instance\'s own interface is tracked at weight 0 (FAULT while down) unless isPrimaryTracked is false; an explicit tracker of it wins', (t) => {
  const one = (extra: string): string => `vrrp:\n  instances:\n    - { name: A, interface: eth0, vrid: 1, vips: [192.0.2.1]${extra} }\n`;
  t.deepEqual(refs(one(''), 'A'), ['interface eth0 0']);
  t.deepEqual(refs(one(', isPrimaryTracked: false'), 'A'), []);
  t.deepEqual(refs(one(', trackInterfaces: [{ interface: eth0, weight: -30 }]'), 'A'), ['interface eth0 -30']);
});

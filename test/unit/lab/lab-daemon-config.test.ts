import test from 'ava';
import { formatLabDaemonConfig, labDaemonPaths } from '../../../src/lab/lab-daemon-config.js';
import { ipvsadmRestoreInput, labIpvsConfig } from '../../../src/lab/scenarios/lab-ipvs-config.js';
import type { LabNode } from '../../../src/lab/topology-plan.js';
import { parseIpAddress } from '../../../src/core/ip.js';
import { parseYamlConfig } from '../../../config/yaml-source.js';
import { validateConfig } from '../../../config/validate.js';

test('the per-director config is the documented YAML', (t) => {
  t.is(
    formatLabDaemonConfig({ routerId: 'director-1', runDir: '/run/lvsd' }),
    [
      'global:',
      '  routerId: director-1',
      'daemon:',
      '  controlSocket: /run/lvsd/director-1.sock',
      '  pidFile: /run/lvsd/director-1.pid',
      '  stateDir: /run/lvsd/director-1-state',
      'log:',
      '  level: info',
      '  format: json',
      '',
    ].join('\n'),
  );
});

test('extra top-level sections are appended; paths derive from the router id', (t) => {
  const yaml = formatLabDaemonConfig({ routerId: 'director-2', runDir: '/run/x', logLevel: 'debug', extra: { vrrp: { instances: [] } } });
  t.true(yaml.includes('  level: debug\n'));
  t.true(yaml.endsWith('vrrp:\n  instances: []\n'));
  t.deepEqual(labDaemonPaths({ routerId: 'director-2', runDir: '/run/x' }), {
    controlSocket: '/run/x/director-2.sock',
    pidFile: '/run/x/director-2.pid',
    stateDir: '/run/x/director-2-state',
  });
});

test('the generated config, with the scenario\'s IPVS service, is valid for the real schema', (t) => {
  const node = (name: string, address: string): LabNode => {
    const a = parseIpAddress(address);
    if (!a.ok) throw new Error(a.error);
    return { name, role: 'real-server', index: 1, namespace: `ns-${name}`, switchPort: name, address: a.value };
  };
  const yaml = formatLabDaemonConfig({
    routerId: 'director-1',
    runDir: '/run/lvsd',
    extra: labIpvsConfig({ port: 80, scheduler: 'rr', forwarding: 'dr' }, [node('rs-1', '192.0.2.21'), node('rs-2', '192.0.2.22')]),
  });
  const r = validateConfig(parseYamlConfig(yaml, 'director-1.yaml'));
  t.deepEqual(r.issues, []);
  t.is(r.config?.daemon.stateDir, '/run/lvsd/director-1-state');
  t.deepEqual(r.config?.ipvs.virtualServers[0]?.realServers.map((rs) => rs.address.text), ['192.0.2.21', '192.0.2.22']);
});

test('with slowstart, the main service\'s checked real servers get weight 10 and a 2 s ramp, in the config and in the rules ipvsadm must show', (t) => {
  const node = (name: string, address: string): LabNode => {
    const a = parseIpAddress(address);
    if (!a.ok) throw new Error(a.error);
    return { name, role: 'real-server', index: 1, namespace: `ns-${name}`, switchPort: name, address: a.value };
  };
  const servers = [node('rs-1', '192.0.2.21'), node('rs-2', '192.0.2.22')];
  const spec = { port: 80, scheduler: 'rr', forwarding: 'dr' as const, isHealthChecked: true, isSlowStarted: true };
  const r = validateConfig(parseYamlConfig(formatLabDaemonConfig({ routerId: 'director-1', runDir: '/run/lvsd', extra: labIpvsConfig(spec, servers) }), 'director-1.yaml'));
  t.deepEqual(r.issues, []);
  t.deepEqual(r.config?.ipvs.virtualServers[0]?.realServers.map((rs) => [rs.address.text, rs.weight, rs.slowStart, rs.healthChecks.length]), [
    ['192.0.2.21', 10, 2000, 1],
    ['192.0.2.22', 10, 2000, 1],
  ]);
  t.deepEqual(ipvsadmRestoreInput(spec, servers).trim().split('\n'), ['-A -t 192.0.2.50:80 -s rr', '-a -t 192.0.2.50:80 -r 192.0.2.21:80 -g -w 10', '-a -t 192.0.2.50:80 -r 192.0.2.22:80 -g -w 10']);
  const plain = validateConfig(parseYamlConfig(formatLabDaemonConfig({ routerId: 'director-1', runDir: '/run/lvsd', extra: labIpvsConfig({ ...spec, isSlowStarted: false }, servers) }), 'director-1.yaml'));
  t.deepEqual(plain.config?.ipvs.virtualServers[0]?.realServers.map((rs) => [rs.weight, rs.slowStart]), [[1, undefined], [1, undefined]]);
});

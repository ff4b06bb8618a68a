import test from 'ava';
import { formatLabDaemonConfig, labDaemonPaths } from '../../../src/lab/lab-daemon-config.js';

test('the per-director config is the documented YAML', (t) => {
  t.is(
    formatLabDaemonConfig({ routerId: 'director-1', runDir: '/run/lvsd' }),
    [
      'global:',
      '  routerId: director-1',
      'daemon:',
      '  controlSocket: /run/lvsd/director-1.sock',
      '  pidFile: /run/lvsd/director-1.pid',
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
  t.deepEqual(labDaemonPaths({ routerId: 'director-2', runDir: '/run/x' }), { controlSocket: '/run/x/director-2.sock', pidFile: '/run/x/director-2.pid' });
});

import test from 'ava';
import { formatStatus } from '../../../src/cli/commands/status.js';
import type { DaemonSnapshot } from '../../../src/daemon/daemon.js';

const base: DaemonSnapshot = {
  routerId: 'director-1',
  pid: 42,
  version: '0.1.0',
  startedAt: '2026-11-25T12:00:00.000Z',
  uptimeMs: 3_723_000,
  config: { file: '/etc/lvsd/lvsd.yaml', syntax: 'yaml', loadedAt: '2026-11-25T12:00:00.000Z', reloadCount: 1 },
  components: [
    { name: 'stall-monitor', state: 'running', detail: { stalls: 2, longestMs: 640, lastMs: 120, totalMs: 955, warnMs: 100 } },
    { name: 'pid-file', state: 'running', detail: {} },
  ],
};

test('status: identity, uptime, components, and how long the event loop did not run', (t) => {
  t.deepEqual(formatStatus(base).split('\n'), [
    'lvsd 0.1.0  router director-1  pid 42',
    'started 2026-11-25T12:00:00.000Z  uptime 1h02m03s',
    'config /etc/lvsd/lvsd.yaml (yaml), loaded 2026-11-25T12:00:00.000Z, reloads 1',
    'components:',
    '  stall-monitor    running',
    '  pid-file         running',
    'event loop: 2 stall(s) of 100 ms or more, longest 640 ms; 955 ms not running in all',
  ]);
});

test('status: a loop that never stalled says so without a longest', (t) => {
  const quiet = { ...base, components: [{ name: 'stall-monitor', state: 'running' as const, detail: { stalls: 0, longestMs: 0, lastMs: 0, totalMs: 0, warnMs: 100 } }] };
  t.true(formatStatus(quiet).split('\n').includes('event loop: 0 stall(s) of 100 ms or more; 0 ms not running in all'));
});

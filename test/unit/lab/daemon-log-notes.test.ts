import test from 'ava';
import { ipvsChangesFor, notableDaemonLines } from '../../../src/lab/daemon-log-notes.js';

const line = (o: Record<string, unknown>): string => JSON.stringify(o);

test('warnings, errors and health changes are kept, short; info chatter is not; a non-JSON line is kept as it is', (t) => {
  const lines = [
    line({ level: 'info', message: 'lvsd starting', timestamp: '2026-11-25T11:47:28.000Z', component: 'daemon' }),
    line({ level: 'warn', message: 'event loop stalled', timestamp: '2026-11-25T11:47:28.123Z', component: 'stall-monitor', stalledMs: 640 }),
    line({ level: 'info', message: 'real server health changed', timestamp: '2026-11-25T11:47:28.500Z', component: 'health', realServer: '192.0.2.22:80', isUp: false }),
    'TypeError: boom',
    '',
    line({ level: 'error', message: 'ipvs round failed', timestamp: '2026-11-25T11:47:29.000Z', detail: 'EPERM' }),
    '[1, 2]',
  ];
  t.deepEqual(notableDaemonLines(lines, 10), [
    '11:47:28.123 warn event loop stalled stalledMs=640',
    '11:47:28.500 info real server health changed realServer=192.0.2.22:80 isUp=false',
    'TypeError: boom',
    '11:47:29.000 error ipvs round failed detail=EPERM',
    '[1, 2]',
  ]);
});

test('over the limit: the latest lines, and how many were left out', (t) => {
  const lines = Array.from({ length: 5 }, (_, i) => line({ level: 'warn', message: `w${i}` }));
  t.deepEqual(notableDaemonLines(lines, 2), ['(3 earlier lines left out)', 'warn w3', 'warn w4']);
});

test('ipvsChangesFor picks one destination\'s IPVS changes, in order, from the daemon\'s JSON log', (t) => {
  const vs = 'tcp 192.0.2.50:7000';
  const lines = [
    line({ level: 'info', message: 'ipvs change', component: 'ipvs', op: 'add-destination', vs, rs: '192.0.2.21:7000', weight: 1, reason: 'missing' }),
    line({ level: 'info', message: 'ipvs change', component: 'ipvs', op: 'add-destination', vs, rs: '192.0.2.22:7000', weight: 1, reason: 'missing' }),
    line({ level: 'info', message: 'ipvs change', component: 'ipvs', op: 'add-destination', vs: 'tcp 192.0.2.50:80', rs: '192.0.2.21:7000', weight: 1, reason: 'missing' }),
    'not json ipvs change',
    line({ level: 'info', message: 'ipvs change', component: 'ipvs', op: 'edit-destination', vs, rs: '192.0.2.21:7000', weight: 0, reason: 'drain' }),
    line({ level: 'info', message: 'reload done', component: 'reload' }),
    line({ level: 'warn', message: 'ipvs drift repaired', component: 'ipvs', op: 'edit-destination', vs, rs: '192.0.2.21:7000', weight: 1, reason: 'changed' }),
    line({ level: 'info', message: 'ipvs change', component: 'ipvs', op: 'delete-destination', vs, rs: '192.0.2.21:7000', weight: 0, reason: 'drained' }),
  ];
  t.deepEqual(ipvsChangesFor(lines, vs, '192.0.2.21:7000'), [
    { op: 'add-destination', reason: 'missing', weight: 1 },
    { op: 'edit-destination', reason: 'drain', weight: 0 },
    { op: 'edit-destination', reason: 'changed', weight: 1 },
    { op: 'delete-destination', reason: 'drained', weight: 0 },
  ]);
  t.deepEqual(ipvsChangesFor(lines, vs, '192.0.2.23:7000'), []);
});

import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNotifyQueue, notifyCommands, notifyStateOf } from '../../../src/vrrp/notify.js';
import { createProcessRunner } from '../../../src/core/command-runner.js';
import { createMemoryLogger } from '../../../src/core/logger.js';
import type { VrrpInstanceEvent } from '../../../ha/vrrp-instance-events.js';

const transition = (from: string, to: string, reason: string): VrrpInstanceEvent =>
  ({ kind: 'transition', from, to, reason, priority: 100, masterAddress: null, seq: 1, atMs: 0, wallTimeMs: 0, instance: 'VI_1', vrid: 51 }) as VrrpInstanceEvent;

test('transitions map to keepalived notify states; shutdown is STOP', (t) => {
  t.is(notifyStateOf(transition('backup', 'master', 'master-down-timer')), 'MASTER');
  t.is(notifyStateOf(transition('initialize', 'backup', 'startup')), 'BACKUP');
  t.is(notifyStateOf(transition('master', 'fault', 'tracker-fault')), 'FAULT');
  t.is(notifyStateOf(transition('master', 'handover', 'shutdown')), 'STOP');
  t.is(notifyStateOf(transition('handover', 'initialize', 'handover-new-master-heard')), undefined);
});

test('commands: the state\'s own script as written, then notify with INSTANCE NAME STATE PRIORITY', (t) => {
  const notify = { master: '/etc/lvsd/up.sh "a b"', any: '/etc/lvsd/all.sh' };
  t.deepEqual(notifyCommands('MASTER', notify, 'VI_1', 150), [['/etc/lvsd/up.sh', 'a b'], ['/etc/lvsd/all.sh', 'INSTANCE', 'VI_1', 'MASTER', '150']]);
  t.deepEqual(notifyCommands('BACKUP', notify, 'VI_1', 100), [['/etc/lvsd/all.sh', 'INSTANCE', 'VI_1', 'BACKUP', '100']]);
  t.deepEqual(notifyCommands('FAULT', {}, 'VI_1', 100), []);
});

test('the queue runs scripts one at a time, in submission order, even when an earlier one is slower', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lvsd-notify-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'order');
  const q = createNotifyQueue(createProcessRunner(), createMemoryLogger());
  q.submit(['/bin/sh', '-c', `sleep 0.3; echo first >> ${out}`]);
  q.submit(['/bin/sh', '-c', `echo second >> ${out}`]);
  q.submit(['/bin/sh', '-c', `echo third >> ${out}`]);
  await q.drain();
  t.is(await readFile(out, 'utf8'), 'first\nsecond\nthird\n');
});

test('a hanging notify script is killed at the timeout and the queue goes on', async (t) => {
  const logger = createMemoryLogger();
  const q = createNotifyQueue(createProcessRunner(), logger, 200);
  q.submit(['/bin/sleep', '30']);
  q.submit(['/bin/true']);
  await q.drain();
  t.deepEqual(logger.entries.map((e) => [e.message, e.fields['isTimedOut']]), [['notify script failed', true], ['notify script ran', undefined]]);
});

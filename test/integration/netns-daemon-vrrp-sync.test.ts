/**
 * keepalived's vrrp_sync_group with two `lvsd run` daemons in director namespaces (host kernel): each
 * has a sync group of two VRRPv3 instances, VI_1 (VRID 51, 192.0.2.50) and VI_2 (VRID 52, 192.0.2.51).
 * A tracked file failing VI_1 alone on the master puts the whole group in FAULT there, so both VIPs
 * move; clearing it brings both back. The group's notify script runs with GROUP G STATE 0, in order.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { requirePrereqs } from '../support/prereqs.js';
import { startDaemonPair, waitForHolders } from './netns-daemon-pair.js';

const gate = requirePrereqs(['root', 'netns', 'ip']);
const VIPS = ['192.0.2.50', '192.0.2.51'] as const;

function config(dir: string, name: string, priority: number): string {
  return `global: { routerId: ${name} }
daemon: { controlSocket: ${dir}/${name}.sock, pidFile: ${dir}/${name}.pid, stateDir: ${dir}/${name}-state }
log: { level: info, format: json }
vrrp:
  eventLog: ${dir}/${name}-events.jsonl
  trackFiles: [{ name: broken, path: ${dir}/${name}-broken, weight: 0, initialValue: 0 }]
  instances:
    - { name: VI_1, interface: eth0, vrid: 51, priority: ${priority}, version: 3, advertInterval: 200ms, vips: [${VIPS[0]}/32], trackFiles: [{ file: broken }] }
    - { name: VI_2, interface: eth0, vrid: 52, priority: ${priority}, version: 3, advertInterval: 200ms, vips: [${VIPS[1]}/32] }
  syncGroups:
    - { name: G, members: [VI_1, VI_2], notify: { any: "${dir}/notify.sh ${name}" } }
`;
}

gate.test('a sync group on each director: failing one member\'s tracker on the master moves both VIPs, and clearing it brings both back', async (t: ExecutionContext) => {
  const pair = await startDaemonPair(t, (dir, node, index) => config(dir, node.name, index === 0 ? 150 : 100), {
    prepare: (dir) => writeFile(join(dir, 'notify.sh'), `#!/bin/sh\nwho=$1; shift\necho "$@" >> ${dir}/notify-$who\n`, { mode: 0o755 }),
  });
  const [d1, d2] = pair.directors;
  t.deepEqual(await waitForHolders(pair.topology, VIPS, [[d1.name], [d1.name]]), [[d1.name], [d1.name]], 'director-1 holds both VIPs');
  t.like(await pair.vrrpDetail(0), { syncGroups: [{ name: 'G', state: 'master' }] });
  t.like(await pair.vrrpDetail(1), { syncGroups: [{ name: 'G', state: 'backup' }] });

  const failedAt = performance.now();
  await writeFile(join(pair.dir, `${d1.name}-broken`), '1\n');
  t.deepEqual(await waitForHolders(pair.topology, VIPS, [[d2.name], [d2.name]]), [[d2.name], [d2.name]], 'both VIPs moved to director-2');
  t.log(`track file failed on VI_1 only -> both VIPs on director-2 after ${(performance.now() - failedAt).toFixed(0)} ms (file polled every 1 s)`);
  const detail1 = await pair.vrrpDetail(0);
  t.deepEqual(detail1.instances.map((i) => `${i.name}:${i.state}`), ['VI_1:fault', 'VI_2:fault']);
  t.is(detail1.syncGroups[0]?.state, 'fault');
  t.like(await pair.vrrpDetail(1), { syncGroups: [{ state: 'master' }] });
  const fault = (await pair.events(0)).find((e) => e['kind'] === 'sync-group' && e['to'] === 'fault');
  t.like(fault, { group: 'G', from: 'master', faultyMembers: ['VI_1'] });

  await writeFile(join(pair.dir, `${d1.name}-broken`), '0\n');
  t.deepEqual(await waitForHolders(pair.topology, VIPS, [[d1.name], [d1.name]]), [[d1.name], [d1.name]], 'back on director-1 together');

  const [p1, p2] = pair.daemons;
  t.deepEqual(await p1.stop(10_000), { exitCode: 0, signal: null });
  t.deepEqual(await waitForHolders(pair.topology, VIPS, [[d2.name], [d2.name]]), [[d2.name], [d2.name]], 'SIGTERM hands both over');
  await p2.stop(10_000);
  const notified = (await readFile(join(pair.dir, `notify-${d1.name}`), 'utf8')).trim().split('\n');
  t.deepEqual(notified, ['GROUP G BACKUP 0', 'GROUP G MASTER 0', 'GROUP G FAULT 0', 'GROUP G BACKUP 0', 'GROUP G MASTER 0', 'GROUP G STOP 0']);
  const notified2 = (await readFile(join(pair.dir, `notify-${d2.name}`), 'utf8')).trim().split('\n');
  t.deepEqual(notified2.slice(0, 4), ['GROUP G BACKUP 0', 'GROUP G MASTER 0', 'GROUP G BACKUP 0', 'GROUP G MASTER 0']);
});

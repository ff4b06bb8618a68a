/**
 * Two `lvsd run` daemons, each in its own director namespace on one bridge, float a VIP with VRRPv3:
 * the higher priority holds it, and SIGTERM on the master hands it over (planned handover) while the
 * stopping daemon exits 0. Host kernel; the VIP is checked with `ip addr` in each namespace.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { sendControlRequest } from '../../src/control/control-client.js';
import type { LabTopology } from '../../src/lab/topology.js';
import { requirePrereqs } from '../support/prereqs.js';
import { runCli } from '../support/cli-harness.js';
import { startDaemonPair, waitForHolders } from './netns-daemon-pair.js';

const VIP = '192.0.2.50';
const gate = requirePrereqs(['root', 'netns', 'ip']);

function directorConfig(dir: string, name: string, priority: number, trackFile?: string): string {
  const tracking = trackFile === undefined ? '' : `  trackFiles: [{ name: maint, path: ${trackFile}, weight: -100, initialValue: 0 }]\n`;
  const ref = trackFile === undefined ? '' : ', trackFiles: [{ file: maint }]';
  return `global: { routerId: ${name} }
daemon: { controlSocket: ${dir}/${name}.sock, pidFile: ${dir}/${name}.pid, stateDir: ${dir}/${name}-state }
log: { level: info, format: json }
vrrp:
  eventLog: ${dir}/${name}-events.jsonl
${tracking}  instances:
    - { name: VI_1, interface: eth0, vrid: 51, priority: ${priority}, version: 3, advertInterval: 200ms, vips: [${VIP}/32]${ref}, notify: { any: "${dir}/notify.sh ${name}" } }
`;
}

/** Polls (at most 10 s, every 50 ms) until exactly `expected` directors hold the VIP. */
async function waitForVipOn(topology: LabTopology, expected: readonly string[]): Promise<string[]> {
  return (await waitForHolders(topology, [VIP], [expected]))[0] ?? [];
}

async function startPair(t: ExecutionContext, trackFile?: (dir: string) => string) {
  // keepalived's notify: the script gets TYPE NAME STATE PRIORITY after its own arguments.
  const pair = await startDaemonPair(t, (dir, node, index) => directorConfig(dir, node.name, index === 0 ? 150 : 100, index === 0 && trackFile !== undefined ? trackFile(dir) : undefined), {
    prepare: (dir) => writeFile(join(dir, 'notify.sh'), `#!/bin/sh\nwho=$1; shift\necho "$@" >> ${dir}/notify-$who\n`, { mode: 0o755 }),
  });
  const [d1, d2] = pair.directors;
  const [p1, p2] = pair.daemons;
  return { dir: pair.dir, topology: pair.topology, d1, d2, p1, p2 };
}

gate.test('two lvsd daemons: the higher priority holds the VIP; SIGTERM hands it over and the daemon exits 0', async (t: ExecutionContext) => {
  const { dir, topology, d1, d2, p1, p2 } = await startPair(t);

  t.deepEqual(await waitForVipOn(topology, [d1.name]), [d1.name], 'the priority-150 director holds the VIP, alone');
  const status = await sendControlRequest(join(dir, `${d1.name}.sock`), 'status');
  t.true(status.ok);
  const vrrp = status.ok ? (status.result as { components: { name: string; state: string }[] }).components.find((c) => c.name === 'vrrp') : undefined;
  t.is(vrrp?.state, 'running');
  const text = await runCli(['status', '--socket', join(dir, `${d1.name}.sock`)]);
  t.is(text.code, 0);
  t.regex(text.stdout, /^ {2}VI_1 {2}vrid 51 on eth0, v3: MASTER, priority 150\/150$/m);
  t.regex(text.stdout, /^ {4}master 192\.0\.2\.11 \(priority 150\); VIPs 192\.0\.2\.50\/32$/m);
  const backup = await runCli(['status', '--socket', join(dir, `${d2.name}.sock`)]);
  t.regex(backup.stdout, /^ {2}VI_1 {2}vrid 51 on eth0, v3: BACKUP, priority 100\/100$/m);
  t.regex(backup.stdout, /^ {4}master 192\.0\.2\.11 \(priority 150\); VIPs none held$/m);

  const exit = await p1.stop(10_000);
  t.deepEqual(exit, { exitCode: 0, signal: null }, p1.lines('stderr').slice(-5).join('\n'));
  t.deepEqual(await waitForVipOn(topology, [d2.name]), [d2.name], 'after SIGTERM the VIP is on director-2 alone');
  t.true(p1.lines('stderr').some((l) => l.includes('"message":"lvsd stopped"')));
  await p2.stop(10_000);

  // Notify scripts ran in transition order, with keepalived's arguments.
  t.deepEqual((await readFile(join(dir, `notify-${d1.name}`), 'utf8')).trim().split('\n'), ['INSTANCE VI_1 BACKUP 150', 'INSTANCE VI_1 MASTER 150', 'INSTANCE VI_1 STOP 150']);
  const d2Lines = (await readFile(join(dir, `notify-${d2.name}`), 'utf8')).trim().split('\n');
  t.deepEqual(d2Lines.slice(0, 2), ['INSTANCE VI_1 BACKUP 100', 'INSTANCE VI_1 MASTER 100']);
  // The event log: every transition, in order, with its reason.
  const events = (await readFile(join(dir, `${d1.name}-events.jsonl`), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { seq: number; kind: string; to?: string; reason?: string });
  t.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), 'numbered in order, none missing');
  const transitions = events.filter((e) => e.kind === 'transition');
  t.is(`${transitions[0]?.to} (${transitions[0]?.reason})`, 'backup (startup)');
  // Whoever started first: director-1 wins by its down timer, or by preempting director-2.
  t.is(transitions[1]?.to, 'master');
  t.true(['no-master-heard', 'preempting-lower-priority'].includes(transitions[1]?.reason ?? ''), transitions[1]?.reason);
  t.is(transitions.at(-1)?.reason?.startsWith('handover-') ?? false, true, 'it ends with the planned handover');
});

gate.test('a tracked file lowers the master below the backup: the VIP moves, and comes back when the file is cleared', async (t: ExecutionContext) => {
  const { dir, topology, d1, d2, p1, p2 } = await startPair(t, (dir) => join(dir, 'maint'));
  t.deepEqual(await waitForVipOn(topology, [d1.name]), [d1.name]);
  await writeFile(join(dir, 'maint'), '1\n'); // 1 x -100: priority 150 -> 50, below the backup's 100
  t.deepEqual(await waitForVipOn(topology, [d2.name]), [d2.name], 'the backup preempts the lowered master');
  t.true(p1.lines('stderr').some((l) => l.includes('"message":"vrrp trackers"') && l.includes('"priorityAdjustment":-100')));
  await writeFile(join(dir, 'maint'), '0\n');
  t.deepEqual(await waitForVipOn(topology, [d1.name]), [d1.name], 'back at 150, director-1 preempts again');
  await p1.stop(10_000);
  await p2.stop(10_000);
});

gate.test('the master\'s own link goes down: it goes to FAULT and drops the VIP, the backup takes over; the link returns and it preempts again', async (t: ExecutionContext) => {
  const { dir, topology, d1, d2, p1, p2 } = await startPair(t);
  t.deepEqual(await waitForVipOn(topology, [d1.name]), [d1.name]);
  // keepalived tracks an instance's own interface unless dont_track_primary; so does lvsd (isPrimaryTracked).
  await topology.ipBatch(d1.namespace, ['link set eth0 down']);
  t.deepEqual(await waitForVipOn(topology, [d2.name]), [d2.name], `director-2 alone holds the VIP; director-1 logged: ${p1.lines('stderr').filter((l) => /tracker|interface|fault/i.test(l)).slice(-8).join('\n')}`);
  const faulted = await runCli(['status', '--socket', join(dir, `${d1.name}.sock`)]);
  t.regex(faulted.stdout, /^ {2}VI_1 {2}vrid 51 on eth0, v3: FAULT, /m);
  t.regex(faulted.stdout, /VIPs none held$/m);
  await topology.ipBatch(d1.namespace, ['link set eth0 up']);
  t.deepEqual(await waitForVipOn(topology, [d1.name]), [d1.name], 'back up at 150, director-1 preempts');
  await p1.stop(10_000);
  await p2.stop(10_000);
  const transitions = (await readFile(join(dir, `${d1.name}-events.jsonl`), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; to?: string; reason?: string })
    .filter((e) => e.kind === 'transition')
    .map((e) => `${e.to ?? '?'} (${e.reason ?? '?'})`);
  const fault = transitions.findIndex((s) => s.startsWith('fault'));
  t.true(fault > 0, transitions.join(', '));
  t.true(transitions.slice(fault + 1).some((s) => s.startsWith('master')), transitions.join(', '));
});

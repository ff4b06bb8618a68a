/**
 * keepalived's use_vmac with two `lvsd run` daemons (virtualMac: true) in director namespaces on one
 * bridge and a client namespace: the VIP is on the macvlan vrrp.51 with MAC 00:00:5e:00:01:33, the
 * client's neighbour entry for the VIP has that MAC, the adverts and GARPs on the wire come from it,
 * and after a failover (SIGTERM on the master) the client's entry still has the same MAC while the VIP
 * answers from the other director. The stopped daemon's macvlan is gone. Host kernel.
 */
import type { ExecutionContext } from 'ava';
import { requirePrereqs } from '../support/prereqs.js';
import { neighbourMacIn, startDaemonPair, waitForVipDevices } from './netns-daemon-pair.js';

const VIP = '192.0.2.50';
const VMAC = '00:00:5e:00:01:33'; // VRID 51
const gate = requirePrereqs(['root', 'netns', 'ip', 'arping', 'tcpdump']);

function directorConfig(dir: string, name: string, priority: number): string {
  return `global: { routerId: ${name} }
daemon: { controlSocket: ${dir}/${name}.sock, pidFile: ${dir}/${name}.pid, stateDir: ${dir}/${name}-state }
log: { level: info, format: json }
vrrp:
  instances:
    - { name: VI_1, interface: eth0, vrid: 51, priority: ${priority}, version: 3, advertInterval: 200ms, vips: [${VIP}/32], virtualMac: true }
`;
}

gate.test('virtualMac: the VIP answers at 00:00:5e:00:01:33 from the macvlan, and the client keeps that MAC across a failover', async (t: ExecutionContext) => {
  const pair = await startDaemonPair(t, (dir, node, index) => directorConfig(dir, node.name, index === 0 ? 150 : 100), { hasClient: true });
  const { topology } = pair;
  const [d1, d2] = pair.directors;
  const [p1, p2] = pair.daemons;
  const client = topology.client;
  if (client === undefined) throw new Error('a client');

  // Both directors have the macvlan (keepalived creates it whatever the state); the VIP is on director-1's.
  for (const d of [d1, d2]) {
    const link = await topology.exec(d.namespace, 'ip', ['-d', '-o', 'link', 'show', 'dev', 'vrrp.51']);
    t.regex(link.stdout, new RegExp(`link/ether ${VMAC} .*macvlan mode private`), `${d.name}: ${link.stdout}${link.stderr}`);
    const ignore = await topology.exec(d.namespace, 'cat', ['/proc/sys/net/ipv4/conf/eth0/arp_ignore', '/proc/sys/net/ipv4/conf/eth0/arp_filter', '/proc/sys/net/ipv4/conf/eth0/arp_announce', '/proc/sys/net/ipv4/conf/vrrp.51/arp_ignore']);
    t.deepEqual(ignore.stdout.trim().split('\n'), ['1', '1', '2', '1'], `${d.name}: arp_ignore, arp_filter, arp_announce on eth0; arp_ignore on vrrp.51`);
  }
  t.deepEqual(await waitForVipDevices(topology, `${VIP}/32`, [`${d1.name} vrrp.51`]), [`${d1.name} vrrp.51`], 'the VIP on director-1\'s macvlan, alone');

  // The client resolves the VIP: one answer, from the macvlan, with the virtual MAC.
  const arping = await topology.exec(client.namespace, 'arping', ['-c', '2', '-w', '3', '-I', 'eth0', VIP]);
  const replies = arping.stdout.split('\n').filter((l) => l.startsWith('Unicast reply'));
  t.true(replies.length >= 1, arping.stdout);
  t.true(replies.every((l) => l.toLowerCase().includes(`[${VMAC}]`)), `every ARP reply from the virtual MAC:\n${arping.stdout}`);
  const ping = await topology.exec(client.namespace, 'ping', ['-c', '1', '-W', '2', VIP]);
  t.is(ping.exitCode, 0, ping.stdout);
  t.is(await neighbourMacIn(topology, client.namespace, VIP), VMAC);

  // Capture on the client during the failover: director-2's adverts and GARPs come from the virtual MAC too.
  const capture = topology.exec(client.namespace, 'timeout', ['4', 'tcpdump', '-l', '-e', '-n', '-i', 'eth0', 'arp or ip proto 112 or icmp'], { timeoutMs: 8000 });
  // And on director-1's switch port, what it sends from the virtual MAC other than adverts: nothing (with
  // the old master answering the new master's GARP, the bridge moved the MAC back to it).
  const fromD1 = topology.exec(topology.plan.switchNamespace, 'timeout', ['4', 'tcpdump', '-l', '-e', '-n', '-Q', 'in', '-i', d1.switchPort, `ether src ${VMAC} and not ip proto 112`], { timeoutMs: 8000 });
  await new Promise((resolve) => setTimeout(resolve, 500)); // tcpdump is listening
  t.deepEqual(await p1.stop(10_000), { exitCode: 0, signal: null }, p1.lines('stderr').slice(-5).join('\n'));
  t.deepEqual(await waitForVipDevices(topology, `${VIP}/32`, [`${d2.name} vrrp.51`]), [`${d2.name} vrrp.51`], 'after SIGTERM the VIP is on director-2\'s macvlan');
  const gone = await topology.exec(d1.namespace, 'ip', ['link', 'show', 'dev', 'vrrp.51']);
  t.not(gone.exitCode, 0, 'the stopped daemon deleted its macvlan');
  const restored = await topology.exec(d1.namespace, 'cat', ['/proc/sys/net/ipv4/conf/eth0/arp_ignore', '/proc/sys/net/ipv4/conf/eth0/arp_filter', '/proc/sys/net/ipv4/conf/eth0/arp_announce']);
  t.deepEqual(restored.stdout.trim().split('\n'), ['0', '0', '0'], 'and put the base interface\'s sysctls back');

  const pingAfter = await topology.exec(client.namespace, 'ping', ['-c', '1', '-W', '2', VIP]);
  const lines = (await capture).stdout.split('\n');
  const d1Sent = (await fromD1).stdout.split('\n').filter((l) => l.trim() !== '');
  t.is(pingAfter.exitCode, 0, `${pingAfter.stdout}\n${lines.join('\n')}\nfrom director-1:\n${d1Sent.join('\n')}`);
  t.deepEqual(d1Sent, [], 'the old master sent nothing but adverts from the virtual MAC');
  t.is(await neighbourMacIn(topology, client.namespace, VIP), VMAC, 'the client\'s neighbour entry for the VIP kept the virtual MAC');

  const garps = lines.filter((l) => l.includes(`Request who-has ${VIP} (ff:ff:ff:ff:ff:ff) tell ${VIP}`));
  const d2Adverts = lines.filter((l) => l.includes('192.0.2.12 > 224.0.0.18') && l.includes('VRRP'));
  t.true(garps.length > 0, lines.join('\n'));
  t.true(garps.every((l) => l.includes(` ${VMAC} > ff:ff:ff:ff:ff:ff, ethertype ARP`)), `GARPs from the virtual MAC:\n${garps.join('\n')}`);
  t.true(d2Adverts.length > 0, lines.join('\n'));
  t.true(d2Adverts.every((l) => l.includes(`${VMAC} > 01:00:5e:00:00:12`)), `director-2's adverts from the virtual MAC:\n${d2Adverts.join('\n')}`);
  t.log(`on the wire (client eth0), first lines:\n${lines.slice(0, 8).join('\n')}`);
  await p2.stop(10_000);
});

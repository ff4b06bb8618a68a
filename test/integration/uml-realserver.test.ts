/**
 * `lvsd realserver setup` in the lab, on the real kernel IPVS of UML (one boot, one scenario
 * process: src/realserver/realserver-lab-scenario.ts). Real servers prepared by lvsd alone carry a
 * DR service (rs-1, rs-2) and a TUN service (rs-3, reached through ipip, with a strict
 * all.rp_filter): they answer the client directly (the client sees their MACs on the replies, never
 * the director's), they do not answer ARP for the VIP (arping from the client hears the director
 * only, and its neighbour table maps the VIP to the director), a second setup changes nothing, and
 * --undo restores every sysctl and removes the VIP. A control shows the ARP check can see a real
 * server that does answer.
 */
import { join } from 'node:path';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { silentLogger } from '../../src/core/logger.js';
import { IPVS_MODULES } from '../../src/lab/uml-modules.js';
import { runInUml } from '../../src/lab/uml-runner.js';
import type { RealServerLabResult, RealServerView } from '../../src/realserver/realserver-lab-scenario.js';
import { requirePrereqs } from '../support/prereqs.js';

const gate = requirePrereqs(['root', 'uml', 'ipvsadm', 'ip', 'sysctl', 'arping', 'tcpdump']);

const DR_VIP = '192.0.2.50';
const TUN_VIP = '192.0.2.51';

/** The sysctls setup touches (tunl0's aside: it exists only once ipip is loaded). */
const ARP_SYSCTLS = ['net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.all.arp_announce', 'net.ipv4.conf.eth0.arp_ignore', 'net.ipv4.conf.eth0.arp_announce', 'net.ipv4.conf.all.rp_filter'];
const pick = (v: RealServerView | undefined, names: readonly string[]): Record<string, string | undefined> => Object.fromEntries(names.map((n) => [n, v?.sysctls[n]]));

gate.test('uml realserver: DR and TUN real servers prepared by lvsd answer directly, stay silent on ARP, and --undo restores them', async (t) => {
  const run = await runInUml(
    {
      // No ipip: `setup --method tun` must load it.
      job: { kind: 'node', entry: join(process.cwd(), 'dist/src/realserver/realserver-lab-main.js') },
      modules: [...IPVS_MODULES, 'veth', 'bridge'],
      input: { probeCount: 20 },
      timeoutMs: 240_000,
    },
    { runner: createProcessRunner(), logger: silentLogger, pathEnv: process.env['PATH'] ?? '', nodePath: process.execPath, cwd: process.cwd() },
  );
  const r = run.result as RealServerLabResult | undefined;
  if (r === undefined) return t.fail(`no result; exit ${run.exitCode}; stderr:\n${run.stderr.slice(-3000)}`);
  t.log(r.timeline.map((s) => `${String(s.atMs).padStart(6)} ms  ${s.step}: ${s.detail}`).join('\n'));
  t.is(r.error, undefined, JSON.stringify(r.error));
  const mac = (name: string): string => r.macs[name] ?? `<no ${name}>`;

  // Control: an unprepared real server holding the VIP on lo answers ARP, and arping sees it.
  t.true(r.controlArpMacs.includes(mac('rs-2')), `control: ${r.controlArpMacs.join(' ')}`);

  for (const name of ['rs-1', 'rs-2', 'rs-3']) t.is(r.setup[name]?.exitCode, 0, `${name}: ${r.setup[name]?.stderr ?? ''}`);
  t.regex(r.setup['rs-3']?.stdout ?? '', /load module ipip/);
  for (const name of ['rs-1', 'rs-2']) {
    t.like(pick(r.afterSetup[name], ARP_SYSCTLS.slice(0, 4)), { 'net.ipv4.conf.all.arp_ignore': '1', 'net.ipv4.conf.all.arp_announce': '2', 'net.ipv4.conf.eth0.arp_ignore': '1', 'net.ipv4.conf.eth0.arp_announce': '2' });
    t.true(r.afterSetup[name]?.links['lo']?.addresses.includes(`${DR_VIP}/32`), `${name} lo: ${JSON.stringify(r.afterSetup[name]?.links['lo'])}`);
  }
  t.like(r.afterSetup['rs-3']?.links['tunl0'], { isUp: true, addresses: [`${TUN_VIP}/32`] });
  t.is(r.afterSetup['rs-3']?.sysctls['net.ipv4.conf.tunl0.rp_filter'], '2');
  t.is(r.afterSetup['rs-3']?.sysctls['net.ipv4.conf.all.rp_filter'], '1', 'all.rp_filter stays strict');

  // Idempotent: the second setup reports nothing to change and leaves the state file as it was.
  t.is(r.rerun?.exitCode, 0);
  t.regex(r.rerun?.stdout ?? '', /nothing to change/);
  t.true(r.isStateUnchangedByRerun);

  // Traffic: every probe answered, by the real servers of each service.
  t.like(r.probes.dr, { total: 20, okCount: 20 });
  t.true((r.probes.dr.byServer['rs-1'] ?? 0) > 0 && (r.probes.dr.byServer['rs-2'] ?? 0) > 0, JSON.stringify(r.probes.dr.byServer));
  t.deepEqual(r.probes.tun, { total: 20, okCount: 20, byServer: { 'rs-3': 20 } });
  // Through ipip: rs-3's tunl0 decapsulated at least the client's packets of 20 connections.
  t.true((r.tunl0RxPackets ?? 0) >= 20 * 3, `tunl0 rx packets: ${r.tunl0RxPackets ?? 'none'}`);

  // Directly: the replies from each VIP reach the client from the real servers' MACs, never the director's.
  t.deepEqual(Object.keys(r.replyMacs.dr).sort(), [mac('rs-1'), mac('rs-2')].sort(), JSON.stringify(r.replyMacs));
  t.deepEqual(Object.keys(r.replyMacs.tun), [mac('rs-3')], JSON.stringify(r.replyMacs));

  // ARP: only the director answers for either VIP; the client's neighbour table agrees.
  t.true(r.arpMacs.dr.length > 0 && r.arpMacs.dr.every((m) => m === mac('director-1')), `dr: ${r.arpMacs.dr.join(' ')}`);
  t.true(r.arpMacs.tun.length > 0 && r.arpMacs.tun.every((m) => m === mac('director-1')), `tun: ${r.arpMacs.tun.join(' ')}`);
  for (const vip of [DR_VIP, TUN_VIP]) t.is(r.clientNeighbours.find((n) => n.address === vip)?.mac, mac('director-1'), `client neighbour ${vip}`);

  // Undo: every sysctl as before, the VIP gone, tunl0 down again with conf/default's rp_filter, no state left.
  for (const name of ['rs-1', 'rs-2', 'rs-3']) {
    t.is(r.undo[name]?.exitCode, 0, `${name}: ${r.undo[name]?.stderr ?? ''}`);
    t.deepEqual(pick(r.afterUndo[name], ARP_SYSCTLS), pick(r.before[name], ARP_SYSCTLS), name);
    t.is(r.afterUndo[name]?.stateFile, undefined, `${name} state file`);
    for (const link of Object.values(r.afterUndo[name]?.links ?? {})) t.false(link.addresses.some((a) => a.startsWith(`${DR_VIP}/`) || a.startsWith(`${TUN_VIP}/`)));
  }
  t.like(r.afterUndo['rs-3']?.links['tunl0'], { isUp: false, addresses: [] });
  t.is(r.afterUndo['rs-3']?.sysctls['net.ipv4.conf.tunl0.rp_filter'], r.before['rs-3']?.sysctls['net.ipv4.conf.default.rp_filter']);
  t.is(r.undoAgain?.exitCode, 0);
  t.regex(r.undoAgain?.stdout ?? '', /nothing to undo/);

  t.deepEqual(r.teardown?.remainingNamespaces, []);
  t.is(run.exitCode, 0);
});

/**
 * VRRPv3 over IPv6 (ff02::12, adverts from the link-local address) with keepalived 2.2.7 in network
 * namespaces on the host kernel, 1 s adverts, VIP 2001:db8::50/128:
 *  - lvsd with a higher priority preempts a keepalived master (keepalived accepts our adverts), and an
 *    unsolicited neighbour advertisement for the VIP is on the wire for each transition to master, within
 *    the advert interval (its latency is logged; the 10 ms target is a timing for issue 4's benchmarks);
 *  - lvsd SIGKILLed: keepalived takes over;
 *  - lvsd restarted with a lower priority stays backup behind keepalived (it accepts keepalived's adverts),
 *    and takes over within its master down interval when keepalived is SIGKILLed.
 * And the receive check RFC 5798 section 7.1 wants for IPv6 (lvsd's own raw socket, native/raw6-socket.c,
 * sees the hop limit): a forger's higher-priority adverts with hop limit 254 are dropped and counted as
 * `bad-ttl`, and the master stays; the same adverts with hop limit 255 make it yield (the control that
 * shows the forgery would have worked).
 */
import { fileURLToPath } from 'node:url';
import { parseIpAddress, type IpAddress } from '../../src/core/ip.js';
import { encodeAdvertisement } from '../../ha/vrrp-packet.js';
import { VRRP_GROUP_IPV6 } from '../../ha/vrrp-transport.js';
import { requirePrereqs } from '../support/prereqs.js';
import {
  createVrrpLab,
  linkLocalOf,
  num,
  startCapture,
  startDirector,
  startKeepalived,
  tsharkFields,
  type DirectorHandle,
  type DirectorLine,
} from './netns-vrrp-harness.js';

const gate = requirePrereqs(['root', 'netns', 'ip', 'keepalived', 'tcpdump', 'tshark']);
const hopLimitGate = requirePrereqs(['root', 'netns', 'ip']);
const FORGER = fileURLToPath(new URL('./vrrp-forger-main.js', import.meta.url));

const VIP6 = '2001:db8::50';
const MDI_100_MS = 3609.375;
const DISPATCH_ALLOWANCE_MS = 100;
/** The transition's own NA comes before the next advert (1 s). */
const NA_BELONGS_TO_TRANSITION_MS = 1000;
const wallNow = (): number => performance.timeOrigin + performance.now();

gate.serial('IPv6 VRRPv3 with keepalived: lvsd preempts (with an unsolicited NA), each takes over when the other is SIGKILLed', async (t) => {
  const lab = await createVrrpLab(t, 2);
  const lvsdAddress = await linkLocalOf(lab, 1);
  const keepalivedAddress = await linkLocalOf(lab, 2);
  const capture = await startCapture(lab, 'ip6 proto 112 or icmp6');
  const keepalived = await startKeepalived(lab, 2, { version: 3, priority: 150, vrid: 61, vip: `${VIP6}/128` });
  await keepalived.waitForLine(/\(VI_1\) Entering MASTER STATE/, 10_000);

  const params = { vrid: 61, version: 3, primaryAddress: lvsdAddress, vips: [`${VIP6}/128`] };
  const lvsd = await startDirector(lab, 1, { ...params, priority: 200 });
  const before = keepalived.lines().length;
  const preempt = await lvsd.waitForState('master', 10_000);
  t.is(preempt['reason'], 'preempting-lower-priority');
  await keepalived.waitForLine(new RegExp(`Master received advert from ${lvsdAddress} with higher priority 200, ours 150`), 3_000, before);
  await keepalived.waitForLine(/\(VI_1\) Entering BACKUP STATE/, 3_000, before);

  await lvsd.waitFor((l) => l['kind'] === 'garp-round', 2_000);
  await new Promise((r) => setTimeout(r, 100)); // the NA itself leaves right after the round starts
  const killedLvsdAt = wallNow();
  const afterPreempt = keepalived.lines().length;
  lvsd.kill('SIGKILL');
  await keepalived.waitForLine(/\(VI_1\) Entering MASTER STATE/, 10_000, afterPreempt);
  const keepalivedTakeoverMs = wallNow() - killedLvsdAt;
  t.true(keepalivedTakeoverMs <= MDI_100_MS + DISPATCH_ALLOWANCE_MS, `keepalived took over ${keepalivedTakeoverMs.toFixed(1)} ms after lvsd died`);

  const again = await startDirector(lab, 1, { ...params, priority: 100 });
  await new Promise((r) => setTimeout(r, 5_000)); // longer than lvsd's master down interval
  t.deepEqual(again.transitions().map((l) => l['to']), ['backup'], 'lvsd accepts keepalived as master');
  const killedKeepalivedAt = wallNow();
  keepalived.kill();
  const took = await again.waitForState('master', 10_000);
  const lvsdTakeoverMs = num(took, 'wallTimeMs') - killedKeepalivedAt;
  t.is(took['reason'], 'master-silent');
  t.true(lvsdTakeoverMs <= MDI_100_MS + DISPATCH_ALLOWANCE_MS, `lvsd took over ${lvsdTakeoverMs.toFixed(1)} ms after keepalived died`);
  await new Promise((r) => setTimeout(r, 300));
  const file = await capture.stop();

  const nas = await tsharkFields(lab, file, `icmpv6.type == 136 && icmpv6.nd.na.target_address == ${VIP6}`, ['frame.time_epoch', 'ipv6.src']);
  const naAfter = (atMs: number): number => {
    const first = nas.map(([time, src]) => ({ ms: Number(time) * 1000, src })).find((n) => n.src === lvsdAddress && n.ms >= atMs - 1);
    if (first === undefined) throw new Error(`no NA from ${lvsdAddress} after ${atMs}`);
    return first.ms - atMs;
  };
  const vipsAdded = lvsd.lines().find((l) => l['kind'] === 'vips-added');
  if (vipsAdded !== undefined) t.log(`preempting lvsd: VIP in place ${(num(vipsAdded, 'wallTimeMs') - num(preempt, 'wallTimeMs')).toFixed(2)} ms after becoming master`);
  const preemptNaMs = naAfter(num(preempt, 'wallTimeMs'));
  const takeoverNaMs = naAfter(num(took, 'wallTimeMs'));
  t.log(`NA ${preemptNaMs.toFixed(2)} ms after preempting, ${takeoverNaMs.toFixed(2)} ms after taking over`);
  t.true(preemptNaMs >= 0 && preemptNaMs < NA_BELONGS_TO_TRANSITION_MS, `NA ${preemptNaMs.toFixed(2)} ms after preempting`);
  t.true(takeoverNaMs >= 0 && takeoverNaMs < NA_BELONGS_TO_TRANSITION_MS, `NA ${takeoverNaMs.toFixed(2)} ms after taking over`);
  const adverts = await tsharkFields(lab, file, 'vrrp', ['ipv6.src', 'vrrp.checksum.status', '_ws.expert.severity']);
  const ours = adverts.filter(([src]) => src === lvsdAddress);
  t.true(ours.length >= 2);
  t.deepEqual(ours.filter(([, status, severity]) => status !== '1' || severity !== ''), []);
  t.true(adverts.some(([src]) => src === keepalivedAddress));
  t.false(keepalived.lines().some((l) => /Invalid|invalid|checksum/.test(l)), 'keepalived complained about none of our adverts');
  t.log(`IPv6: keepalived took over ${keepalivedTakeoverMs.toFixed(1)} ms after lvsd's SIGKILL, lvsd ${lvsdTakeoverMs.toFixed(1)} ms after keepalived's (MDI ${MDI_100_MS} ms); NA ${preemptNaMs.toFixed(2)} / ${takeoverNaMs.toFixed(2)} ms after becoming master`);
});

function address(text: string): IpAddress {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** A snapshot of the running instance (SIGUSR2 to the lab director). */
async function snapshotOf(d: DirectorHandle): Promise<DirectorLine> {
  const before = d.lines().filter((l) => l.type === 'snapshot').length;
  d.kill('SIGUSR2');
  await d.waitFor(() => d.lines().filter((l) => l.type === 'snapshot').length > before, 5_000);
  return d.lines().filter((l) => l.type === 'snapshot')[before] as DirectorLine;
}

function countersOf(snapshot: DirectorLine): { drops: Record<string, number>; accepted: number; assumedTtl: number } {
  const receive = snapshot['receive'] as { drops: Record<string, number>; accepted: number };
  const assumed = snapshot['assumedHeaderFields'] as { ttl: number };
  return { drops: receive.drops, accepted: receive.accepted, assumedTtl: assumed.ttl };
}

hopLimitGate.serial('IPv6 hop limit: higher-priority adverts with hop limit 254 are dropped as bad-ttl and the master stays; with 255 it yields', async (t) => {
  const lab = await createVrrpLab(t, 2);
  const lvsdAddress = await linkLocalOf(lab, 1);
  const forgerAddress = await linkLocalOf(lab, 2);
  const lvsd = await startDirector(lab, 1, { vrid: 62, version: 3, priority: 100, advertIntervalCs: 100, primaryAddress: lvsdAddress, vips: [`${VIP6}/128`] });
  await lvsd.waitForState('master', 10_000);

  const advert = encodeAdvertisement(
    { version: 3, vrid: 62, priority: 200, maxAdverIntervalCs: 100, ipAddresses: [address(VIP6)] },
    { sourceAddress: address(forgerAddress), destinationAddress: VRRP_GROUP_IPV6 },
  );
  const forge = (hopLimit: number): Promise<unknown> =>
    lab.topology.execChecked(lab.director(2).namespace, process.execPath, [FORGER, 'send6', 'eth0', forgerAddress, Buffer.from(advert).toString('hex'), '3', String(hopLimit)], {
      timeoutMs: 10_000,
    });

  const transitionsBefore = lvsd.transitions().map((l) => l['to']);
  const before = countersOf(await snapshotOf(lvsd));
  await forge(254);
  await new Promise((r) => setTimeout(r, 300));
  const after = countersOf(await snapshotOf(lvsd));
  t.is((after.drops['bad-ttl'] ?? 0) - (before.drops['bad-ttl'] ?? 0), 3, 'each advert with hop limit 254 dropped as bad-ttl');
  t.is(after.accepted, before.accepted, 'none accepted');
  t.is(after.assumedTtl, 0, 'no hop limit was assumed: the socket saw every one');
  t.deepEqual(lvsd.transitions().map((l) => l['to']), transitionsBefore, 'the master stayed');
  t.is(transitionsBefore.at(-1), 'master');

  const seq = Number(lvsd.transitions().at(-1)?.['seq'] ?? 0);
  await forge(255);
  const yielded = await lvsd.waitForState('backup', 3_000, seq);
  t.log(`hop limit 254: bad-ttl +${(after.drops['bad-ttl'] ?? 0) - (before.drops['bad-ttl'] ?? 0)}; hop limit 255: backup, reason ${String(yielded['reason'])}`);
});

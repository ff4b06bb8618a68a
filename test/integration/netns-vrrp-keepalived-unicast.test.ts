/**
 * Interop with keepalived 2.2.7 (Debian) over unicast (keepalived's unicast_src_ip / unicast_peer; lvsd's
 * unicastPeers on IP protocol 112), VRRPv3 and VRRPv2, 1 s adverts, in network namespaces on the host
 * kernel, both directions:
 *  - lvsd master, keepalived with a higher priority joins: keepalived preempts and lvsd yields;
 *    keepalived is SIGKILLed (no priority-0 advert): lvsd takes over when its master down timer fires;
 *  - keepalived master, lvsd with a higher priority joins: lvsd preempts and keepalived yields; lvsd is
 *    SIGKILLed: keepalived takes over.
 * tcpdump in lvsd's namespace shows that every advert, ours and keepalived's, went to the peer's address
 * (none to 224.0.0.18), and tshark finds each checksum good (for v3 it covers the unicast destination).
 * Durations go to t.log.
 */
import type { ExecutionContext } from 'ava';
import { requirePrereqs } from '../support/prereqs.js';
import { createVrrpLab, eventually, num, startCapture, startDirector, startKeepalived, tsharkFields, type VrrpLab } from './netns-vrrp-harness.js';

const gate = requirePrereqs(['root', 'netns', 'ip', 'keepalived', 'tcpdump', 'tshark']);

const wallNow = (): number => performance.timeOrigin + performance.now();
const COMPLAINT = /Invalid|invalid|bad|mismatch|unknown/;

/** Every advert seen in the capture: source, destination, priority, checksum status and any expert note. */
async function checkAdverts(t: ExecutionContext, lab: VrrpLab, file: string, version: 2 | 3, lvsd: string, keepalived: string): Promise<void> {
  const adverts = await tsharkFields(lab, file, 'vrrp', ['ip.src', 'ip.dst', 'vrrp.version', 'vrrp.prio', 'vrrp.checksum.status', '_ws.expert.severity']);
  const pairs = [...new Set(adverts.map(([src, dst]) => `${src}>${dst}`))].sort();
  t.deepEqual(pairs, [`${keepalived}>${lvsd}`, `${lvsd}>${keepalived}`].sort(), 'unicast both ways, nothing to the multicast group');
  t.deepEqual([...new Set(adverts.map(([, , v]) => v))], [String(version)]);
  t.deepEqual(adverts.filter(([, , , , status, severity]) => status !== '1' || (severity ?? '') !== ''), [], 'every checksum good, no expert note');
  t.deepEqual(await tsharkFields(lab, file, '_ws.malformed', ['frame.number']), []);
}

async function keepalivedPreemptsThenDies(t: ExecutionContext, version: 2 | 3): Promise<void> {
  const lab = await createVrrpLab(t, 2);
  const [kaNode, lvsdNode] = [lab.director(1), lab.director(2)];
  const capture = await startCapture(lab, 'ip proto 112', lvsdNode);
  const lvsd = await startDirector(lab, 2, { vrid: 51, version, priority: 100, unicastPeers: [kaNode.address.text] });
  const first = await lvsd.waitForState('master', 10_000);
  const keepalived = await startKeepalived(lab, 1, { version, priority: 200, unicastPeers: [lvsdNode.address.text] });
  await keepalived.waitForLine(/\(VI_1\) Entering MASTER STATE/, 10_000);
  const yielded = await lvsd.waitForState('backup', 5_000, num(first, 'seq'));
  t.is(yielded['reason'], 'higher-priority-advert');
  t.deepEqual(await eventually(async () => ((await lab.holders()).length === 1 ? lab.holders() : undefined), 3_000), ['director-1']);

  const killedAt = wallNow();
  keepalived.kill();
  const took = await lvsd.waitForState('master', 10_000, num(yielded, 'seq'));
  t.is(took['reason'], 'master-silent');
  await lvsd.waitFor((l) => l['kind'] === 'vips-added' && num(l, 'seq') > num(took, 'seq'), 2_000);
  t.false(keepalived.lines().some((l) => COMPLAINT.test(l)), `keepalived complained about none of our adverts: ${keepalived.lines().filter((l) => COMPLAINT.test(l)).join(' | ')}`);
  lvsd.kill('SIGINT');
  await lvsd.waitFor((l) => l.type === 'stopped', 5_000);
  await checkAdverts(t, lab, await capture.stop(), version, lvsdNode.address.text, kaNode.address.text);
  t.log(`v${version} unicast: keepalived SIGKILLed -> lvsd master after ${(num(took, 'wallTimeMs') - killedAt).toFixed(1)} ms (MDI at 100: 3609 ms)`);
}

async function lvsdPreemptsThenDies(t: ExecutionContext, version: 2 | 3): Promise<void> {
  const lab = await createVrrpLab(t, 2);
  const [lvsdNode, kaNode] = [lab.director(1), lab.director(2)];
  const capture = await startCapture(lab, 'ip proto 112', lvsdNode);
  const keepalived = await startKeepalived(lab, 2, { version, priority: 100, unicastPeers: [lvsdNode.address.text] });
  await keepalived.waitForLine(/\(VI_1\) Entering MASTER STATE/, 10_000);
  const before = keepalived.lines().length;
  const lvsd = await startDirector(lab, 1, { vrid: 51, version, priority: 200, unicastPeers: [kaNode.address.text] });
  const preempt = await lvsd.waitForState('master', 10_000);
  t.is(preempt['reason'], 'preempting-lower-priority');
  await keepalived.waitForLine(/\(VI_1\) Master received advert from 192\.0\.2\.11 with higher priority 200, ours 100/, 3_000, before);
  await keepalived.waitForLine(/\(VI_1\) Entering BACKUP STATE/, 3_000, before);
  t.deepEqual(await eventually(async () => ((await lab.holders()).length === 1 ? lab.holders() : undefined), 3_000), ['director-1']);

  const afterPreempt = keepalived.lines().length;
  const killedAt = wallNow();
  lvsd.kill('SIGKILL');
  await keepalived.waitForLine(/\(VI_1\) Entering MASTER STATE/, 10_000, afterPreempt);
  const takeoverMs = wallNow() - killedAt;
  t.true(keepalived.lines().slice(afterPreempt).some((l) => l.includes('Receive advertisement timeout')));
  t.false(keepalived.lines().some((l) => COMPLAINT.test(l)), `keepalived complained about none of our adverts: ${keepalived.lines().filter((l) => COMPLAINT.test(l)).join(' | ')}`);
  await checkAdverts(t, lab, await capture.stop(), version, lvsdNode.address.text, kaNode.address.text);
  t.log(`v${version} unicast: lvsd SIGKILLed -> keepalived master after ${takeoverMs.toFixed(1)} ms (seen on its log pipe; MDI at 100: 3609 ms)`);
}

gate.serial('unicast v3: keepalived preempts lvsd, then dies: lvsd takes over', (t) => keepalivedPreemptsThenDies(t, 3));
gate.serial('unicast v3: lvsd preempts keepalived, then dies: keepalived takes over', (t) => lvsdPreemptsThenDies(t, 3));
gate.serial('unicast v2: keepalived preempts lvsd, then dies: lvsd takes over', (t) => keepalivedPreemptsThenDies(t, 2));
gate.serial('unicast v2: lvsd preempts keepalived, then dies: keepalived takes over', (t) => lvsdPreemptsThenDies(t, 2));

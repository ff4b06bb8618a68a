/**
 * What lvsd puts on the wire, captured by tcpdump in the client namespace (a peer on the bridge) and read
 * back with tshark:
 *  - a gratuitous ARP for the VIP, from the new master's MAC, sent for each transition to master (the first
 *    election and the planned handover): it arrives within the advert interval of the transition, so it
 *    is the transition's own burst, not the delayed second one (5 s). The latency is logged; issue 4's
 *    10 ms target is a timing for issue 4's benchmarks (not written yet), not asserted here (STYLE 24: on a loaded CI
 *    host the kernel's address add alone was seen taking 7-24 ms);
 *  - every advertisement (periodic and priority 0) decodes with "Checksum Status: Good" and no malformed
 *    packet or expert warning, for VRRPv3 and for VRRPv2 with auth_type PASS.
 */
import type { ExecutionContext } from 'ava';
import { requirePrereqs } from '../support/prereqs.js';
import {
  createVrrpLab,
  num,
  startCapture,
  startDirector,
  tsharkFields,
  VIP,
  type DirectorHandle,
  type DirectorLine,
  type VrrpLab,
} from './netns-vrrp-harness.js';

const gate = requirePrereqs(['root', 'netns', 'ip', 'tcpdump', 'tshark']);

/** The transition's own burst comes before the next advert (1 s); the delayed second burst comes after 5 s. */
const GARP_BELONGS_TO_TRANSITION_MS = 1000;

async function macOf(lab: VrrpLab, index: number): Promise<string> {
  const r = await lab.topology.execChecked(lab.director(index).namespace, 'cat', ['/sys/class/net/eth0/address']);
  return r.stdout.trim();
}

interface Garp {
  readonly timeMs: number;
  readonly mac: string;
}

async function capturedGarps(lab: VrrpLab, file: string): Promise<Garp[]> {
  const rows = await tsharkFields(lab, file, 'arp.opcode == 1', ['frame.time_epoch', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4']);
  return rows.filter(([, , src, dst]) => src === VIP && dst === VIP).map(([time, mac]) => ({ timeMs: Number(time) * 1000, mac: mac ?? '' }));
}

async function wireCheck(t: ExecutionContext, version: 2 | 3, authPass?: string): Promise<void> {
  const lab = await createVrrpLab(t, 2);
  const capture = await startCapture(lab, 'arp or ip proto 112');
  const auth = authPass === undefined ? {} : { authPass };
  const d1 = await startDirector(lab, 1, { vrid: 51, version, priority: 200, ...auth });
  const d2 = await startDirector(lab, 2, { vrid: 51, version, priority: 100, ...auth });
  const first = await d1.waitForState('master', 10_000);
  await d1.waitFor((l) => l['kind'] === 'garp-round', 2_000);
  await new Promise((r) => setTimeout(r, 2_200)); // two periodic adverts
  d1.kill('SIGTERM');
  const second = await d2.waitForState('master', 5_000);
  await d2.waitFor((l) => l['kind'] === 'garp-round', 2_000);
  await d1.waitFor((l) => l.type === 'stopped', 5_000);
  // The GARP leaves right after the round's event; give the capture a moment to see it.
  await new Promise((r) => setTimeout(r, 200));
  const file = await capture.stop();

  const garps = await capturedGarps(lab, file);
  const check = async (transition: DirectorLine, index: number, director: DirectorHandle): Promise<number> => {
    const atMs = num(transition, 'wallTimeMs');
    const after = (kind: string): string => {
      const line = director.lines().find((l) => l['kind'] === kind && num(l, 'seq') > num(transition, 'seq'));
      return line === undefined ? '?' : (num(line, 'wallTimeMs') - atMs).toFixed(2);
    };
    t.log(`${director.node.name}: VIP added +${after('vips-added')} ms, first GARP sent +${after('garp-round')} ms`);
    const mac = await macOf(lab, index);
    const garp = garps.find((g) => g.mac === mac && g.timeMs >= atMs - 1);
    if (garp === undefined) throw new Error(`no GARP from ${mac} after ${atMs}`);
    return garp.timeMs - atMs;
  };
  const electionMs = await check(first, 1, d1);
  const handoverMs = await check(second, 2, d2);
  t.log(`GARP ${electionMs.toFixed(2)} ms after the election, ${handoverMs.toFixed(2)} ms after the handover`);
  t.true(electionMs >= 0 && electionMs < GARP_BELONGS_TO_TRANSITION_MS, `GARP ${electionMs.toFixed(2)} ms after the election`);
  t.true(handoverMs >= 0 && handoverMs < GARP_BELONGS_TO_TRANSITION_MS, `GARP ${handoverMs.toFixed(2)} ms after the handover`);
  t.log(`v${version}: first GARP ${electionMs.toFixed(2)} ms after becoming master (election), ${handoverMs.toFixed(2)} ms (planned handover); ${garps.length} GARPs captured`);

  const adverts = await tsharkFields(lab, file, 'vrrp', ['ip.src', 'vrrp.version', 'vrrp.prio', 'vrrp.checksum.status', '_ws.expert.severity', '_ws.malformed']);
  t.true(adverts.length >= 5, `${adverts.length} adverts captured`);
  t.deepEqual([...new Set(adverts.map(([, v]) => v))], [String(version)]);
  t.true(adverts.some(([src, , prio]) => src === '192.0.2.11' && prio === '0'), 'the priority-0 advert of the planned handover is on the wire');
  // Wireshark 4.0: checksum status 1 = Good. No expert info, no malformed-packet marker on any advert.
  t.deepEqual(adverts.filter(([, , , status, severity, malformed]) => status !== '1' || severity !== '' || (malformed ?? '') !== ''), []);
  const malformed = await tsharkFields(lab, file, '_ws.malformed', ['frame.number']);
  t.deepEqual(malformed, []);
}

gate.serial('VRRPv3: a GARP on becoming master; tshark decodes every advert with a good checksum', (t) => wireCheck(t, 3));
gate.serial('VRRPv2 with auth_type PASS: the same on the wire', (t) => wireCheck(t, 2, 'lvsd123'));

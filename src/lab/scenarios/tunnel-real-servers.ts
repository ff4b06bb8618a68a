/**
 * TUN forwarding in the lab: each real server prepared by lvsd itself, `lvsd realserver setup --vip
 * VIP --method tun` (VIP on tunl0, rp_filter relaxed on it, ARP for the VIP silenced), and
 * afterwards how many packets each one's tunl0 decapsulated: the proof the traffic came through ipip.
 */
import { fileURLToPath } from 'node:url';
import { LvsdError } from '../../core/errors.js';
import { parseIpJsonRxPackets } from '../../realserver/realserver-lab-checks.js';
import { LAB_VIP, type LabNode } from '../topology-plan.js';
import type { LabTopology } from '../topology.js';

/** bin/lvsd.js of this checkout, from dist/src/lab/scenarios/. */
export const DEFAULT_LVSD_BIN = fileURLToPath(new URL('../../../../bin/lvsd.js', import.meta.url));

const SETUP_TIMEOUT_MS = 60_000;

/** The state directory of a lab real server: under /run, which is private to the UML guest. */
function stateDirOf(rs: LabNode): string {
  return `/run/lvsd-lab-${rs.name}`;
}

export async function setupTunnelRealServers(topology: LabTopology, lvsdBin: string, nodePath: string): Promise<void> {
  await Promise.all(
    topology.realServers.map(async (rs) => {
      const args = [lvsdBin, 'realserver', 'setup', '--vip', LAB_VIP.text, '--method', 'tun', '--interface', 'eth0', '--state-dir', stateDirOf(rs)];
      const out = await topology.exec(rs.namespace, nodePath, args, { timeoutMs: SETUP_TIMEOUT_MS });
      if (out.exitCode !== 0) throw new LvsdError('ERR_LAB', `lvsd realserver setup --method tun on ${rs.name} failed (exit ${out.exitCode ?? out.signal ?? '?'}): ${out.stderr.trim()}`);
    }),
  );
}

/** Packets each real server's tunl0 received so far, by real server name. */
export async function readTunl0RxPackets(topology: LabTopology): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const rs of topology.realServers) {
    const shown = await topology.execChecked(rs.namespace, 'ip', ['-s', '-j', 'link', 'show', 'dev', 'tunl0']);
    out[rs.name] = parseIpJsonRxPackets(shown.stdout) ?? 0;
  }
  return out;
}

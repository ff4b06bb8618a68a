/** `lvsd status` text for VRRP: HMAC drops under an authenticated instance, and one line per sync group. */
import test from 'ava';
import { formatStatus } from '../../../src/cli/commands/status.js';
import type { DaemonSnapshot } from '../../../src/daemon/daemon.js';
import type { VrrpInstanceSnapshot } from '../../../ha/vrrp-instance-snapshot.js';
import { VRRP_DROP_REASONS } from '../../../ha/vrrp-receive-filter.js';

function instance(name: string, state: VrrpInstanceSnapshot['state'], hmac: VrrpInstanceSnapshot['hmac'], drops: Partial<Record<string, number>> = {}): VrrpInstanceSnapshot {
  const zero = Object.fromEntries(VRRP_DROP_REASONS.map((r) => [r, drops[r] ?? 0]));
  return {
    name,
    vrid: 51,
    interface: 'eth0',
    version: 3,
    state,
    effectivePriority: 150,
    configuredPriority: 150,
    masterAddress: '192.0.2.11',
    masterPriority: 150,
    advertsSent: 10,
    transitions: 2,
    receive: { accepted: 0, drops: zero, warnings: { 'address-list-mismatch': 0, 'advert-interval-mismatch': 0 } },
    vips: { applied: ['192.0.2.50/32'] },
    hmac,
  } as unknown as VrrpInstanceSnapshot;
}

function status(detail: Record<string, unknown>): string[] {
  const s: DaemonSnapshot = {
    routerId: 'director-1',
    pid: 42,
    version: '0.1.0',
    startedAt: null,
    uptimeMs: 0,
    config: { file: '/etc/lvsd/lvsd.yaml', syntax: 'yaml', loadedAt: '2026-11-25T12:00:00.000Z', reloadCount: 0 },
    components: [{ name: 'vrrp', state: 'running', detail }],
  } as unknown as DaemonSnapshot;
  return formatStatus(s).split('\n');
}

test('an HMAC instance shows its authentication drops; a plain one does not', (t) => {
  const lines = status({
    instances: [instance('VI_1', 'master', { nextSequence: '1', highestAccepted: {} }, { replayed: 3, 'hmac-mismatch': 1, 'bad-ttl': 2 }), instance('VI_2', 'master', null)],
    syncGroups: [],
  });
  t.is(lines.filter((l) => l.includes('hmac-sha256')).length, 1);
  t.true(lines.includes('    hmac-sha256: dropped 3 replayed, 1 forged or wrong key, 0 unauthenticated'));
  t.true(lines.includes('    adverts sent 10, accepted 0, dropped 6; transitions 2'));
});

test("a sync group line: its state, its members' states, and the takeovers it holds", (t) => {
  const lines = status({
    instances: [instance('VI_1', 'backup', null), instance('VI_2', 'backup', null)],
    syncGroups: [
      {
        name: 'G',
        state: 'backup',
        members: [
          { name: 'VI_1', state: 'backup', isOwnFault: false, isWantingMaster: true },
          { name: 'VI_2', state: 'backup', isOwnFault: false, isWantingMaster: false },
        ],
        heldTakeovers: ['VI_1'],
      },
    ],
  });
  t.is(lines.at(-1), '  sync group G: BACKUP (VI_1 BACKUP, VI_2 BACKUP); waiting to take over: VI_1');
});

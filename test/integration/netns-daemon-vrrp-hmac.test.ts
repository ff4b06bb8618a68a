/**
 * HMAC-SHA256 between two `lvsd run` daemons in director namespaces (host kernel, IP protocol 112,
 * VRRPv3, 200 ms adverts, the key in a 0600 file): they elect as usual; then a forger in the client
 * namespace (vrrp-forger-main.ts, raw socket with its own IPv4 header, so it can use the master's
 * address as source) sends a forged priority-0 advert in the master's name right after one of its real
 * adverts, and replays that real advert three times. The backup drops and counts all four (status and
 * event log), and the VIP does not move. Without HMAC the same forged release makes the backup take
 * over after its skew time (the first test: the attack is real).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { requirePrereqs } from '../support/prereqs.js';
import { startDaemonPair, waitForHolders, type DaemonPair } from './netns-daemon-pair.js';

const gate = requirePrereqs(['root', 'netns', 'ip']);
const FORGER = fileURLToPath(new URL('./vrrp-forger-main.js', import.meta.url));
const VIP = '192.0.2.50';
const KEY = '8c1f0b6e4a2d9935c7e1f00a5b3d6e7f8c1f0b6e4a2d9935c7e1f00a5b3d6e7f';

function config(dir: string, name: string, priority: number, isAuthenticated = true): string {
  const auth = isAuthenticated ? `, authentication: { type: hmac-sha256, keyFile: ${dir}/vrrp.key }` : '';
  return `global: { routerId: ${name} }
daemon: { controlSocket: ${dir}/${name}.sock, pidFile: ${dir}/${name}.pid, stateDir: ${dir}/${name}-state }
log: { level: info, format: json }
vrrp:
  eventLog: ${dir}/${name}-events.jsonl
  instances:
    - { name: VI_1, interface: eth0, vrid: 51, priority: ${priority}, version: 3, advertInterval: 200ms, vips: [${VIP}/32]${auth} }
`;
}

async function forger(pair: DaemonPair, args: string[]): Promise<string> {
  const client = pair.topology.client;
  if (client === undefined) throw new Error('no client namespace');
  const r = await pair.topology.execChecked(client.namespace, process.execPath, [FORGER, ...args], { timeoutMs: 10_000 });
  return r.stdout.trim();
}

async function backupDrops(pair: DaemonPair): Promise<Record<string, number>> {
  return (await pair.vrrpDetail(1)).instances[0]?.receive.drops ?? {};
}

gate.serial('without authentication, the same forged release makes the backup take over (what HMAC prevents)', async (t: ExecutionContext) => {
  const pair = await startDaemonPair(t, (dir, node, index) => config(dir, node.name, index === 0 ? 150 : 100, false), { hasClient: true });
  const [d1] = pair.directors;
  t.deepEqual(await waitForHolders(pair.topology, [VIP], [[d1.name]]), [[d1.name]]);
  const captured = await forger(pair, ['capture', 'eth0', pair.topology.client?.address.text ?? '', d1.address.text, '51', '5000', 'release']);
  t.is(captured.length, (8 + 4) * 2);
  let transitions: string[] = [];
  for (let i = 0; i < 30 && !transitions.includes('master:master-released'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    transitions = (await pair.events(1)).filter((e) => e['kind'] === 'transition').map((e) => `${String(e['to'])}:${String(e['reason'])}`);
  }
  t.true(transitions.includes('master:master-released'), transitions.join(', '));
  await pair.daemons[0].stop(10_000);
  await pair.daemons[1].stop(10_000);
});

gate.serial('HMAC between lvsd directors: election as usual; replayed and forged adverts on the link are dropped, counted, and move nothing', async (t: ExecutionContext) => {
  const pair = await startDaemonPair(t, (dir, node, index) => config(dir, node.name, index === 0 ? 150 : 100), {
    hasClient: true,
    prepare: (dir) => writeFile(join(dir, 'vrrp.key'), `${KEY}\n`, { mode: 0o600 }),
  });
  const [d1] = pair.directors;
  t.deepEqual(await waitForHolders(pair.topology, [VIP], [[d1.name]]), [[d1.name]]);
  const backup = (await pair.vrrpDetail(1)).instances[0];
  t.is(backup?.state, 'backup');
  t.true((backup?.receive.accepted ?? 0) > 0);
  t.deepEqual(Object.keys((backup?.['hmac'] as { highestAccepted: Record<string, string> }).highestAccepted), [d1.address.text]);

  const transitionsBefore = (await pair.events(1)).filter((e) => e['kind'] === 'transition').length;
  const forgedAt = performance.now();
  const captured = await forger(pair, ['capture', 'eth0', pair.topology.client?.address.text ?? '', d1.address.text, '51', '5000', 'release']);
  t.is(captured.length, (8 + 4 + 40) * 2, 'header, one address, 40-byte trailer');
  await forger(pair, ['send', 'eth0', d1.address.text, captured, '3']);

  let drops: Record<string, number> = {};
  for (let i = 0; i < 50 && !((drops['replayed'] ?? 0) >= 3 && (drops['hmac-mismatch'] ?? 0) >= 1); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    drops = await backupDrops(pair);
  }
  t.is(drops['replayed'], 3);
  t.is(drops['hmac-mismatch'], 1);
  t.is(drops['hmac-missing'], 0);
  // Well past the backup's skew time (0.12 s at 200 ms adverts, priority 100): nothing moved.
  while (performance.now() - forgedAt < 1_000) await new Promise((resolve) => setTimeout(resolve, 100));
  t.deepEqual(await waitForHolders(pair.topology, [VIP], [[d1.name]]), [[d1.name]]);
  const events = await pair.events(1);
  // Whatever the start-up race did before, the forgeries made the backup move nowhere.
  t.deepEqual(events.filter((e) => e['kind'] === 'transition').slice(transitionsBefore).map((e) => `${String(e['to'])}:${String(e['reason'])}`), []);
  const rejected = events.filter((e) => e['kind'] === 'advert-rejected').map((e) => `${String(e['reason'])} from ${String(e['from'])}`);
  t.deepEqual([...new Set(rejected)].sort(), [`hmac-mismatch from ${d1.address.text}`, `replayed from ${d1.address.text}`]);
  // The master's kernel drops packets that arrive with its own address as source (martian), so it saw none.
  t.is((await pair.vrrpDetail(0)).instances[0]?.state, 'master');
  t.log(`backup drops after the forgeries: ${JSON.stringify(Object.fromEntries(Object.entries(drops).filter(([, n]) => n > 0)))}`);
  await pair.daemons[0].stop(10_000);
  await pair.daemons[1].stop(10_000);
});

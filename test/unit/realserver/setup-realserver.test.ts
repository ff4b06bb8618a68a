/**
 * The setup/undo driver against the in-memory host and state store: the host ends exactly as it
 * started after setup + undo, both are idempotent, a failure half-way can be finished or undone,
 * and the state file round-trips through the file store.
 */
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIpAddress, type IpAddress } from '../../../src/core/ip.js';
import { createFileRealServerStateStore, createMemoryRealServerStateStore } from '../../../src/realserver/file-realserver-state-store.js';
import { MemoryRealServerHost } from '../../../src/realserver/memory-realserver-host.js';
import { isRealServerError } from '../../../src/realserver/realserver-error.js';
import { EMPTY_REALSERVER_STATE, parseRealServerState } from '../../../src/realserver/realserver-state.js';
import { describeRealServerChange, setupRealServer, undoRealServer } from '../../../src/realserver/setup-realserver.js';

const ip = (text: string): IpAddress => {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const VIP = ip('192.0.2.50');

/** Everything observable about the memory host, for before/after comparisons. */
function snapshot(h: MemoryRealServerHost): string {
  const sysctls = [...h.sysctls].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
  const devices = [...h.devices].sort(([a], [b]) => a.localeCompare(b)).map(([k, d]) => `${k} ${d.isUp ? 'up' : 'down'} ${d.addresses.map((a) => a.text).join(',')}`);
  return [...sysctls, ...devices].join('\n');
}

test('DR: setup changes the host, undo restores it exactly, and the state is gone', async (t) => {
  const host = new MemoryRealServerHost({ sysctls: { 'net/ipv4/conf/eth0/arp_announce': '1' } });
  const store = createMemoryRealServerStateStore();
  const before = snapshot(host);
  const done = await setupRealServer({ vip: VIP, method: 'dr', interfaceName: 'eth0' }, { host, store });
  t.deepEqual(host.operations, [
    'sysctl net/ipv4/conf/all/arp_ignore=1',
    'sysctl net/ipv4/conf/all/arp_announce=2',
    'sysctl net/ipv4/conf/eth0/arp_ignore=1',
    'sysctl net/ipv4/conf/eth0/arp_announce=2',
    'address add 192.0.2.50/32 dev lo',
  ]);
  t.is(done.changes.length, 5);
  const undone = await undoRealServer(VIP, 'dr', { host, store });
  t.deepEqual(undone.changes.map(describeRealServerChange).slice(0, 2), ['remove 192.0.2.50/32 from lo', 'set net.ipv4.conf.eth0.arp_announce 2 -> 1']);
  t.is(snapshot(host), before);
  t.deepEqual(store.state, EMPTY_REALSERVER_STATE);
});

test('setup twice and undo twice: the second of each changes nothing', async (t) => {
  const host = new MemoryRealServerHost();
  const store = createMemoryRealServerStateStore();
  await setupRealServer({ vip: VIP, method: 'dr' }, { host, store });
  const state = store.state;
  host.operations.length = 0;
  const again = await setupRealServer({ vip: VIP, method: 'dr' }, { host, store });
  t.deepEqual(again.changes, []);
  t.deepEqual(host.operations, []);
  t.is(store.state, state, 'the state is not rewritten');
  await undoRealServer(VIP, undefined, { host, store });
  host.operations.length = 0;
  const undoAgain = await undoRealServer(VIP, undefined, { host, store });
  t.deepEqual(undoAgain.changes, []);
  t.deepEqual(host.operations, []);
});

test('TUN: ipip is loaded, tunl0 comes up with the VIP and a loose rp_filter; undo leaves the module', async (t) => {
  const host = new MemoryRealServerHost({ sysctls: { 'net/ipv4/conf/default/rp_filter': '1', 'net/ipv4/conf/all/rp_filter': '1' } });
  const store = createMemoryRealServerStateStore();
  const done = await setupRealServer({ vip: VIP, method: 'tun' }, { host, store });
  t.deepEqual(host.operations, [
    'modprobe ipip',
    'sysctl net/ipv4/conf/all/arp_ignore=1',
    'sysctl net/ipv4/conf/all/arp_announce=2',
    'sysctl net/ipv4/conf/tunl0/rp_filter=2',
    'link tunl0 up',
    'address add 192.0.2.50/32 dev tunl0',
  ]);
  t.true(done.notes.some((n) => n.includes('--undo leaves it loaded')));
  t.is(host.sysctls.get('net/ipv4/conf/all/rp_filter'), '1', 'all.rp_filter is left alone');
  const withModule = new MemoryRealServerHost({ sysctls: { 'net/ipv4/conf/default/rp_filter': '1', 'net/ipv4/conf/all/rp_filter': '1' } });
  await withModule.loadModule('ipip');
  const afterModule = snapshot(withModule);
  await undoRealServer(VIP, 'tun', { host, store });
  t.is(snapshot(host), afterModule, 'as before, but for the tunl0 that ipip created');
  t.true(host.loadedModules.has('ipip'));
});

test('a failure half-way: the error says so, a rerun finishes, undo then restores everything', async (t) => {
  const host = new MemoryRealServerHost();
  const store = createMemoryRealServerStateStore();
  const before = snapshot(host);
  host.failOn = 'address add 192.0.2.50/32 dev lo';
  const error = await t.throwsAsync(setupRealServer({ vip: VIP, method: 'dr' }, { host, store }));
  t.true(isRealServerError(error, 'ERR_REALSERVER_KERNEL'));
  t.regex(error?.message ?? '', /run setup again to finish, or --undo to restore/);
  t.is(host.sysctls.get('net/ipv4/conf/all/arp_ignore'), '1');
  host.failOn = undefined;
  const rerun = await setupRealServer({ vip: VIP, method: 'dr' }, { host, store });
  t.deepEqual(rerun.changes.map(describeRealServerChange), ['add 192.0.2.50/32 on lo']);
  await undoRealServer(VIP, undefined, { host, store });
  t.is(snapshot(host), before);
});

test('a failure half-way then undo: what was not changed is not touched', async (t) => {
  const host = new MemoryRealServerHost();
  const store = createMemoryRealServerStateStore();
  const before = snapshot(host);
  host.failOn = 'sysctl net/ipv4/conf/all/arp_announce=2';
  await t.throwsAsync(setupRealServer({ vip: VIP, method: 'dr' }, { host, store }));
  host.failOn = undefined;
  host.operations.length = 0;
  await undoRealServer(VIP, undefined, { host, store });
  t.deepEqual(host.operations, ['sysctl net/ipv4/conf/all/arp_ignore=0']);
  t.is(snapshot(host), before);
  t.deepEqual(store.state, EMPTY_REALSERVER_STATE);
});

test('a dry run reports the plan and changes neither the host nor the state', async (t) => {
  const host = new MemoryRealServerHost();
  const store = createMemoryRealServerStateStore();
  const r = await setupRealServer({ vip: VIP, method: 'tun' }, { host, store }, { isDryRun: true });
  t.is(r.changes.length, 6);
  t.true(r.isDryRun);
  t.deepEqual(host.operations, []);
  t.deepEqual(store.state, EMPTY_REALSERVER_STATE);
});

test('a refusal changes nothing: the VIP already on eth0', async (t) => {
  const host = new MemoryRealServerHost();
  await host.addAddress('eth0', { address: VIP, prefixLength: 24, text: '192.0.2.50/24' });
  host.operations.length = 0;
  const store = createMemoryRealServerStateStore();
  const error = await t.throwsAsync(setupRealServer({ vip: VIP, method: 'dr' }, { host, store }));
  t.true(isRealServerError(error, 'ERR_REALSERVER_CONFLICT'));
  t.deepEqual(host.operations, []);
  t.deepEqual(store.state, EMPTY_REALSERVER_STATE);
});

test('file store: missing file is the empty state, save/load round-trips, an empty state removes the file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lvsd-rs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = createFileRealServerStateStore(join(dir, 'realserver'));
  t.deepEqual(await store.load(), EMPTY_REALSERVER_STATE);
  const host = new MemoryRealServerHost();
  await setupRealServer({ vip: VIP, method: 'dr', interfaceName: 'eth0' }, { host, store });
  const text = await readFile(store.file, 'utf8');
  const parsed = parseRealServerState(JSON.parse(text));
  t.true(parsed.ok);
  t.is((await store.load()).held.length, 5);
  await undoRealServer(VIP, undefined, { host, store });
  await t.throwsAsync(readFile(store.file, 'utf8'), { code: 'ENOENT' });
});

test('file store: a corrupt or foreign file is ERR_REALSERVER_STATE naming the file and the path', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lvsd-rs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = createFileRealServerStateStore(dir);
  await writeFile(store.file, '{"version":1,"setups":[{"vip":"192.0.2.50","method":"nat","device":"lo"}],"held":[]}');
  const error = await t.throwsAsync(store.load());
  t.true(isRealServerError(error, 'ERR_REALSERVER_STATE'));
  t.regex(error?.message ?? '', /state\.json is not a realserver state file: setups\.0\.method/);
  await writeFile(store.file, 'not json');
  t.regex((await t.throwsAsync(store.load()))?.message ?? '', /is not JSON/);
});

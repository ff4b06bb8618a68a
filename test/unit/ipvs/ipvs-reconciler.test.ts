import test from 'ava';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { createMemoryLogger } from '../../../src/core/logger.js';
import { parseIpAddress, type IpAddress } from '../../../src/core/ip.js';
import { MemoryIpvsClient } from '../../../src/ipvs/memory-ipvs-client.js';
import { createIpvsReconciler, type OwnershipStore, type SysctlAccess } from '../../../src/ipvs/ipvs-reconciler.js';
import { readIpvsTable } from '../../../src/ipvs/ipvs-client.js';
import { formatDestinationKey, formatServiceKey, type IpvsServiceKey } from '../../../src/ipvs/model.js';
import { parseYamlConfig } from '../../../config/yaml-source.js';
import { validateConfig } from '../../../config/validate.js';
import type { IpvsConfig } from '../../../config/schema-ipvs.js';

function ip(text: string): IpAddress {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function ipvsConfig(yaml: string): IpvsConfig {
  const r = validateConfig(parseYamlConfig(yaml, 'test.yaml'));
  if (r.config === undefined) throw new Error(JSON.stringify(r.issues));
  return r.config.ipvs;
}

const WEB = `ipvs:
  repairInterval: 10s
  drainTimeout: 30s
  virtualServers:
    - address: 192.0.2.50
      port: 80
      scheduler: rr
      forwarding: dr
      realServers:
        - { address: 192.0.2.21, weight: 2 }
        - { address: 192.0.2.22 }
`;

const VS: IpvsServiceKey = { kind: 'inet', protocol: 'tcp', address: ip('192.0.2.50'), port: 80 };

function setup(initialOwned: readonly string[] = [], sysctls: Record<string, string> = {}) {
  const clock = new FakeClock();
  const logger = createMemoryLogger();
  const kernel = new MemoryIpvsClient();
  const written: Record<string, string> = {};
  const sysctl: SysctlAccess = {
    read: async (name) => written[name] ?? sysctls[name],
    write: async (name, value) => {
      written[name] = value;
    },
  };
  let saved: readonly string[] = initialOwned;
  const ownership: OwnershipStore = { load: async () => saved, save: async (owned) => void (saved = owned) };
  const make = (config: IpvsConfig) => createIpvsReconciler(config, { clock, logger, openClient: async () => kernel, sysctl, ownership });
  return { clock, logger, kernel, written, saved: () => saved, make };
}

async function table(kernel: MemoryIpvsClient): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const e of await readIpvsTable(kernel)) {
    out[formatServiceKey(e.service.service.key)] = e.destinations.map((d) => `${formatDestinationKey(d.destination.key)} w${d.destination.weight} ${d.destination.forwarding.method}`);
  }
  return out;
}

test('start programs the configured table, sets the IPVS sysctls and records ownership', async (t) => {
  const s = setup();
  const r = s.make(ipvsConfig(WEB));
  await r.start(new AbortController().signal);
  t.deepEqual(await table(s.kernel), { 'tcp 192.0.2.50:80': ['192.0.2.21:80 w2 route', '192.0.2.22:80 w1 route'] });
  t.deepEqual(s.written, { 'net/ipv4/vs/expire_nodest_conn': '1', 'net/ipv4/vs/expire_quiescent_template': '1' });
  t.deepEqual(s.saved(), ['tcp 192.0.2.50:80']);
  t.deepEqual(s.logger.entries.filter((e) => e.message === 'ipvs change').map((e) => [e.fields['op'], e.fields['rs'] ?? e.fields['vs'], e.fields['reason']]), [
    ['add-service', 'tcp 192.0.2.50:80', 'missing'],
    ['add-destination', '192.0.2.21:80', 'missing'],
    ['add-destination', '192.0.2.22:80', 'missing'],
  ]);
  t.like(r.snapshot(), { services: 1, destinations: 2, rounds: 1 });
  await r.stop();
});

test('drift: a destination deleted behind our back is restored at the next repair round, and logged as drift', async (t) => {
  const s = setup();
  const r = s.make(ipvsConfig(WEB));
  await r.start(new AbortController().signal);
  await s.kernel.deleteDestination(VS, { address: ip('192.0.2.22'), port: 80 });
  await s.kernel.editDestination(VS, { key: { address: ip('192.0.2.21'), port: 80 }, forwarding: { method: 'route' }, weight: 9, upperThreshold: 0, lowerThreshold: 0 });
  const before = s.kernel.operations.length;
  s.clock.advance(9_999);
  await r.idle();
  t.is(s.kernel.operations.length, before, 'nothing happens before the repair interval');
  s.clock.advance(1);
  await r.idle();
  t.deepEqual(await table(s.kernel), { 'tcp 192.0.2.50:80': ['192.0.2.21:80 w2 route', '192.0.2.22:80 w1 route'] });
  t.deepEqual(s.logger.entries.filter((e) => e.message === 'ipvs drift repaired').map((e) => [e.fields['op'], e.fields['rs'], e.fields['reason']]), [
    ['edit-destination', '192.0.2.21:80', 'changed'],
    ['add-destination', '192.0.2.22:80', 'missing'],
  ]);
  await r.stop();
});

test('a service lvsd does not own is never touched', async (t) => {
  const s = setup();
  const foreign: IpvsServiceKey = { kind: 'inet', protocol: 'udp', address: ip('192.0.2.99'), port: 53 };
  await s.kernel.addService({ key: foreign, scheduler: 'wlc', schedulerFlags: [], isOnePacket: false });
  await s.kernel.addDestination(foreign, { key: { address: ip('192.0.2.30'), port: 53 }, forwarding: { method: 'masq' }, weight: 1, upperThreshold: 0, lowerThreshold: 0 });
  const r = s.make(ipvsConfig(WEB));
  await r.start(new AbortController().signal);
  s.clock.advance(30_000);
  await r.idle();
  t.deepEqual((await table(s.kernel))['udp 192.0.2.99:53'], ['192.0.2.30:53 w1 masq']);
  t.like(r.snapshot(), { foreignServices: 1 });
  t.false(s.kernel.operations.some((o) => o.vs === 'udp 192.0.2.99:53' && o.command !== 'new-service' && o.command !== 'new-dest'));
  await r.stop();
});

test('reload removing a real server drains it: weight 0 while it has connections, deleted once they end', async (t) => {
  const s = setup();
  const r = s.make(ipvsConfig(WEB));
  await r.start(new AbortController().signal);
  const rs22 = { address: ip('192.0.2.22'), port: 80 };
  s.kernel.setConnections(VS, rs22, { active: 3 });
  await r.update(ipvsConfig(WEB.replace('        - { address: 192.0.2.22 }\n', '')));
  t.deepEqual((await table(s.kernel))['tcp 192.0.2.50:80'], ['192.0.2.21:80 w2 route', '192.0.2.22:80 w0 route']);
  s.kernel.setConnections(VS, rs22, { active: 0 });
  s.clock.advance(10_000);
  await r.idle();
  t.deepEqual((await table(s.kernel))['tcp 192.0.2.50:80'], ['192.0.2.21:80 w2 route']);
  t.deepEqual(s.logger.entries.filter((e) => e.fields['rs'] === '192.0.2.22:80').map((e) => e.fields['reason']), ['missing', 'drain', 'drained']);
  await r.stop();
});

test('a drain that never empties ends at the drain timeout, which the reconciler wakes up for', async (t) => {
  const s = setup();
  const config = ipvsConfig(WEB.replace('repairInterval: 10s', 'repairInterval: 1h').replace('drainTimeout: 30s', 'drainTimeout: 45s'));
  const r = s.make(config);
  await r.start(new AbortController().signal);
  s.kernel.setConnections(VS, { address: ip('192.0.2.22'), port: 80 }, { active: 5 });
  await r.update({ ...config, virtualServers: config.virtualServers.map((vs) => ({ ...vs, realServers: vs.realServers.slice(0, 1) })) });
  s.clock.advance(44_999);
  await r.idle();
  t.is((await table(s.kernel))['tcp 192.0.2.50:80']?.length, 2);
  s.clock.advance(1);
  await r.idle();
  t.deepEqual((await table(s.kernel))['tcp 192.0.2.50:80'], ['192.0.2.21:80 w2 route']);
  t.true(s.logger.entries.some((e) => e.fields['rs'] === '192.0.2.22:80' && e.fields['reason'] === 'drain-timeout'));
  await r.stop();
});

test('after a restart, an owned service that left the config is removed; a foreign one stays', async (t) => {
  const s = setup(['tcp 192.0.2.60:443']);
  const old: IpvsServiceKey = { kind: 'inet', protocol: 'tcp', address: ip('192.0.2.60'), port: 443 };
  await s.kernel.addService({ key: old, scheduler: 'rr', schedulerFlags: [], isOnePacket: false });
  const r = s.make(ipvsConfig(WEB));
  await r.start(new AbortController().signal);
  t.deepEqual(Object.keys(await table(s.kernel)), ['tcp 192.0.2.50:80']);
  t.deepEqual(s.saved(), ['tcp 192.0.2.50:80']);
  await r.stop();
});

test('NAT without IP forwarding is a warning that says what to do; connection timeouts are set', async (t) => {
  const s = setup([], { 'net/ipv4/ip_forward': '0\n' });
  const r = s.make(ipvsConfig(WEB.replace('forwarding: dr', 'forwarding: nat').replace('ipvs:\n', 'ipvs:\n  timeouts: { tcp: 900s, udp: 60s }\n')));
  await r.start(new AbortController().signal);
  const warning = s.logger.entries.find((e) => e.level === 'warn' && e.fields['sysctl'] === 'net.ipv4.ip_forward');
  t.regex(warning?.message ?? '', /run sysctl -w net\.ipv4\.ip_forward=1/);
  t.deepEqual(await s.kernel.getTimeouts(), { tcpS: 900, tcpFinS: 120, udpS: 60 });
  await r.stop();
});

test('a kernel without IPVS: start fails with the reason, nothing is left running', async (t) => {
  const s = setup();
  const r = createIpvsReconciler(ipvsConfig(WEB), {
    clock: s.clock,
    logger: s.logger,
    openClient: async () => {
      throw new Error('the kernel has no IPVS (modprobe ip_vs)');
    },
    sysctl: { read: async () => undefined, write: async () => undefined },
    ownership: { load: async () => [], save: async () => undefined },
  });
  await t.throwsAsync(r.start(new AbortController().signal), { message: /no IPVS/ });
  t.is(s.clock.pendingCount, 0);
});

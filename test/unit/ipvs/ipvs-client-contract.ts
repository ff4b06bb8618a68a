/**
 * The behaviour every IpvsClient must have, as one scenario from an empty table. It runs against the
 * in-memory fake (unit test) and against the generic-netlink client on a real kernel inside UML
 * (test/integration/uml-ipvs-client.test.ts), so the fake is held to what the kernel does.
 * No ava here: the UML guest runs it as a plain program. Each check is a named result.
 */
import type { IpvsClient } from '../../../src/ipvs/ipvs-client.js';
import { isIpvsError } from '../../../src/ipvs/ipvs-error.js';
import {
  IPVS_SCHEDULERS,
  formatDestinationKey,
  formatServiceKey,
  type IpvsDestination,
  type IpvsService,
  type IpvsServiceKey,
} from '../../../src/ipvs/model.js';
import { dest, fwmark, ip, IPIP, MASQ, ROUTE, sctp, svc, tcp, udp } from './ipvs-test-values.js';

export interface ContractCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly expected: string;
  readonly actual: string;
}

/** JSON with sorted keys, bigints as strings and addresses as their text: stable and readable in failures. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return undefined;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
    }
    return v;
  });
}

const byKey = <T extends { key: IpvsServiceKey } | { key: { address: { text: string }; port: number } }>(items: readonly T[]): T[] =>
  [...items].sort((a, b) => keyText(a).localeCompare(keyText(b)));
const keyText = (x: { key: IpvsServiceKey } | { key: { address: { text: string }; port: number } }): string =>
  'kind' in x.key ? formatServiceKey(x.key) : `${x.key.address.text}:${x.key.port}`;

/** Every scheduler once, with each option somewhere: what ipvsadm must read back identically. */
export const CONTRACT_SERVICES: readonly IpvsService[] = [
  ...IPVS_SCHEDULERS.map((s, i) => svc(tcp('192.0.2.10', 1000 + i), s)),
  svc(udp('192.0.2.11', 53), 'sh', { schedulerFlags: ['sh-fallback', 'sh-port'], isOnePacket: true }),
  svc(udp('192.0.2.11', 54), 'mh', { schedulerFlags: ['mh-port'] }),
  svc(sctp('192.0.2.12', 3868), 'wrr', { persistence: { timeoutS: 360, netmaskPrefixLength: 24 } }),
  svc(udp('192.0.2.13', 5060), 'rr', { persistence: { timeoutS: 60, netmaskPrefixLength: 32 }, persistenceEngine: 'sip' }),
  svc(tcp('2001:db8::10', 443), 'wlc', { persistence: { timeoutS: 1800, netmaskPrefixLength: 64 } }),
  svc(fwmark(7), 'lc', { persistence: { timeoutS: 300, netmaskPrefixLength: 0 } }),
  svc(fwmark(8, 6), 'sed'),
];

export const CONTRACT_SERVICE = tcp('192.0.2.10', 1000);
export const CONTRACT_DESTINATIONS: readonly IpvsDestination[] = [
  dest('192.0.2.21', 8080, MASQ, { weight: 3, upperThreshold: 100, lowerThreshold: 10 }),
  dest('192.0.2.22', 1000, ROUTE, { weight: 0 }),
  dest('192.0.2.23', 1000, IPIP),
  dest('192.0.2.24', 1000, { method: 'tunnel', tunnel: { type: 'gue', port: 6080, checksum: 'remcsum' } }),
  dest('192.0.2.25', 1000, { method: 'tunnel', tunnel: { type: 'gre', checksum: 'csum' } }),
  dest('2001:db8::25', 1000, IPIP, { weight: 7 }),
];

export async function runIpvsClientContract(client: IpvsClient): Promise<ContractCheck[]> {
  const checks: ContractCheck[] = [];
  const check = (name: string, actual: unknown, expected: unknown): void => {
    const a = canonical(actual);
    const e = canonical(expected);
    checks.push({ name, ok: a === e, expected: e, actual: a });
  };
  const failure = async (p: Promise<unknown>): Promise<unknown> => {
    try {
      await p;
      return 'resolved';
    } catch (e) {
      return isIpvsError(e) ? { code: e.code, object: e.object ?? null } : `not an IpvsError: ${String(e)}`;
    }
  };
  const services = async (): Promise<IpvsService[]> => byKey((await client.listServices()).map((e) => e.service));
  const dests = async (key: IpvsServiceKey): Promise<IpvsDestination[]> => byKey((await client.listDestinations(key)).map((e) => e.destination));

  check('info version', (await client.getInfo()).versionCode, 0x010201);
  check('empty table', await services(), []);

  // Sync daemons first: the kernel refuses them while destinations of another family exist.
  await client.startDaemon({ state: 'master', interfaceName: 'dummy0', syncId: 7 });
  await client.startDaemon({ state: 'backup', interfaceName: 'dummy0', syncId: 9, maxLength: 1400, group: ip('239.1.2.3'), port: 8000, ttl: 3 });
  check('daemons with kernel defaults filled in', await client.listDaemons(), [
    { state: 'master', interfaceName: 'dummy0', syncId: 7, maxLength: 1472, group: ip('224.0.0.81'), port: 8848, ttl: 1 },
    { state: 'backup', interfaceName: 'dummy0', syncId: 9, maxLength: 1400, group: ip('239.1.2.3'), port: 8000, ttl: 3 },
  ]);
  check('second master daemon', await failure(client.startDaemon({ state: 'master', interfaceName: 'dummy0', syncId: 1 })), { code: 'ERR_IPVS_EXISTS', object: 'daemon' });
  await client.stopDaemon('master');
  await client.stopDaemon('backup');
  check('stopping a stopped daemon', await failure(client.stopDaemon('master')), { code: 'ERR_IPVS_NOT_FOUND', object: 'daemon' });
  check('daemon on a missing interface', await failure(client.startDaemon({ state: 'master', interfaceName: 'nosuch0', syncId: 1 })), {
    code: 'ERR_IPVS_NO_SUCH_DEVICE',
    object: null,
  });
  check('no daemons left', await client.listDaemons(), []);

  for (const s of CONTRACT_SERVICES) await client.addService(s);
  check('every scheduler and option reads back', await services(), byKey(CONTRACT_SERVICES));
  check('duplicate service', await failure(client.addService(svc(CONTRACT_SERVICE, 'rr'))), { code: 'ERR_IPVS_EXISTS', object: 'service' });
  const edited = svc(CONTRACT_SERVICE, 'mh', { schedulerFlags: ['mh-fallback'], persistence: { timeoutS: 30, netmaskPrefixLength: 16 } });
  await client.editService(edited);
  check('edit in place', (await client.getService(CONTRACT_SERVICE))?.service, edited);
  check('get a missing service', await client.getService(tcp('192.0.2.99', 1)), undefined);
  check('edit a missing service', await failure(client.editService(svc(tcp('192.0.2.99', 1), 'rr'))), { code: 'ERR_IPVS_NOT_FOUND', object: 'service' });

  for (const d of CONTRACT_DESTINATIONS) await client.addDestination(CONTRACT_SERVICE, d);
  check('every forwarding method reads back', await dests(CONTRACT_SERVICE), byKey(CONTRACT_DESTINATIONS));
  const first = CONTRACT_DESTINATIONS[0] ?? dest('192.0.2.21', 8080);
  check('duplicate destination', await failure(client.addDestination(CONTRACT_SERVICE, first)), { code: 'ERR_IPVS_EXISTS', object: 'destination' });
  check('destination of a missing service', await failure(client.addDestination(tcp('192.0.2.99', 1), first)), { code: 'ERR_IPVS_NOT_FOUND', object: 'service' });
  const ghost = dest('192.0.2.99', 1);
  check('edit a missing destination', await failure(client.editDestination(CONTRACT_SERVICE, ghost)), { code: 'ERR_IPVS_NOT_FOUND', object: 'destination' });
  check('delete a missing destination', await failure(client.deleteDestination(CONTRACT_SERVICE, ghost.key)), { code: 'ERR_IPVS_NOT_FOUND', object: 'destination' });
  check('destinations of a missing service', await client.listDestinations(tcp('192.0.2.99', 1)), []);
  check('lower threshold above upper', await failure(client.addDestination(CONTRACT_SERVICE, dest('192.0.2.30', 1, ROUTE, { lowerThreshold: 5 }))), {
    code: 'ERR_IPVS_INVALID',
    object: null,
  });
  const reweighted = { ...first, weight: 0 };
  await client.editDestination(CONTRACT_SERVICE, reweighted);
  check('weight edited in place', (await dests(CONTRACT_SERVICE)).find((d) => formatDestinationKey(d.key) === formatDestinationKey(first.key)), reweighted);
  await client.deleteDestination(CONTRACT_SERVICE, first.key);
  check('destination deleted', (await dests(CONTRACT_SERVICE)).length, CONTRACT_DESTINATIONS.length - 1);
  check('daemon refused while mixed-family destinations exist', await failure(client.startDaemon({ state: 'master', interfaceName: 'dummy0', syncId: 7 })), {
    code: 'ERR_IPVS_INVALID',
    object: null,
  });

  const before = await client.getTimeouts();
  await client.setTimeouts({ tcpS: 901, udpS: 0 });
  check('timeouts: set one, 0 leaves unchanged', await client.getTimeouts(), { ...before, tcpS: 901 });
  await client.setTimeouts(before);

  await client.zero(CONTRACT_SERVICE);
  await client.zero(undefined);
  check('zero a missing service', await failure(client.zero(tcp('192.0.2.99', 1))), { code: 'ERR_IPVS_NOT_FOUND', object: 'service' });
  await client.deleteService(CONTRACT_SERVICE);
  check('service deleted with its destinations', await client.listDestinations(CONTRACT_SERVICE), []);
  check('delete a missing service', await failure(client.deleteService(CONTRACT_SERVICE)), { code: 'ERR_IPVS_NOT_FOUND', object: 'service' });
  await client.flush();
  check('flushed', await services(), []);
  return checks;
}

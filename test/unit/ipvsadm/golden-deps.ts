/**
 * IpvsadmDeps for the golden replays: the kernel as a captured snapshot (read-only) or as the
 * in-memory kernel seeded with it, names and /proc from the golden, output collected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IpAddress } from '../../../src/core/ip.js';
import type { IpvsClient, IpvsTableEntry } from '../../../src/ipvs/ipvs-client.js';
import { MemoryIpvsClient } from '../../../src/ipvs/memory-ipvs-client.js';
import { formatServiceKey, type IpvsServiceKey } from '../../../src/ipvs/model.js';
import type { PortProtocol } from '../../../src/ipvsadm/display-names.js';
import type { IpvsadmDeps } from '../../../src/ipvsadm/ipvsadm-deps.js';
import { ip } from '../ipvs/ipvs-test-values.js';
import { decodeSnapshot, type GoldenFile, type GoldenScenario, type KernelSnapshot } from '../../fixtures/ipvsadm/golden-state.js';

/** The goldens captured in UML (test/integration/uml-ipvsadm.test.ts regenerates them). */
export function loadGoldens(): GoldenFile {
  return JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/ipvsadm/goldens.json'), 'utf8')) as GoldenFile;
}

export const words = (line: string): string[] => line.split(' ').filter((w) => w !== '');

/** A read-only IpvsClient answering from a snapshot. */
export function snapshotClient(s: KernelSnapshot): IpvsClient {
  const find = (key: IpvsServiceKey): IpvsTableEntry | undefined => s.table.find((e) => formatServiceKey(e.service.service.key) === formatServiceKey(key));
  const readOnly = (): Promise<never> => Promise.reject(new Error('the snapshot kernel is read-only'));
  return {
    getInfo: () => Promise.resolve(s.info),
    listServices: () => Promise.resolve(s.table.map((e) => e.service)),
    getService: (key) => Promise.resolve(find(key)?.service),
    listDestinations: (key) => Promise.resolve([...(find(key)?.destinations ?? [])]),
    getTimeouts: () => Promise.resolve(s.timeouts),
    listDaemons: () => Promise.resolve(s.daemons),
    addService: readOnly,
    editService: readOnly,
    deleteService: readOnly,
    addDestination: readOnly,
    editDestination: readOnly,
    deleteDestination: readOnly,
    zero: readOnly,
    flush: readOnly,
    setTimeouts: readOnly,
    startDaemon: readOnly,
    stopDaemon: readOnly,
    close: () => undefined,
  };
}

/** The same client with close() a no-op: runIpvsadm closes its client, tests keep theirs across runs. */
export function unclosable<T extends IpvsClient>(client: T): IpvsClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'close') return () => undefined;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The in-memory kernel holding a snapshot's table, timeouts and daemons. */
export async function memoryKernel(s: KernelSnapshot, interfaces: readonly string[] = ['lo', 'dummy0']): Promise<MemoryIpvsClient> {
  const memory = new MemoryIpvsClient({ interfaces });
  for (const e of s.table) {
    await memory.addService(e.service.service);
    for (const d of e.destinations) await memory.addDestination(e.service.service.key, d.destination);
  }
  await memory.setTimeouts(s.timeouts);
  for (const d of s.daemons) await memory.startDaemon(d);
  return memory;
}

export interface Captured {
  readonly deps: IpvsadmDeps;
  readonly out: () => string;
  readonly err: () => string;
  readonly opened: () => number;
}

export interface DepsOptions {
  readonly client?: IpvsClient;
  readonly connections?: string;
  readonly stdin?: string;
  readonly hosts?: Readonly<Record<string, string>>;
  readonly services?: Readonly<Record<string, string>>;
}

export function captureDeps(options: DepsOptions = {}): Captured {
  let out = '';
  let err = '';
  let opened = 0;
  const hosts = options.hosts ?? {};
  const services = options.services ?? {};
  const deps: IpvsadmDeps = {
    program: 'ipvsadm',
    helpText: 'help',
    versionText: 'version',
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    openClient: () => {
      opened++;
      return options.client === undefined ? Promise.reject(new Error('no kernel in this test')) : Promise.resolve(options.client);
    },
    readConnections: () => Promise.resolve(options.connections),
    readStdin: () => Promise.resolve(options.stdin ?? ''),
    resolveHosts: (names) => {
      const byName = new Map<string, IpAddress>(Object.entries(hosts).map(([address, name]) => [name, ip(address)]));
      return Promise.resolve(new Map([...names].flatMap((n) => (byName.has(n) ? [[n, byName.get(n) as IpAddress] as const] : []))));
    },
    reverseHosts: (addresses) => Promise.resolve(new Map(addresses.flatMap((a) => (hosts[a.text] === undefined ? [] : [[a.text, hosts[a.text] ?? ''] as const])))),
    loadServices: () =>
      Promise.resolve({
        nameOf: (port: number, protocol: PortProtocol) => services[`${port}/${protocol}`],
        portOf: (name: string, protocol: PortProtocol) => {
          const found = Object.entries(services).find(([key, n]) => n === name && key.endsWith(`/${protocol}`));
          return found === undefined ? undefined : Number(found[0].split('/')[0]);
        },
      }),
    listInterfaces: () => Promise.resolve(['lo', 'dummy0']),
  };
  return { deps, out: () => out, err: () => err, opened: () => opened };
}

export function scenarioState(scenario: GoldenScenario, index: number): KernelSnapshot {
  return decodeSnapshot(scenario.states[index]);
}

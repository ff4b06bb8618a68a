/**
 * Two `lvsd run` daemons in director namespaces on the host kernel (src/lab/topology.ts), each with its
 * own YAML config, control socket and event log in a temporary directory; a client namespace when asked.
 * Everything is torn down by the test's teardown; every wait is bounded.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { systemClock } from '../../src/core/clock.js';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { silentLogger } from '../../src/core/logger.js';
import { sendControlRequest } from '../../src/control/control-client.js';
import { createChildProcessSpawner, type LabProcess } from '../../src/lab/lab-process.js';
import { createTopology, type LabTopology } from '../../src/lab/topology.js';
import type { LabNode } from '../../src/lab/topology-plan.js';

const BIN = fileURLToPath(new URL('../../../bin/lvsd.js', import.meta.url));

export interface DaemonPair {
  readonly dir: string;
  readonly topology: LabTopology;
  readonly directors: readonly [LabNode, LabNode];
  readonly daemons: readonly [LabProcess, LabProcess];
  socketOf(index: 0 | 1): string;
  /** The vrrp component's snapshot (instances, sync groups, trackers) from `status` over the control socket. */
  vrrpDetail(index: 0 | 1): Promise<VrrpDetail>;
  /** The event log (JSON lines) of a director. */
  events(index: 0 | 1): Promise<Record<string, unknown>[]>;
}

export interface VrrpDetail {
  readonly instances: readonly (Record<string, unknown> & { readonly name: string; readonly state: string; readonly receive: { readonly accepted: number; readonly drops: Record<string, number> } })[];
  readonly syncGroups: readonly (Record<string, unknown> & { readonly name: string; readonly state: string })[];
}

/**
 * `configFor(dir, node, index)` returns the YAML of each daemon; it should set controlSocket
 * `${dir}/${node.name}.sock` and eventLog `${dir}/${node.name}-events.jsonl`.
 */
export async function startDaemonPair(
  t: ExecutionContext,
  configFor: (dir: string, node: LabNode, index: 0 | 1) => string,
  options: { readonly hasClient?: boolean; readonly prepare?: (dir: string, topology: LabTopology) => Promise<void> } = {},
): Promise<DaemonPair> {
  const dir = await mkdtemp(join(tmpdir(), 'lvsd-vrrp-'));
  const topology = await createTopology(
    { directorCount: 2, realServerCount: 0, hasClient: options.hasClient ?? false, hasHttpServers: false },
    { runner: createProcessRunner(), spawner: createChildProcessSpawner(systemClock), logger: silentLogger, nodePath: process.execPath },
  );
  t.teardown(async () => {
    await topology.teardown();
    await rm(dir, { recursive: true, force: true });
  });
  const [d1, d2] = topology.directors;
  if (d1 === undefined || d2 === undefined) throw new Error('two directors');
  await options.prepare?.(dir, topology);
  const daemons: LabProcess[] = [];
  for (const [node, index] of [[d1, 0], [d2, 1]] as const) {
    const file = join(dir, `${node.name}.yaml`);
    await writeFile(file, configFor(dir, node, index));
    daemons.push(await topology.spawn(node.namespace, { name: `lvsd ${node.name}`, file: process.execPath, args: [BIN, 'run', '--config', file, '--foreground'] }));
  }
  const [p1, p2] = daemons;
  if (p1 === undefined || p2 === undefined) throw new Error('two daemons');
  const socketOf = (index: 0 | 1): string => join(dir, `${(index === 0 ? d1 : d2).name}.sock`);
  await waitForSocket(socketOf(0), p1);
  await waitForSocket(socketOf(1), p2);
  return {
    dir,
    topology,
    directors: [d1, d2],
    daemons: [p1, p2],
    socketOf,
    async vrrpDetail(index) {
      const status = await sendControlRequest(socketOf(index), 'status', 2_000);
      if (!status.ok) throw new Error(`status failed: ${JSON.stringify(status)}`);
      const vrrp = (status.result as { components: { name: string; detail: VrrpDetail }[] }).components.find((c) => c.name === 'vrrp');
      if (vrrp === undefined) throw new Error('no vrrp component');
      return vrrp.detail;
    },
    async events(index) {
      const text = await readFile(join(dir, `${(index === 0 ? d1 : d2).name}-events.jsonl`), 'utf8');
      return text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

/** Director names whose eth0 carries each of `vips`, once they equal `expected` (at most 10 s, every 50 ms). */
export async function waitForHolders(topology: LabTopology, vips: readonly string[], expected: readonly (readonly string[])[]): Promise<string[][]> {
  let holders: string[][] = [];
  for (let i = 0; i < 200; i++) {
    holders = [];
    for (const vip of vips) {
      const on: string[] = [];
      for (const d of topology.directors) {
        const r = await topology.exec(d.namespace, 'ip', ['-o', '-4', 'addr', 'show', 'dev', 'eth0']);
        if (r.stdout.includes(` ${vip}/32 `)) on.push(d.name);
      }
      holders.push(on);
    }
    if (JSON.stringify(holders) === JSON.stringify(expected)) return holders;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return holders;
}

/** The device of `namespace` that carries `vip` ("192.0.2.50/32", "2001:db8::50/128"), if any. */
export async function vipDeviceIn(topology: LabTopology, namespace: string, vip: string): Promise<string | undefined> {
  const r = await topology.exec(namespace, 'ip', ['-o', vip.includes(':') ? '-6' : '-4', 'addr', 'show']);
  return r.stdout.split('\n').find((l) => l.includes(` ${vip} `))?.split(/\s+/)[1];
}

/** Polls (at most 10 s, every 50 ms) until `vip` is on exactly these "director device" pairs. */
export async function waitForVipDevices(topology: LabTopology, vip: string, expected: readonly string[]): Promise<string[]> {
  let seen: string[] = [];
  for (let i = 0; i < 200; i++) {
    seen = [];
    for (const d of topology.directors) {
      const dev = await vipDeviceIn(topology, d.namespace, vip);
      if (dev !== undefined) seen.push(`${d.name} ${dev}`);
    }
    if (seen.join() === expected.join()) return seen;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return seen;
}

/** The MAC in `namespace`'s neighbour entry for `address` on eth0, if it has one. */
export async function neighbourMacIn(topology: LabTopology, namespace: string, address: string): Promise<string | undefined> {
  const r = await topology.exec(namespace, 'ip', [address.includes(':') ? '-6' : '-4', 'neigh', 'show', address, 'dev', 'eth0']);
  return /lladdr (\S+)/.exec(r.stdout)?.[1];
}

async function waitForSocket(path: string, daemon: LabProcess): Promise<void> {
  for (let i = 0; i < 150 && daemon.isRunning(); i++) {
    try {
      if ((await sendControlRequest(path, 'ping', 500)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${daemon.name} did not come up: ${daemon.lines('stderr').slice(-5).join(' | ')}`);
}

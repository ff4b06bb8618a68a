/**
 * Support for the VRRP integration tests on the host kernel: the lab topology (src/lab/topology.ts:
 * namespaces of one run behind a bridge with multicast snooping off, directors at 192.0.2.11+, a client
 * at .100, prefix-named, swept if a run dies), lvsd lab directors (src/vrrp-lab/director-main.ts) and
 * keepalived 2.2.7 in director namespaces, tcpdump captures in the client namespace, and the VIP as
 * `ip -n NS addr` shows it. Every wait is bounded; everything started is stopped in teardown.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { systemClock, sleep } from '../../src/core/clock.js';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { silentLogger } from '../../src/core/logger.js';
import { createChildProcessSpawner, type LabProcess } from '../../src/lab/lab-process.js';
import { createTopology, type LabTopology } from '../../src/lab/topology.js';
import type { LabNode } from '../../src/lab/topology-plan.js';

export const VIP = '192.0.2.50';
export const DIRECTOR_MAIN = fileURLToPath(new URL('../../src/vrrp-lab/director-main.js', import.meta.url));

export interface VrrpLab {
  readonly topology: LabTopology;
  readonly dir: string;
  director(index: number): LabNode;
  /** Director names whose eth0 carries `address` now (`ip -n NS -o addr show dev eth0`). */
  holders(address?: string): Promise<string[]>;
}

export async function createVrrpLab(t: ExecutionContext, directorCount: number): Promise<VrrpLab> {
  const runner = createProcessRunner();
  const topology = await createTopology(
    { directorCount, realServerCount: 0, hasHttpServers: false },
    { runner, spawner: createChildProcessSpawner(systemClock), logger: silentLogger, nodePath: process.execPath },
  );
  const dir = await mkdtemp(join(tmpdir(), 'lvsd-vrrp-'));
  t.teardown(async () => {
    const report = await topology.teardown();
    await rm(dir, { recursive: true, force: true });
    if (report.remainingNamespaces.length > 0) t.log(`namespaces left: ${report.remainingNamespaces.join(' ')}`);
  });
  return {
    topology,
    dir,
    director: (index) => topology.node(`director-${index}`),
    async holders(address = VIP) {
      const out: string[] = [];
      for (const node of topology.directors) {
        const r = await topology.execChecked(node.namespace, 'ip', ['-o', '-4', 'addr', 'show', 'dev', 'eth0']);
        if (r.stdout.split('\n').some((line) => line.includes(` ${address}/`))) out.push(node.name);
      }
      return out;
    },
  };
}

/** The JSON lines of a lab director, parsed. */
export type DirectorLine = Record<string, unknown> & { readonly type: string };

export interface DirectorHandle {
  readonly node: LabNode;
  readonly process: LabProcess;
  lines(): DirectorLine[];
  transitions(): DirectorLine[];
  /** The first line (past or future) matching, within `timeoutMs`. */
  waitFor(match: (line: DirectorLine) => boolean, timeoutMs: number): Promise<DirectorLine>;
  /** Resolves with the transition event into `state`. */
  waitForState(state: string, timeoutMs: number, after?: number): Promise<DirectorLine>;
  kill(signal: NodeJS.Signals): void;
}

export function parseLine(line: string): DirectorLine | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' ? (value as DirectorLine) : undefined;
  } catch {
    return undefined;
  }
}

export async function startDirector(lab: VrrpLab, index: number, params: Record<string, unknown>): Promise<DirectorHandle> {
  const node = lab.director(index);
  const file = join(lab.dir, `${node.name}.json`);
  await writeFile(file, JSON.stringify({ interface: 'eth0', primaryAddress: node.address.text, vips: [`${VIP}/32`], ...params }));
  const proc = await lab.topology.spawn(node.namespace, { name: `lvsd ${node.name}`, file: process.execPath, args: [DIRECTOR_MAIN, file] });
  const handle: DirectorHandle = {
    node,
    process: proc,
    lines: () => proc.lines('stdout').flatMap((l) => parseLine(l) ?? []),
    transitions: () => handle.lines().filter((l) => l['kind'] === 'transition'),
    async waitFor(match, timeoutMs) {
      const line = await proc.waitForLine((l) => {
        const parsed = parseLine(l);
        return parsed !== undefined && match(parsed);
      }, { timeoutMs });
      return parseLine(line) as DirectorLine;
    },
    waitForState: (state, timeoutMs, after = 0) =>
      handle.waitFor((l) => l['kind'] === 'transition' && l['to'] === state && Number(l['seq']) > after, timeoutMs),
    kill(signal) {
      try {
        process.kill(-proc.pid, signal);
      } catch {
        // already gone
      }
    },
  };
  await handle.waitFor((l) => l.type === 'started' || l.type === 'start-failed', 10_000);
  return handle;
}

export interface KeepalivedHandle {
  readonly node: LabNode;
  readonly process: LabProcess;
  /** keepalived's log lines (stderr with -l). */
  lines(): readonly string[];
  waitForLine(pattern: RegExp, timeoutMs: number, after?: number): Promise<string>;
  /** SIGKILL to keepalived's process group (parent and VRRP child at once: no priority-0 advert). */
  kill(): void;
}

export interface KeepalivedInstanceOptions {
  readonly version: 2 | 3;
  readonly priority: number;
  readonly advertIntervalS?: number;
  readonly vrid?: number;
  readonly authPass?: string;
  /** Default: the IPv4 VIP /32. */
  readonly vip?: string;
  /** unicast_peer (IPv4 addresses); unicast_src_ip is then the node's own address. Default: multicast. */
  readonly unicastPeers?: readonly string[];
  /** keepalived's garp_master_refresh in seconds; default none. */
  readonly garpMasterRefreshS?: number;
}

/** A keepalived.conf with one instance like the lab directors': eth0, the VIP /32, state BACKUP. */
export function keepalivedConfig(node: LabNode, o: KeepalivedInstanceOptions): string {
  return [
    'global_defs {',
    `  router_id lvsd_${node.name.replace(/-/g, '_')}`,
    `  vrrp_version ${o.version}`,
    '  script_user root',
    '}',
    'vrrp_instance VI_1 {',
    '  interface eth0',
    '  state BACKUP',
    `  virtual_router_id ${o.vrid ?? 51}`,
    `  priority ${o.priority}`,
    `  advert_int ${o.advertIntervalS ?? 1}`,
    ...(o.authPass === undefined ? [] : ['  authentication {', '    auth_type PASS', `    auth_pass ${o.authPass}`, '  }']),
    ...(o.unicastPeers === undefined ? [] : [`  unicast_src_ip ${node.address.text}`, '  unicast_peer {', ...o.unicastPeers.map((p) => `    ${p}`), '  }']),
    ...(o.garpMasterRefreshS === undefined ? [] : [`  garp_master_refresh ${o.garpMasterRefreshS}`]),
    '  virtual_ipaddress {',
    `    ${o.vip ?? `${VIP}/32`} dev eth0`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function startKeepalived(lab: VrrpLab, index: number, options: KeepalivedInstanceOptions): Promise<KeepalivedHandle> {
  const node = lab.director(index);
  const conf = join(lab.dir, `keepalived-${node.name}.conf`);
  await writeFile(conf, keepalivedConfig(node, options));
  const pid = join(lab.dir, `keepalived-${node.name}.pid`);
  const vrrpPid = join(lab.dir, `keepalived-${node.name}-vrrp.pid`);
  const proc = await lab.topology.spawn(node.namespace, {
    name: `keepalived ${node.name}`,
    file: 'keepalived',
    args: ['-n', '-l', '-D', '--vrrp', '-f', conf, '-p', pid, '-r', vrrpPid],
  });
  const handle: KeepalivedHandle = {
    node,
    process: proc,
    lines: () => proc.lines('stderr'),
    waitForLine: (pattern, timeoutMs, after = 0) => {
      let seen = 0;
      return proc.waitForLine((l) => seen++ >= after && pattern.test(l), { stream: 'stderr', timeoutMs });
    },
    kill() {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
  await handle.waitForLine(/Entering BACKUP STATE/, 10_000);
  return handle;
}

export interface Capture {
  /** Stops tcpdump (it flushes) and returns the pcap file. */
  stop(): Promise<string>;
}

/**
 * tcpdump -w in the client namespace (or `node`'s); resolves once it listens. --immediate-mode: without it
 * libpcap hands packets over in blocks, and those of the last unfinished block are lost when tcpdump is stopped.
 */
export async function startCapture(lab: VrrpLab, filter: string, node: LabNode | undefined = lab.topology.client): Promise<Capture> {
  if (node === undefined) throw new Error('the VRRP lab has a client');
  const file = join(lab.dir, `capture-${node.name}-${Date.now()}.pcap`);
  const proc = await lab.topology.spawn(node.namespace, { name: 'tcpdump', file: 'tcpdump', args: ['-i', 'eth0', '-n', '--immediate-mode', '-U', '-w', file, filter] });
  await proc.waitForLine((l) => l.includes('listening on'), { stream: 'stderr', timeoutMs: 10_000 });
  return {
    async stop() {
      await proc.stop(2_000);
      return file;
    },
  };
}

/** The MAC address of a director's eth0. */
export async function macOf(lab: VrrpLab, index: number): Promise<string> {
  const r = await lab.topology.execChecked(lab.director(index).namespace, 'cat', ['/sys/class/net/eth0/address']);
  return r.stdout.trim();
}

/** `ip link set dev eth0 up|down` in a director's namespace. */
export async function setLink(lab: VrrpLab, index: number, state: 'up' | 'down'): Promise<void> {
  await lab.topology.ipBatch(lab.director(index).namespace, [`link set dev eth0 ${state}`]);
}

/**
 * nftables' nft by its Debian path: under npx, node_modules/.bin comes first on PATH, and @vercel/nft
 * (a build dependency) installs a program of the same name there.
 */
export const NFT_PATH = '/usr/sbin/nft';
export const NFT_PREREQ = { path: NFT_PATH, package: 'nftables' } as const;

/**
 * A partition for VRRP over IP protocol 112: nftables in a director's namespace drops the adverts it
 * receives (input hook, before the raw socket). Blocking the receiving side only keeps sends working:
 * a dropped send would fail with EPERM, which is not what a partition looks like. Idempotent.
 */
export async function blockVrrpInput(lab: VrrpLab, index: number, isBlocked: boolean): Promise<void> {
  const script = isBlocked
    ? 'table inet lvsd_partition {\n  chain input { type filter hook input priority 0; ip protocol 112 drop; }\n}\n'
    : 'table inet lvsd_partition\ndelete table inet lvsd_partition\n';
  await lab.topology.execChecked(lab.director(index).namespace, NFT_PATH, ['-f', '-'], { input: script });
}

/** Packets of a capture as tshark fields (tab-separated), one array per packet. */
export async function tsharkFields(lab: VrrpLab, file: string, displayFilter: string, fields: readonly string[]): Promise<string[][]> {
  const args = ['-r', file, '-Y', displayFilter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  const r = await lab.topology.execChecked(lab.topology.client?.namespace ?? '', 'tshark', args, { timeoutMs: 30_000 });
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

/** The link-local address of a director's eth0 once duplicate address detection has finished. */
export async function linkLocalOf(lab: VrrpLab, index: number): Promise<string> {
  const node = lab.director(index);
  return eventually(async () => {
    const r = await lab.topology.execChecked(node.namespace, 'ip', ['-o', '-6', 'addr', 'show', 'dev', 'eth0', 'scope', 'link']);
    const line = r.stdout.split('\n').find((l) => l.includes('inet6 fe80:') && !l.includes('tentative'));
    return line?.split(/\s+/)[3]?.split('/')[0];
  }, 10_000);
}

/** Waits until `check` holds, polling every 50 ms, at most `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(systemClock, 50);
  }
}

export async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8');
}

/** A number field of a director line. */
export function num(line: DirectorLine, key: string): number {
  const v = line[key];
  if (typeof v !== 'number') throw new Error(`line has no number ${key}: ${JSON.stringify(line)}`);
  return v;
}

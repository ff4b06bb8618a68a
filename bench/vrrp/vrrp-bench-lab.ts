/**
 * The VRRP bench's lab on the host kernel: the lab topology (src/lab/topology.ts: two director
 * namespaces and a client behind a bridge, prefix-named, torn down always) with a responder on the
 * VIP in each director namespace (the lab HTTP name server, answering its director's name), lvsd
 * (bench-director-main.ts) or keepalived 2.2.7 as the directors behind one interface, the master's
 * link pulled at the switch, adverts captured with tcpdump in the client namespace, and the bounded
 * client prober (src/lab/prober-main.ts). Every wait is bounded; every process is tracked by the
 * topology and stopped at teardown.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChecked, type CommandRunner } from '../../src/core/command-runner.js';
import type { Logger } from '../../src/core/logger.js';
import type { LabProcess, ProcessSpawner } from '../../src/lab/lab-process.js';
import { PROBER_ENTRY } from '../../src/lab/prober-remote.js';
import { LAB_VIP, type LabNode } from '../../src/lab/topology-plan.js';
import { createTopology, HTTP_NAME_SERVER_ENTRY, type LabTopology, type TeardownReport } from '../../src/lab/topology.js';
import { parseTcpdumpCapture, type CapturedPackets } from './advert-capture.js';
import type { HealthCheckLoadParams } from './health-check-load.js';
import { countKeepalivedTransitions, countLvsdTransitions } from './vrrp-bench-analysis.js';
import { BENCH_VRID, keepalivedBenchConfig, RESPONDER_PORT, type VrrpImplementation } from './vrrp-bench-plan.js';

export const BENCH_DIRECTOR_ENTRY = fileURLToPath(new URL('./bench-director-main.js', import.meta.url));
export const VIP_PREFIX = `${LAB_VIP.text}/32`;
const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 2_000;
const COMMAND_TIMEOUT_MS = 30_000;

export interface VrrpBenchLabDeps {
  readonly runner: CommandRunner;
  readonly spawner: ProcessSpawner;
  readonly logger: Logger;
  readonly nodePath: string;
}

export interface DirectorOptions {
  readonly priority: number;
  readonly advertIntervalCs: number;
  readonly version: 2 | 3;
  /** lvsd only: health checks in the director's own process. */
  readonly load?: HealthCheckLoadParams;
  /** lvsd only: where the VRRP instance runs; default in the director's process (as the lab director). */
  readonly vrrpIn?: 'main' | 'process';
}

export type DirectorState = 'master' | 'backup';

/** An lvsd or keepalived director, seen the same way by the bench. */
export interface BenchDirector {
  readonly implementation: VrrpImplementation;
  readonly node: LabNode;
  readonly process: LabProcess;
  /** Resolves on the first transition into `state` (past or future). */
  waitForState(state: DirectorState, timeoutMs: number): Promise<void>;
  /** Transitions into `state` in the lines kept so far (the lab keeps the latest 2,000 lines). */
  transitionsInto(state: DirectorState): number;
  /** "SCHED_OTHER" or the like, for the VRRP process (keepalived's VRRP child). */
  schedulingPolicy(): Promise<string>;
  /** Stops it (SIGTERM, SIGKILL after a grace): lvsd prints its load stats first. */
  stop(): Promise<void>;
  /** lvsd with a load: the stats line it printed when stopped. */
  loadStats(): Record<string, unknown> | undefined;
}

export interface PacketCapture {
  /** Stops tcpdump (it flushes) and reads its file back. */
  stop(): Promise<CapturedPackets>;
}

export interface VrrpBenchLab {
  readonly topology: LabTopology;
  director(index: 1 | 2): LabNode;
  readonly client: LabNode;
  /** The HTTP name server on 0.0.0.0:80 in each director namespace (it answers on the VIP when the VIP is there). */
  startResponders(): Promise<void>;
  startDirector(implementation: VrrpImplementation, index: 1 | 2, options: DirectorOptions): Promise<BenchDirector>;
  /** The director's port on the bridge: down is a pulled cable (its eth0 loses carrier). */
  setLink(index: 1 | 2, isUp: boolean): Promise<void>;
  /** Between runs: links up, no VIP left on a director, the client's neighbour cache empty. */
  reset(): Promise<void>;
  /** VRRP adverts and ARP, in the client namespace. */
  startCapture(): Promise<PacketCapture>;
  /** `tcpdump -l` in the client namespace printing the adverts of `source` as they arrive (line-buffered). */
  startAdvertWatch(source: string): Promise<LabProcess>;
  startProber(o: { readonly count: number; readonly intervalMs: number; readonly timeoutMs: number; readonly maxDurationMs: number }): Promise<LabProcess>;
  teardown(): Promise<TeardownReport>;
}

export async function createVrrpBenchLab(deps: VrrpBenchLabDeps): Promise<VrrpBenchLab> {
  const topology = await createTopology({ directorCount: 2, realServerCount: 0, hasHttpServers: false }, deps);
  const client = topology.client;
  let dir: string;
  try {
    if (client === undefined) throw new Error('the lab topology has no client');
    dir = await mkdtemp(join(tmpdir(), 'lvsd-vrrp-bench-'));
  } catch (e) {
    await topology.teardown();
    throw e;
  }
  let files = 0;
  const file = (name: string): string => join(dir, `${++files}-${name}`);
  const ip = (args: readonly string[]): Promise<unknown> => runChecked(deps.runner, { file: 'ip', args: [...args], timeoutMs: COMMAND_TIMEOUT_MS });
  const director = (index: 1 | 2): LabNode => topology.node(`director-${index}`);

  const lab: VrrpBenchLab = {
    topology,
    director,
    client,
    async startResponders() {
      const servers = await Promise.all(
        ([1, 2] as const).map((i) =>
          topology.spawn(director(i).namespace, {
            name: `director-${i} responder`,
            file: deps.nodePath,
            args: [HTTP_NAME_SERVER_ENTRY, '--name', `director-${i}`, '--listen', `0.0.0.0:${RESPONDER_PORT}`, '--exit-on-stdin-eof', 'true'],
          }),
        ),
      );
      await Promise.all(servers.map((s) => s.waitForLine((l) => l.includes('"event":"ready"'), { timeoutMs: START_TIMEOUT_MS })));
    },
    async startDirector(implementation, index, options) {
      const node = director(index);
      return implementation === 'lvsd' ? startLvsd(node, options) : startKeepalived(node, options);
    },
    async setLink(index, isUp) {
      await ip(['-n', topology.plan.switchNamespace, 'link', 'set', 'dev', director(index).switchPort, isUp ? 'up' : 'down']);
    },
    async reset() {
      await Promise.all(([1, 2] as const).map((i) => lab.setLink(i, true)));
      await Promise.all(([1, 2] as const).map((i) => deps.runner.run({ file: 'ip', args: ['-n', director(i).namespace, 'address', 'del', VIP_PREFIX, 'dev', 'eth0'], timeoutMs: COMMAND_TIMEOUT_MS })));
      await ip(['-n', client.namespace, 'neigh', 'flush', 'dev', 'eth0']);
    },
    async startCapture() {
      const pcap = file('adverts.pcap');
      const proc = await topology.spawn(client.namespace, { name: 'tcpdump', file: 'tcpdump', args: ['-i', 'eth0', '-n', '--immediate-mode', '-U', '-w', pcap, 'ip proto 112 or arp'] });
      await proc.waitForLine((l) => l.includes('listening on'), { stream: 'stderr', timeoutMs: START_TIMEOUT_MS });
      return {
        async stop() {
          await proc.stop(STOP_GRACE_MS);
          const r = await runChecked(deps.runner, { file: 'tcpdump', args: ['-tt', '-n', '-r', pcap], timeoutMs: COMMAND_TIMEOUT_MS, maxOutputBytes: 256 << 20 });
          return parseTcpdumpCapture(r.stdout);
        },
      };
    },
    async startAdvertWatch(source) {
      const proc = await topology.spawn(client.namespace, { name: 'advert watch', file: 'tcpdump', args: ['-l', '-tt', '-n', '-i', 'eth0', '--immediate-mode', `ip proto 112 and src host ${source}`] });
      await proc.waitForLine((l) => l.includes('listening on'), { stream: 'stderr', timeoutMs: START_TIMEOUT_MS });
      return proc;
    },
    startProber(o) {
      return topology.spawn(client.namespace, {
        name: 'prober',
        file: deps.nodePath,
        args: [
          PROBER_ENTRY,
          '--url', `http://${LAB_VIP.text}:${RESPONDER_PORT}/`,
          '--count', String(o.count),
          '--interval-ms', String(o.intervalMs),
          '--timeout-ms', String(o.timeoutMs),
          '--max-duration-ms', String(o.maxDurationMs),
        ],
      });
    },
    async teardown() {
      const report = await topology.teardown();
      await rm(dir, { recursive: true, force: true });
      return report;
    },
  };

  async function startLvsd(node: LabNode, o: DirectorOptions): Promise<BenchDirector> {
    const paramsFile = file(`${node.name}.json`);
    await writeFile(paramsFile, JSON.stringify({
      interface: 'eth0',
      primaryAddress: node.address.text,
      vips: [VIP_PREFIX],
      vrid: BENCH_VRID,
      version: o.version,
      priority: o.priority,
      advertIntervalCs: o.advertIntervalCs,
      logLevel: 'warn',
    }));
    const args = [BENCH_DIRECTOR_ENTRY, paramsFile, '--vrrp-in', o.vrrpIn ?? 'main'];
    if (o.load !== undefined) {
      const loadFile = file(`${node.name}-load.json`);
      await writeFile(loadFile, JSON.stringify(o.load));
      args.push('--load', loadFile);
    }
    const proc = await topology.spawn(node.namespace, { name: `lvsd ${node.name}`, file: deps.nodePath, args });
    const started = await proc.waitForLine((l) => l.includes('"type":"started"') || l.includes('"type":"start-failed"'), { timeoutMs: START_TIMEOUT_MS });
    if (started.includes('start-failed')) throw new Error(`lvsd ${node.name}: ${started}`);
    const hostLine = proc.lines('stdout').find((l) => l.includes('"type":"host"')) ?? '';
    if (!hostLine.includes(`"vrrpIn":"${o.vrrpIn ?? 'main'}"`)) throw new Error(`lvsd ${node.name}: VRRP does not run where asked (${o.vrrpIn ?? 'main'}): ${hostLine}`);
    const isTransitionTo = (state: DirectorState) => (l: string): boolean => countLvsdTransitions([l], state) === 1;
    return {
      implementation: 'lvsd',
      node,
      process: proc,
      async waitForState(state, timeoutMs) {
        await proc.waitForLine(isTransitionTo(state), { timeoutMs });
      },
      transitionsInto: (state) => countLvsdTransitions(proc.lines('stdout'), state),
      schedulingPolicy: () => schedulingPolicy(deps.runner, proc.pid),
      async stop() {
        await proc.stop(STOP_GRACE_MS);
      },
      loadStats() {
        const line = proc.lines('stdout').find((l) => l.includes('"type":"load-stats"'));
        return line === undefined ? undefined : (JSON.parse(line) as Record<string, unknown>);
      },
    };
  }

  async function startKeepalived(node: LabNode, o: DirectorOptions): Promise<BenchDirector> {
    if (o.load !== undefined || o.vrrpIn !== undefined) throw new Error('an in-process load and a VRRP thread are for lvsd only');
    const conf = file(`keepalived-${node.name}.conf`);
    await writeFile(conf, keepalivedBenchConfig({ name: `lvsd_bench_${node.name}`, version: o.version, priority: o.priority, advertIntervalCs: o.advertIntervalCs, interfaceName: 'eth0', vip: VIP_PREFIX }));
    const vrrpPidFile = file(`keepalived-${node.name}-vrrp.pid`);
    const proc = await topology.spawn(node.namespace, {
      name: `keepalived ${node.name}`,
      file: 'keepalived',
      args: ['-n', '-l', '-D', '--vrrp', '-f', conf, '-p', file(`keepalived-${node.name}.pid`), '-r', vrrpPidFile],
    });
    const waitFor = async (state: DirectorState, timeoutMs: number): Promise<void> => {
      await proc.waitForLine((l) => countKeepalivedTransitions([l], state) === 1, { stream: 'stderr', timeoutMs });
    };
    await waitFor('backup', START_TIMEOUT_MS);
    return {
      implementation: 'keepalived',
      node,
      process: proc,
      waitForState: waitFor,
      transitionsInto: (state) => countKeepalivedTransitions(proc.lines('stderr'), state),
      async schedulingPolicy() {
        const r = await deps.runner.run({ file: 'cat', args: [vrrpPidFile], timeoutMs: COMMAND_TIMEOUT_MS });
        const pid = Number(r.stdout.trim());
        return Number.isInteger(pid) && pid > 0 ? schedulingPolicy(deps.runner, pid) : 'unknown (no VRRP pid file)';
      },
      async stop() {
        await proc.stop(STOP_GRACE_MS);
      },
      loadStats: () => undefined,
    };
  }

  return lab;
}

/** `chrt -p PID`: "pid 42's current scheduling policy: SCHED_OTHER" -> "SCHED_OTHER". */
async function schedulingPolicy(runner: CommandRunner, pid: number): Promise<string> {
  const r = await runner.run({ file: 'chrt', args: ['-p', String(pid)], timeoutMs: COMMAND_TIMEOUT_MS });
  const policy = /policy: (\S+)/.exec(r.stdout)?.[1];
  const priority = /priority: (\d+)/.exec(r.stdout)?.[1];
  if (policy === undefined) return `unknown (${r.stderr.trim() || `chrt exit ${r.exitCode ?? '?'}`})`;
  return priority === undefined || priority === '0' ? policy : `${policy} ${priority}`;
}

/**
 * Builds and tears down a lab topology (see topology-plan.ts) with iproute2, the same way on the
 * host kernel and inside UML. Spawns are few and batched (`ip -batch -`, `ip -n NS -batch -`):
 * inside UML each costs ~30 ms. Processes started in the namespaces are tracked and killed at
 * teardown, which always runs (also when creation fails half-way) and is idempotent.
 */
import { sleep, systemClock, type Clock } from '../core/clock.js';
import { claimLab, releaseLab, sweepStaleLabs } from './lab-owners.js';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runChecked, type CommandResult, type CommandRunner } from '../core/command-runner.js';
import { describeError, LvsdError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { describeExit, type LabProcess, type ProcessSpawner, type SpawnSpec } from './lab-process.js';
import { parseNetnsList, planTopology, type LabNode, type TopologyPlan, type TopologySpec } from './topology-plan.js';

export interface TopologyOptions extends Omit<TopologySpec, 'runId'> {
  /** Default: 6 random characters. */
  readonly runId?: string;
  /** Start an HTTP name server (answers its node name) on every real server. Default true. */
  readonly hasHttpServers?: boolean;
  /** Port of the HTTP name servers (they listen on 0.0.0.0, so they also answer on a DR VIP). Default 80. */
  readonly httpPort?: number;
  /** Per iproute2 command. Default 10 000. */
  readonly commandTimeoutMs?: number;
  /** Until every HTTP server printed its ready line. Default 30 000 (Node starts slowly inside UML). */
  readonly readyTimeoutMs?: number;
  /** Progress callback (the scenario timeline). */
  readonly onStep?: (step: string, detail: string) => void;
}

export interface TopologyDeps {
  readonly runner: CommandRunner;
  readonly spawner: ProcessSpawner;
  readonly logger: Logger;
  /** Node binary for the HTTP servers. */
  readonly nodePath: string;
  /** For the bounded waits; the system clock by default. */
  readonly clock?: Clock;
}

/** How often and how long to wait for every node's eth0 to be operationally up (carrier). */
const CARRIER_POLL_MS = 20;
const CARRIER_POLLS = 150;

export interface TeardownReport {
  readonly stoppedProcesses: readonly { readonly name: string; readonly exit: string }[];
  /** Namespaces of this run still present after teardown: empty when all went well. */
  readonly remainingNamespaces: readonly string[];
  readonly errors: readonly string[];
}

export interface ExecOptions {
  readonly timeoutMs?: number;
  readonly input?: string;
  readonly signal?: AbortSignal;
}

export interface LabTopology {
  readonly plan: TopologyPlan;
  readonly nodes: readonly LabNode[];
  readonly directors: readonly LabNode[];
  readonly realServers: readonly LabNode[];
  readonly client: LabNode | undefined;
  /** The node with this logical name (director-1, rs-2, client); throws ERR_LAB when unknown. */
  node(name: string): LabNode;
  /** Runs a program inside a namespace (`ip netns exec`) to completion. */
  exec(namespace: string, file: string, args: readonly string[], options?: ExecOptions): Promise<CommandResult>;
  /** Same, but a non-zero exit is an error. */
  execChecked(namespace: string, file: string, args: readonly string[], options?: ExecOptions): Promise<CommandResult>;
  /** Runs iproute2 lines in a namespace with one `ip -n NS -batch -`. */
  ipBatch(namespace: string, lines: readonly string[]): Promise<void>;
  /** Starts a long-lived process in a namespace; it is stopped at teardown. */
  spawn(namespace: string, spec: SpawnSpec): Promise<LabProcess>;
  /** Processes started so far (HTTP servers first). */
  processes(): readonly LabProcess[];
  /** Namespaces of this run that exist now. */
  listNamespaces(): Promise<string[]>;
  /** Stops every tracked process and deletes every namespace. Always safe to call, any number of times. */
  teardown(): Promise<TeardownReport>;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
const DEFAULT_READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 2_000;

export const HTTP_NAME_SERVER_ENTRY = fileURLToPath(new URL('./http-name-server-main.js', import.meta.url));

export function createRunId(): string {
  return randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(-6);
}

export async function createTopology(options: TopologyOptions, deps: TopologyDeps): Promise<LabTopology> {
  const planned = planTopology({ ...options, runId: options.runId ?? createRunId() });
  if (!planned.ok) throw new LvsdError('ERR_INVALID_ARGUMENT', `invalid lab topology: ${planned.error}`);
  const plan = planned.value;
  const log = deps.logger.child({ component: 'lab-topology', run: plan.runId });
  const timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const step = options.onStep ?? ((): void => undefined);
  const tracked: LabProcess[] = [];
  let teardownPromise: Promise<TeardownReport> | undefined;

  const exec = (namespace: string, file: string, args: readonly string[], o: ExecOptions = {}): Promise<CommandResult> =>
    deps.runner.run({
      file: 'ip',
      args: ['netns', 'exec', namespace, file, ...args],
      timeoutMs: o.timeoutMs ?? timeoutMs,
      ...(o.input === undefined ? {} : { input: o.input }),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    });
  const ipBatch = async (namespace: string | undefined, lines: readonly string[]): Promise<void> => {
    const nsArgs = namespace === undefined ? [] : ['-n', namespace];
    await runChecked(deps.runner, { file: 'ip', args: [...nsArgs, '-batch', '-'], input: `${lines.join('\n')}\n`, timeoutMs });
  };
  const listNamespaces = async (): Promise<string[]> => {
    const result = await deps.runner.run({ file: 'ip', args: ['netns', 'list'], timeoutMs });
    return parseNetnsList(result.stdout).filter((n) => n.startsWith(plan.namespacePrefix));
  };
  const doTeardown = async (): Promise<TeardownReport> => {
    const errors: string[] = [];
    const exits = await Promise.all(
      [...tracked].reverse().map(async (p) => ({ name: p.name, exit: describeExit(await p.stop(STOP_GRACE_MS)) })),
    );
    const del = await deps.runner.run({ file: 'ip', args: ['-force', '-batch', '-'], input: `${plan.deleteBatch.join('\n')}\n`, timeoutMs });
    let remainingNamespaces: string[] = [];
    try {
      remainingNamespaces = await listNamespaces();
    } catch (e) {
      errors.push(`listing namespaces: ${describeError(e)}`);
    }
    if (remainingNamespaces.length > 0) errors.push(`namespaces left: ${remainingNamespaces.join(' ')}: ${del.stderr.trim()}`);
    if (remainingNamespaces.length === 0) await releaseLab(plan.namespacePrefix);
    log.info('lab topology removed', { processes: exits.length, remaining: remainingNamespaces.length });
    step('topology-removed', `${exits.length} processes stopped, ${remainingNamespaces.length} namespaces left`);
    return { stoppedProcesses: exits, remainingNamespaces, errors };
  };
  const topology: LabTopology = {
    plan,
    nodes: plan.nodes,
    directors: plan.nodes.filter((n) => n.role === 'director'),
    realServers: plan.nodes.filter((n) => n.role === 'real-server'),
    client: plan.nodes.find((n) => n.role === 'client'),
    node(name) {
      const found = plan.nodes.find((n) => n.name === name);
      if (found === undefined) throw new LvsdError('ERR_LAB', `no lab node "${name}" (have: ${plan.nodes.map((n) => n.name).join(', ')})`);
      return found;
    },
    exec,
    async execChecked(namespace, file, args, o = {}) {
      return runChecked(deps.runner, {
        file: 'ip',
        args: ['netns', 'exec', namespace, file, ...args],
        timeoutMs: o.timeoutMs ?? timeoutMs,
        ...(o.input === undefined ? {} : { input: o.input }),
        ...(o.signal === undefined ? {} : { signal: o.signal }),
      });
    },
    ipBatch: (namespace, lines) => ipBatch(namespace, lines),
    async spawn(namespace, spec) {
      if (teardownPromise !== undefined) throw new LvsdError('ERR_LAB', `cannot start ${spec.name}: the topology is torn down`);
      const started = await deps.spawner.spawn({ ...spec, file: 'ip', args: ['netns', 'exec', namespace, spec.file, ...spec.args] });
      tracked.push(started);
      return started;
    },
    processes: () => [...tracked],
    listNamespaces,
    teardown() {
      teardownPromise ??= doTeardown();
      return teardownPromise;
    },
  };

  async function waitForCarrier(namespace: string): Promise<void> {
    for (let i = 0; i < CARRIER_POLLS; i++) {
      const r = await deps.runner.run({ file: 'ip', args: ['-n', namespace, '-o', 'link', 'show', 'dev', 'eth0'], timeoutMs });
      if (r.exitCode === 0 && /[<,]LOWER_UP[,>]/.test(r.stdout) && / state UP /.test(r.stdout)) return;
      await sleep(deps.clock ?? systemClock, CARRIER_POLL_MS);
    }
    throw new LvsdError('ERR_LAB', `eth0 in ${namespace} has no carrier after ${CARRIER_POLLS * CARRIER_POLL_MS} ms`);
  }

  try {
    await sweepStaleLabs({ runner: deps.runner, logger: log });
    await claimLab(plan.namespacePrefix, process.pid);
    await ipBatch(undefined, plan.createBatch);
    await Promise.all(plan.namespaceBatches.map((b) => ipBatch(b.namespace, b.lines)));
    await Promise.all(
      plan.sysctls.map((s) => runChecked(deps.runner, {
        file: 'ip',
        args: ['netns', 'exec', s.namespace, 'sysctl', '-q', '-w', ...s.settings.map(([k, v]) => `${k}=${v}`)],
        timeoutMs,
      })),
    );
    // A veth is up at once but gets its carrier (operstate UP, IFF_RUNNING) a moment later, through
    // the kernel's linkwatch: a daemon started before that sees its link down (a VRRP instance starts in FAULT).
    await Promise.all(plan.nodes.map((n) => waitForCarrier(n.namespace)));
    log.info('lab topology created', { namespaces: plan.nodes.length + 1 });
    step('topology-created', `${plan.nodes.length + 1} namespaces (prefix ${plan.namespacePrefix}), bridge br0 in ${plan.switchNamespace}`);
    if (options.hasHttpServers !== false && topology.realServers.length > 0) {
      await startHttpServers(topology, options.httpPort ?? 80, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, deps.nodePath);
      step('http-servers-ready', topology.realServers.map((n) => `${n.name}@${n.address.text}:${options.httpPort ?? 80}`).join(' '));
    }
    return topology;
  } catch (e) {
    const report = await topology.teardown();
    throw new LvsdError('ERR_LAB', `creating the lab topology failed: ${describeError(e)}`, { cause: e, details: { teardown: report } });
  }
}

/** One Node process per real server, started in parallel; resolves when all printed their ready line. */
async function startHttpServers(topology: LabTopology, port: number, readyTimeoutMs: number, nodePath: string): Promise<void> {
  const servers = await Promise.all(
    topology.realServers.map((n) =>
      topology.spawn(n.namespace, {
        name: `${n.name} http server`,
        file: nodePath,
        args: [HTTP_NAME_SERVER_ENTRY, '--name', n.name, '--listen', `0.0.0.0:${port}`, '--exit-on-stdin-eof', 'true'],
      }),
    ),
  );
  await Promise.all(servers.map((s) => s.waitForLine((line) => line.includes('"event":"ready"'), { timeoutMs: readyTimeoutMs })));
}


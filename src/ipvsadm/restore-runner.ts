/**
 * `ipvsadm -R`, all or nothing (ipvsadm applies a file up to its first bad line; lvsd does not):
 *  1. parse every line (restore-file.ts); a bad line is reported by number and nothing is sent;
 *  2. run the lines against an in-memory kernel (MemoryIpvsClient, the 6.1 kernel's rules) seeded
 *     with the kernel's current table, timeouts and sync daemons: a line the kernel would refuse
 *     (a service that exists, a real server of a missing service, ...) is reported the same way;
 *  3. apply the lines to the kernel in order; should the kernel still refuse one, put the table,
 *     the timeouts and the daemons back as they were (the planner, every service owned, no drain).
 * Counters zeroed by a -Z line before the failure stay zeroed: nothing can restore them.
 */
import { applyIpvsPlan } from '../ipvs/apply-ipvs-plan.js';
import { readIpvsTable, type IpvsClient, type IpvsTableEntry } from '../ipvs/ipvs-client.js';
import { MemoryIpvsClient } from '../ipvs/memory-ipvs-client.js';
import { formatServiceKey, type IpvsSyncDaemon, type IpvsTimeouts } from '../ipvs/model.js';
import { planIpvs } from '../ipvs/plan.js';
import { EXIT } from './ipvsadm-command.js';
import { parseRestoreInput, type RestoreLine } from './restore-file.js';
import { changeTable } from './apply-change.js';
import type { IpvsadmDeps } from './ipvsadm-deps.js';
import { parseWithNames } from './parse-with-names.js';

interface KernelState {
  readonly table: readonly IpvsTableEntry[];
  readonly timeouts: IpvsTimeouts;
  readonly daemons: readonly IpvsSyncDaemon[];
}

export async function runRestore(input: string, deps: IpvsadmDeps, openClient: () => Promise<IpvsClient>): Promise<number> {
  const parsed = await parseWithNames((lookup) => parseRestoreInput(input, lookup, deps.program), deps);
  if (!parsed.ok) return refuse(deps, parsed.line, parsed.message, parsed.exitCode);
  if (parsed.lines.length === 0) return EXIT.ok;
  const client = await openClient();
  const before = await readKernelState(client);
  const simulated = await dryRun(before, parsed.lines, await deps.listInterfaces());
  if (simulated !== undefined) return refuse(deps, simulated.line, simulated.message, simulated.exitCode);
  for (const line of parsed.lines) {
    let refused: { message: string; exitCode: number } | undefined;
    try {
      refused = await changeTable(line.command, client);
    } catch (e) {
      await rollBack(client, before).catch(() => undefined);
      throw e;
    }
    if (refused === undefined) continue;
    deps.stderr(`line ${line.line}: ${refused.message}\n`);
    const undo = await rollBack(client, before).then(
      () => 'the lines before it were undone: nothing was changed',
      (e: unknown) => `undoing the lines before it failed (${e instanceof Error ? e.message : String(e)}): check the table`,
    );
    deps.stderr(`restore failed at line ${line.line}; ${undo}\n`);
    return refused.exitCode;
  }
  return EXIT.ok;
}

function refuse(deps: Pick<IpvsadmDeps, 'stderr'>, line: number, message: string, exitCode: number): number {
  deps.stderr(`line ${line}: ${message}\nrestore refused: nothing was changed\n`);
  return exitCode;
}

async function readKernelState(client: IpvsClient): Promise<KernelState> {
  return { table: await readIpvsTable(client), timeouts: await client.getTimeouts(), daemons: await client.listDaemons() };
}

/** The first line the simulated kernel refuses, or undefined when every line passes. */
async function dryRun(
  state: KernelState,
  lines: readonly RestoreLine[],
  interfaces: readonly string[],
): Promise<{ line: number; message: string; exitCode: number } | undefined> {
  const memory = new MemoryIpvsClient({ interfaces: [...interfaces, ...state.daemons.map((d) => d.interfaceName)] });
  try {
    for (const e of state.table) {
      await memory.addService(e.service.service);
      for (const d of e.destinations) await memory.addDestination(e.service.service.key, d.destination);
    }
    await memory.setTimeouts(state.timeouts);
    for (const d of state.daemons) await memory.startDaemon(d);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { line: 0, message: `the current table cannot be simulated (${why}), so the file cannot be checked first`, exitCode: EXIT.failed };
  }
  for (const line of lines) {
    const refused = await changeTable(line.command, memory);
    if (refused !== undefined) return { line: line.line, ...refused };
  }
  return undefined;
}

/** Back to `before`: services and real servers through the planner, then timeouts and daemons. */
async function rollBack(client: IpvsClient, before: KernelState): Promise<void> {
  const current = await readIpvsTable(client);
  const owned = new Set([...before.table, ...current].map((e) => formatServiceKey(e.service.service.key)));
  const desired = before.table.map((e) => ({ service: e.service.service, destinations: e.destinations.map((d) => d.destination) }));
  const plan = planIpvs(desired, current, { ownedServices: owned, drainingDestinations: new Map(), drainingServices: new Map() }, 0, {
    drainTimeoutMs: 0,
    isServiceRemovalImmediate: true,
  });
  const applied = await applyIpvsPlan(client, plan.ops);
  const timeouts = await client.getTimeouts();
  if (JSON.stringify(timeouts) !== JSON.stringify(before.timeouts)) await client.setTimeouts(before.timeouts);
  const daemons = await client.listDaemons();
  for (const state of ['master', 'backup'] as const) {
    const was = before.daemons.find((d) => d.state === state);
    const is = daemons.find((d) => d.state === state);
    if (JSON.stringify(was) === JSON.stringify(is)) continue;
    if (is !== undefined) await client.stopDaemon(state);
    if (was !== undefined) await client.startDaemon(was);
  }
  const [failure] = applied.failed;
  if (failure !== undefined) throw failure.error;
}

/**
 * Bench section "ipvs" (inside UML: real kernel IPVS, ipvsadm 1.31 as the reference, same run):
 *   - apply 1,000 services x 10 destinations from empty: lvsd's reconciler round (read the table,
 *     planIpvs, applyIpvsPlan over generic netlink) vs `ipvsadm -R` of the same rules;
 *   - dump the whole table: readIpvsTable vs `ipvsadm -Sn`;
 *   - one weight change in that table: netlink mutations (must be 1), the time of a full round
 *     (dump + plan + apply) and of plan + apply with the table known, vs one `ipvsadm -e`;
 *   - start-up: `lvsd ipvsadm -L -n` vs `ipvsadm -L -n` on an empty table (when the command exists),
 *     next to `node -e 0`, the floor of any Node command.
 * Every repetition starts from an empty table and checks the outcome (counts, failures) so that a
 * fast wrong result cannot pass for a measurement; a failed check ends the section with an error.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createProcessRunner, type CommandResult } from '../../src/core/command-runner.js';
import { applyIpvsPlan } from '../../src/ipvs/apply-ipvs-plan.js';
import { createGenlIpvsClient, type GenlIpvsClient } from '../../src/ipvs/genl-ipvs-client.js';
import { readIpvsTable } from '../../src/ipvs/ipvs-client.js';
import { formatServiceKey } from '../../src/ipvs/model.js';
import { EMPTY_PLAN_STATE, planIpvs, type DesiredIpvsService, type IpvsPlanState } from '../../src/ipvs/plan.js';
import type { BenchContext, BenchRow, BenchSectionModule } from '../bench-model.js';
import { buildBenchTable, withWeight } from './big-table.js';

const SERVICES = 1000;
const PER_SERVICE = 10;
const PLAN_PARAMS = { drainTimeoutMs: 30_000, isServiceRemovalImmediate: false };
const MUTATIONS = ['new-service', 'set-service', 'del-service', 'new-dest', 'set-dest', 'del-dest'];
const CHANGED_SERVICE = 500;
const CHANGED_DESTINATION = 3;
const COMMAND_TIMEOUT_MS = 60_000;
const STARTUP_RUNS_MIN = 5;

interface Series {
  apply: number[];
  restore: number[];
  dumpLvsd: number[];
  dumpIpvsadm: number[];
  roundMutations: number[];
  roundMs: number[];
  changeRequests: number[];
  changeMs: number[];
  ipvsadmEditMs: number[];
}

export const ipvsBench: BenchSectionModule = {
  async run(ctx) {
    const runner = createProcessRunner();
    const exec = async (file: string, args: string[], input?: string): Promise<CommandResult> => {
      const r = await runner.run({ file, args, timeoutMs: COMMAND_TIMEOUT_MS, maxOutputBytes: 64 << 20, ...(input === undefined ? {} : { input }) });
      if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${r.exitCode ?? r.signal ?? '?'}: ${r.stderr.trim().slice(0, 300)}`);
      return r;
    };
    const table = buildBenchTable(SERVICES, PER_SERVICE);
    const s: Series = { apply: [], restore: [], dumpLvsd: [], dumpIpvsadm: [], roundMutations: [], roundMs: [], changeRequests: [], changeMs: [], ipvsadmEditMs: [] };
    const client = await createGenlIpvsClient();
    let error: string | undefined;
    let startup: BenchRow[] = [];
    try {
      await client.flush();
      for (let i = 0; i < ctx.repeat && (i === 0 || ctx.hasTimeLeft()); i++) {
        await repetition(i, client, table, s, exec);
        ctx.progress(`ipvs: repetition ${i + 1}/${ctx.repeat}: apply ${ms(s.apply[i])} vs ipvsadm -R ${ms(s.restore[i])}, dump ${ms(s.dumpLvsd[i])} vs ${ms(s.dumpIpvsadm[i])}`);
      }
      await client.flush();
      startup = await startupRows(ctx, exec);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    } finally {
      await client.flush().catch(() => undefined);
      client.close();
    }
    const first = table.desired[CHANGED_SERVICE];
    return {
      name: 'ipvs',
      title: `IPVS: ${SERVICES.toLocaleString('en-US')} services x ${PER_SERVICE} destinations (${table.destinationCount.toLocaleString('en-US')}), kernel IPVS in UML`,
      rows: [
        { label: 'apply from empty', unit: 'ms', lvsd: { label: 'read+plan+apply', samples: s.apply }, reference: { label: 'ipvsadm -R', samples: s.restore }, target: { kind: 'ratio-at-most', value: 1 } },
        { label: 'dump the whole table', unit: 'ms', lvsd: { label: 'readIpvsTable', samples: s.dumpLvsd }, reference: { label: 'ipvsadm -Sn', samples: s.dumpIpvsadm } },
        { label: 'one weight change: netlink mutations', unit: 'ops', lvsd: { label: 'round', samples: s.roundMutations }, target: { kind: 'equals', value: 1 } },
        { label: 'one weight change: netlink requests', unit: 'ops', lvsd: { label: 'plan+apply', samples: s.changeRequests }, target: { kind: 'equals', value: 1 } },
        { label: 'one weight change, table known', unit: 'ms', lvsd: { label: 'plan+apply', samples: s.changeMs }, reference: { label: 'ipvsadm -e', samples: s.ipvsadmEditMs } },
        { label: 'one weight change, full round', unit: 'ms', lvsd: { label: 'dump+plan+apply', samples: s.roundMs }, reference: { label: 'ipvsadm -e', samples: s.ipvsadmEditMs } },
        ...startup,
      ],
      notes: [
        'lvsd runs in-process (no process start); every ipvsadm time includes its process start (tens of ms in UML)',
        `each repetition starts from an empty table; the weight change is destination ${CHANGED_DESTINATION} of ${first === undefined ? '?' : formatServiceKey(first.service.key)}; "full round" is what the daemon does on a config change: dump, plan, apply`,
        'checked on every repetition: 11,000 operations applied without failure, 10,000 destinations dumped by lvsd, 11,000 lines from ipvsadm -Sn, 10,000 destinations after ipvsadm -R',
      ],
      ...(error === undefined ? {} : { error }),
    };
  },
};

type Exec = (file: string, args: string[], input?: string) => Promise<CommandResult>;

async function repetition(i: number, client: GenlIpvsClient, table: ReturnType<typeof buildBenchTable>, s: Series, exec: Exec): Promise<void> {
  await client.flush();
  const applied = await timed(async () => {
    const plan = planIpvs(table.desired, await readIpvsTable(client), EMPTY_PLAN_STATE, 0, PLAN_PARAMS);
    return { plan, result: await applyIpvsPlan(client, plan.ops) };
  });
  const { plan, result } = applied.value;
  check(plan.ops.length === SERVICES * (PER_SERVICE + 1) && result.failed.length === 0 && result.skipped.length === 0, `lvsd apply: ${plan.ops.length} ops, ${result.failed.length} failed (${result.failed[0]?.error.message ?? ''})`);
  s.apply.push(applied.ms);

  const dump = await timed(() => readIpvsTable(client));
  check(countDestinations(dump.value) === table.destinationCount, `lvsd dump: ${countDestinations(dump.value)} destinations`);
  s.dumpLvsd.push(dump.ms);
  const save = await exec('ipvsadm', ['-Sn']);
  const saved = save.stdout.trim().split('\n').length;
  check(saved === SERVICES * (PER_SERVICE + 1), `ipvsadm -Sn: ${saved} lines`);
  s.dumpIpvsadm.push(save.durationMs);

  // A config change as the daemon sees it: dump, plan, apply. Weights 1-5 are taken; 50+ are new.
  let state: IpvsPlanState = plan.state;
  const before = mutations(client);
  const round = await timed(async () => reconcile(client, withWeight(table.desired, CHANGED_SERVICE, CHANGED_DESTINATION, 50 + i), state, 1000));
  s.roundMutations.push(mutations(client) - before);
  s.roundMs.push(round.ms);
  check(round.value.ops === 1, `round: ${round.value.ops} ops planned`);
  state = round.value.state;

  const known = await readIpvsTable(client);
  const requestsBefore = requests(client);
  const change = await timed(async () => {
    const p = planIpvs(withWeight(table.desired, CHANGED_SERVICE, CHANGED_DESTINATION, 150 + i), known, state, 2000, PLAN_PARAMS);
    return applyIpvsPlan(client, p.ops);
  });
  s.changeRequests.push(requests(client) - requestsBefore);
  s.changeMs.push(change.ms);
  check(change.value.applied.length === 1, `plan+apply: ${change.value.applied.length} applied`);

  const svc = table.desired[CHANGED_SERVICE];
  const dest = svc?.destinations[CHANGED_DESTINATION];
  if (svc === undefined || dest === undefined || svc.service.key.kind !== 'inet') throw new Error('bench table has no changed destination');
  const edit = await exec('ipvsadm', ['-e', '-t', `${svc.service.key.address.text}:${svc.service.key.port}`, '-r', `${dest.key.address.text}:${dest.key.port}`, '-g', '-w', String(250 + i)]);
  s.ipvsadmEditMs.push(edit.durationMs);

  await client.flush();
  const restore = await exec('ipvsadm', ['-R'], table.restoreInput);
  const restored = countDestinations(await readIpvsTable(client));
  check(restored === table.destinationCount, `ipvsadm -R: ${restored} destinations`);
  s.restore.push(restore.durationMs);
  await client.flush();
}

async function reconcile(client: GenlIpvsClient, desired: readonly DesiredIpvsService[], state: IpvsPlanState, nowMs: number): Promise<{ ops: number; state: IpvsPlanState }> {
  const plan = planIpvs(desired, await readIpvsTable(client), state, nowMs, PLAN_PARAMS);
  const result = await applyIpvsPlan(client, plan.ops);
  check(result.failed.length === 0, `round failed: ${result.failed[0]?.error.message ?? ''}`);
  return { ops: plan.ops.length, state: plan.state };
}

/** `lvsd ipvsadm` start-up next to ipvsadm's, and Node's own start as the floor. */
async function startupRows(ctx: BenchContext, exec: Exec): Promise<BenchRow[]> {
  const runs = Math.max(STARTUP_RUNS_MIN, ctx.repeat);
  const node: number[] = [];
  const ipvsadm: number[] = [];
  for (let i = 0; i < runs; i++) {
    node.push((await exec(ctx.nodePath, ['-e', '0'])).durationMs);
    ipvsadm.push((await exec('ipvsadm', ['-L', '-n'])).durationMs);
  }
  const source = join(ctx.repoRoot, 'src/cli/commands/ipvsadm.ts');
  const built = join(ctx.repoRoot, 'dist/src/cli/commands/ipvsadm.js');
  const label = 'start-up: -L -n, empty table';
  const floor: BenchRow = { label: 'start-up floor: node -e 0', unit: 'ms', lvsd: { label: 'node -e 0', samples: node }, reference: { label: 'ipvsadm -L -n', samples: ipvsadm } };
  if (!existsSync(source) || !existsSync(built)) {
    return [{ label, unit: 'ms', reference: { label: 'ipvsadm -L -n', samples: ipvsadm }, note: `lvsd ipvsadm: not available yet (${existsSync(source) ? 'not built' : 'no src/cli/commands/ipvsadm.ts'})` }, floor];
  }
  const lvsd: number[] = [];
  const bin = join(ctx.repoRoot, 'bin/lvsd.js');
  for (let i = 0; i < runs; i++) {
    try {
      lvsd.push((await exec(ctx.nodePath, [bin, 'ipvsadm', '-L', '-n'])).durationMs);
    } catch (e) {
      return [{ label, unit: 'ms', reference: { label: 'ipvsadm -L -n', samples: ipvsadm }, note: `lvsd ipvsadm failed: ${e instanceof Error ? e.message : String(e)}` }, floor];
    }
  }
  return [{ label, unit: 'ms', lvsd: { label: 'lvsd ipvsadm', samples: lvsd }, reference: { label: 'ipvsadm -L -n', samples: ipvsadm } }, floor];
}

function mutations(client: GenlIpvsClient): number {
  const r = client.snapshot().requests;
  return MUTATIONS.reduce((n, c) => n + (r[c] ?? 0), 0);
}

function requests(client: GenlIpvsClient): number {
  return Object.values(client.snapshot().requests).reduce((a, b) => a + b, 0);
}

function countDestinations(table: readonly { destinations: readonly unknown[] }[]): number {
  return table.reduce((n, e) => n + e.destinations.length, 0);
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

function ms(n: number | undefined): string {
  return n === undefined ? '-' : `${Math.round(n)} ms`;
}

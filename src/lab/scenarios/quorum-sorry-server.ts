/**
 * The quorum phase of traffic-through-vip (issue 5's acceptance: "lose enough servers and the sorry
 * server takes over; regain and it leaves"). The service has quorum 2 over the serving real servers
 * (weight 1 each, HTTP-checked) and the last real-server node as its sorry server; its quorum_down
 * and quorum_up scripts append "down" / "up" to a file. rs-1 and rs-2 stop: the live weight falls
 * below 2, lvsd puts the sorry server in and the live servers out (ipvsadm, the oracle), every
 * client request is answered by the sorry server, and quorum_down ran. rs-1 starts again: quorum is
 * back, the real servers return, the sorry server leaves, and quorum_up ran. Every wait is bounded.
 */
import { readFile } from 'node:fs/promises';
import { sleep, type Clock } from '../../core/clock.js';
import { LvsdError } from '../../core/errors.js';
import { analyzeProbes, type ProbeSummary } from '../probe-analysis.js';
import { runProberIn } from '../prober-remote.js';
import type { LabNode } from '../topology-plan.js';
import { HTTP_NAME_SERVER_ENTRY, type LabTopology } from '../topology.js';
import { LAB_QUORUM } from './lab-ipvs-config.js';
import type { ProbePlan } from './traffic-through-vip-options.js';

const POLL_MS = 100;
const WAIT_LIMIT_MS = 15_000;
export interface QuorumPhaseOutcome {
  /** From stopping rs-1 and rs-2 until ipvsadm shows the sorry server alone taking connections. */
  readonly sorryInAfterMs: number;
  /** From restarting rs-1 until ipvsadm shows the real servers back and the sorry server out. */
  readonly sorryOutAfterMs: number;
  /** `ipvsadm -Ln` destinations ("address weight") at those two moments. */
  readonly tableWhileLost: readonly string[];
  readonly tableAfterRegain: readonly string[];
  readonly whileLost: ProbeSummary;
  readonly afterRegain: ProbeSummary;
  /** The scripts' file at the end: one "down" then one "up" per director. */
  readonly scriptLines: readonly string[];
  readonly sorryServer: string;
}

/** `ipvsadm -Ln` destination lines as address -> weight (the first service only). */
export function destinationWeights(listing: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const line of listing.split('\n')) {
    const m = /^\s+->\s+(\d[\d.]*:\d+)\s+\S+\s+(\d+)\s+\d+\s+\d+\s*$/.exec(line);
    if (m?.[1] !== undefined) weights.set(m[1], Number(m[2]));
  }
  return weights;
}

/** Only `sorry` takes new connections (weight > 0); the others are gone or at weight 0 (draining). */
export function isSorryServing(weights: ReadonlyMap<string, number>, sorry: string): boolean {
  return (weights.get(sorry) ?? 0) > 0 && [...weights].every(([address, w]) => address === sorry || w === 0);
}

/** Every one of `serving` takes new connections, and the sorry server none. */
export function areRealServersServing(weights: ReadonlyMap<string, number>, serving: readonly string[], sorry: string): boolean {
  return serving.every((a) => (weights.get(a) ?? 0) > 0) && (weights.get(sorry) ?? 0) === 0;
}

export async function runQuorumPhase(
  topology: LabTopology,
  options: { readonly port: number; readonly probe: ProbePlan; readonly url: string; readonly scriptLog: string; readonly sorry: LabNode },
  deps: { readonly clock: Clock; readonly nodePath: string },
  step: (name: string, detail: string) => void,
): Promise<QuorumPhaseOutcome> {
  const director = topology.node('director-1');
  const client = topology.client;
  if (client === undefined) throw new LvsdError('ERR_LAB', 'the topology has no client');
  const serving = topology.realServers.filter((n) => n.name !== options.sorry.name);
  const [first, second, ...rest] = serving;
  if (first === undefined || second === undefined) throw new LvsdError('ERR_LAB', 'the quorum phase needs at least 2 serving real servers');
  const endpoint = (n: LabNode): string => `${n.address.text}:${options.port}`;
  const sorry = endpoint(options.sorry);
  const weightsNow = async (): Promise<Map<string, number>> => destinationWeights((await topology.execChecked(director.namespace, 'ipvsadm', ['-Ln'])).stdout);
  const describe = (w: ReadonlyMap<string, number>): string[] => [...w].map(([a, weight]) => `${a} w${weight}`);
  const probe = async (): Promise<ProbeSummary> => analyzeProbes((await runProberIn(topology, client.namespace, { url: options.url, ...options.probe }, deps.nodePath)).records);

  for (const victim of [first, second]) {
    const server = topology.processes().find((p) => p.name === `${victim.name} http server`);
    if (server === undefined) throw new LvsdError('ERR_LAB', `no HTTP server process for ${victim.name}`);
    await server.stop(2000);
  }
  step('quorum-servers-stopped', `${first.name} and ${second.name} stopped: live weight ${rest.length} < quorum ${LAB_QUORUM.weight}`);
  const sorryInAfterMs = await waitFor(async () => isSorryServing(await weightsNow(), sorry), deps.clock, `the sorry server ${sorry} taking over`);
  const tableWhileLost = describe(await weightsNow());
  step('quorum-lost', `ipvsadm -Ln: ${tableWhileLost.join(', ')} (${sorryInAfterMs} ms after the stop)`);
  const whileLost = await probe();
  step('probe-while-lost', `${whileLost.okCount}/${whileLost.total} ok, by server ${JSON.stringify(whileLost.byServer)}`);

  const restarted = await topology.spawn(first.namespace, {
    name: `${first.name} http server`,
    file: deps.nodePath,
    args: [HTTP_NAME_SERVER_ENTRY, '--name', first.name, '--listen', `0.0.0.0:${options.port}`, '--exit-on-stdin-eof', 'true'],
  });
  await restarted.waitForLine((line) => line.includes('"event":"ready"'), { timeoutMs: WAIT_LIMIT_MS });
  step('quorum-server-restarted', `${first.name} started again: live weight ${rest.length + 1}`);
  const back = [first, ...rest].map(endpoint);
  const sorryOutAfterMs = await waitFor(async () => areRealServersServing(await weightsNow(), back, sorry), deps.clock, `${back.join(', ')} returning and the sorry server leaving`);
  const tableAfterRegain = describe(await weightsNow());
  step('quorum-regained', `ipvsadm -Ln: ${tableAfterRegain.join(', ')} (${sorryOutAfterMs} ms after the restart)`);
  const afterRegain = await probe();
  step('probe-after-regain', `${afterRegain.okCount}/${afterRegain.total} ok, by server ${JSON.stringify(afterRegain.byServer)}`);

  const scriptLines = await waitForScripts(options.scriptLog, topology.directors.length, deps.clock);
  step('quorum-scripts', `${options.scriptLog}: ${scriptLines.join(' ')}`);
  return { sorryInAfterMs, sorryOutAfterMs, tableWhileLost, tableAfterRegain, whileLost, afterRegain, scriptLines, sorryServer: options.sorry.name };
}

/** What the phase must show: the sorry server alone while quorum was lost, the real servers after, the scripts in order. */
export function isQuorumHandled(q: QuorumPhaseOutcome | undefined, directorCount: number): boolean {
  if (q === undefined) return false;
  const isClean = (s: ProbeSummary): boolean => s.total > 0 && s.okCount === s.total;
  const lostBy = Object.keys(q.whileLost.byServer);
  const regainedBy = Object.keys(q.afterRegain.byServer);
  const expectedScripts = [...Array<string>(directorCount).fill('down'), ...Array<string>(directorCount).fill('up')];
  return (
    isClean(q.whileLost) &&
    lostBy.length === 1 &&
    lostBy[0] === q.sorryServer &&
    isClean(q.afterRegain) &&
    regainedBy.length > 0 &&
    !regainedBy.includes(q.sorryServer) &&
    q.scriptLines.join(' ') === expectedScripts.join(' ')
  );
}

async function waitFor(what: () => Promise<boolean>, clock: Clock, description: string): Promise<number> {
  const t0 = clock.now();
  while (clock.now() - t0 <= WAIT_LIMIT_MS) {
    if (await what()) return Math.round(clock.now() - t0);
    await sleep(clock, POLL_MS);
  }
  throw new LvsdError('ERR_LAB', `${description} did not happen within ${WAIT_LIMIT_MS} ms`);
}

/** The scripts run from lvsd's queue, shortly after the change: wait (bounded) for every director's "up". */
async function waitForScripts(file: string, directorCount: number, clock: Clock): Promise<string[]> {
  const read = async (): Promise<string[]> => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
  await waitFor(async () => (await read()).filter((l) => l === 'up').length >= directorCount, clock, `${directorCount} quorum_up script(s) writing ${file}`).catch(() => undefined);
  return read();
}

/**
 * The failure phase of traffic-through-vip (issue 5's acceptance): rs-1's HTTP service stops while
 * the client keeps probing; lvsd's health checks must take rs-1 out of IPVS (checked with ipvsadm,
 * the oracle), traffic must then flow without errors through the other real servers, and rs-1 must
 * return to IPVS and answer again once its service is back, its weight ramping with slowstart
 * (LAB_SLOWSTART: sampled with `ipvsadm -Ln` until it reaches the full weight) while the other real
 * servers keep theirs. Every wait is bounded.
 */
import { sleep, type Clock } from '../../core/clock.js';
import { LvsdError } from '../../core/errors.js';
import { parseIpvsadmList } from '../ipvsadm-stats.js';
import { analyzeProbes, type ProbeSummary } from '../probe-analysis.js';
import { runProberIn } from '../prober-remote.js';
import { serviceWeights, weightsOf, type WeightSample } from '../slowstart-ramp.js';
import { LAB_VIP, type LabNode } from '../topology-plan.js';
import { HTTP_NAME_SERVER_ENTRY, type LabTopology } from '../topology.js';
import type { ProbePlan } from './traffic-through-vip-options.js';

const POLL_MS = 100;
const WAIT_LIMIT_MS = 15_000;
/** Weight samples after rs-1's return: every 100 ms, at most 60 and 10 s (the ramp lasts 2 s). */
const SAMPLE_MS = 100;
const SAMPLE_LIMIT = 60;
const SAMPLE_LIMIT_MS = 10_000;

export interface RealServerFailureOutcome {
  /** From stopping rs-1's service until ipvsadm no longer lists it. */
  readonly removedAfterMs: number;
  /** From restarting it until ipvsadm lists it again. */
  readonly returnedAfterMs: number;
  /** The weight rs-1 ramps to, the other real servers' weight throughout. */
  readonly fullWeight: number;
  /** From its return until it reached fullWeight: each destination's weight, per `ipvsadm -Ln` sample. */
  readonly weightSamples: readonly WeightSample[];
  readonly whileDown: ProbeSummary;
  readonly afterReturn: ProbeSummary;
}

async function listsDestination(topology: LabTopology, director: LabNode, address: string): Promise<boolean> {
  const r = await topology.execChecked(director.namespace, 'ipvsadm', ['-Ln']);
  return r.stdout.includes(` ${address}:`);
}

async function waitFor(what: () => Promise<boolean>, clock: Clock, description: string): Promise<number> {
  const t0 = clock.now();
  while (clock.now() - t0 <= WAIT_LIMIT_MS) {
    if (await what()) return Math.round(clock.now() - t0);
    await sleep(clock, POLL_MS);
  }
  throw new LvsdError('ERR_LAB', `${description} did not happen within ${WAIT_LIMIT_MS} ms`);
}

/** Samples the service's weights until `address` has `fullWeight`, bounded in count and time. */
async function sampleWeights(topology: LabTopology, director: LabNode, port: number, address: string, fullWeight: number, clock: Clock): Promise<WeightSample[]> {
  const samples: WeightSample[] = [];
  const t0 = clock.now();
  while (samples.length < SAMPLE_LIMIT && clock.now() - t0 <= SAMPLE_LIMIT_MS) {
    const r = await topology.execChecked(director.namespace, 'ipvsadm', ['-Ln']);
    const sample = serviceWeights(parseIpvsadmList(r.stdout), { protocol: 'TCP', address: `${LAB_VIP.text}:${port}` });
    samples.push(sample);
    if (sample[address] === fullWeight) return samples;
    await sleep(clock, SAMPLE_MS);
  }
  throw new LvsdError('ERR_LAB', `${address} did not reach weight ${fullWeight} within ${SAMPLE_LIMIT} samples: ${weightsOf(samples, address).join(' ')}`);
}

export async function runRealServerFailure(
  topology: LabTopology,
  options: { readonly port: number; readonly probe: ProbePlan; readonly url: string; readonly fullWeight: number },
  deps: { readonly clock: Clock; readonly nodePath: string },
  step: (name: string, detail: string) => void,
): Promise<RealServerFailureOutcome> {
  const director = topology.node('director-1');
  const victim = topology.node('rs-1');
  const client = topology.client;
  if (client === undefined) throw new LvsdError('ERR_LAB', 'the topology has no client');
  const server = topology.processes().find((p) => p.name === `${victim.name} http server`);
  if (server === undefined) throw new LvsdError('ERR_LAB', `no HTTP server process for ${victim.name}`);

  await server.stop(2000);
  step('rs-1-stopped', `${victim.name}'s HTTP service stopped`);
  const removedAfterMs = await waitFor(async () => !(await listsDestination(topology, director, victim.address.text)), deps.clock, `${victim.name} leaving IPVS`);
  step('rs-1-removed', `ipvsadm -Ln no longer lists ${victim.address.text}, ${removedAfterMs} ms after the stop`);

  const down = await runProberIn(topology, client.namespace, { url: options.url, ...options.probe }, deps.nodePath);
  const whileDown = analyzeProbes(down.records);
  step('probe-while-down', `${whileDown.okCount}/${whileDown.total} ok, by server ${JSON.stringify(whileDown.byServer)}`);

  const restarted = await topology.spawn(victim.namespace, {
    name: `${victim.name} http server`,
    file: deps.nodePath,
    args: [HTTP_NAME_SERVER_ENTRY, '--name', victim.name, '--listen', `0.0.0.0:${options.port}`, '--exit-on-stdin-eof', 'true'],
  });
  await restarted.waitForLine((line) => line.includes('"event":"ready"'), { timeoutMs: WAIT_LIMIT_MS });
  step('rs-1-restarted', `${victim.name}'s HTTP service started again`);
  const returnedAfterMs = await waitFor(() => listsDestination(topology, director, victim.address.text), deps.clock, `${victim.name} returning to IPVS`);
  step('rs-1-returned', `ipvsadm -Ln lists ${victim.address.text} again, ${returnedAfterMs} ms after the restart`);
  const destination = `${victim.address.text}:${options.port}`;
  const weightSamples = await sampleWeights(topology, director, options.port, destination, options.fullWeight, deps.clock);
  step('rs-1-ramped', `${victim.name}'s weight in ${weightSamples.length} ipvsadm -Ln samples: ${weightsOf(weightSamples, destination).join(' ')}`);

  const back = await runProberIn(topology, client.namespace, { url: options.url, ...options.probe }, deps.nodePath);
  const afterReturn = analyzeProbes(back.records);
  step('probe-after-return', `${afterReturn.okCount}/${afterReturn.total} ok, by server ${JSON.stringify(afterReturn.byServer)}`);
  return { removedAfterMs, returnedAfterMs, fullWeight: options.fullWeight, weightSamples, whileDown, afterReturn };
}

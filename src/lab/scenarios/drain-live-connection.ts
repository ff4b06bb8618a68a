/**
 * The drain phase of traffic-through-vip (issue 3's "drain observed with a live connection"), on the
 * real kernel IPVS, driven through lvsd's own reload:
 *   1. a stream name server (stream-name-server-main) on every real server, VIP:7000 balanced to them;
 *   2. the client holds one TCP connection through the VIP, a line every 100 ms; its first reply
 *      names the real server X that holds it;
 *   3. every director's config is rewritten without X in the stream service, and each lvsd gets
 *      SIGHUP (as an operator would);
 *   4. ipvsadm -Ln (the oracle) must show X at weight 0 with its active connection, the held
 *      connection must keep answering from X, and new connections must go to the other servers;
 *   5. after some repair rounds X must still be listed; the client then closes (FIN), and X must leave
 *      the table. The daemon's log says why each change was made (drain, then drained).
 * Every wait is bounded; observations only, the caller judges (isDrainHandled).
 */
import { fileURLToPath } from 'node:url';
import { sleep, type Clock } from '../../core/clock.js';
import { LvsdError } from '../../core/errors.js';
import { ipvsChangesFor, type IpvsChangeNote } from '../daemon-log-notes.js';
import { parseIpvsadmList, type IpvsListDestination } from '../ipvsadm-stats.js';
import type { LabProcess } from '../lab-process.js';
import { parseStreamEvents, type StreamEvent } from '../stream-lines.js';
import { LAB_VIP, type LabNode } from '../topology-plan.js';
import type { LabTopology } from '../topology.js';
import { reloadDaemons } from './lab-daemons.js';
import { labIpvsConfig, type LabIpvsSpec } from './lab-ipvs-config.js';
import { LAB_STREAM_PORT, type LabDaemonOptions } from './traffic-through-vip-options.js';

export const STREAM_NAME_SERVER_ENTRY = fileURLToPath(new URL('../stream-name-server-main.js', import.meta.url));
export const STREAM_CLIENT_ENTRY = fileURLToPath(new URL('../stream-client-main.js', import.meta.url));

const POLL_MS = 100;
const WAIT_LIMIT_MS = 15_000;
const HOLD_INTERVAL_MS = 100;
/** The held connection must answer this many more lines once ipvsadm shows the drain. */
const REPLIES_WHILE_DRAINING = 10;
/** Repair rounds run every second in the drain config: let at least this many pass before closing. */
const ROUNDS_BEFORE_CLOSE_MS = 3_000;

export interface DrainOutcome {
  /** The real server holding the long-lived connection, which the reload removes. */
  readonly drainedServer: string;
  /** Its stream destination, as ipvsadm prints it: "192.0.2.21:7000". */
  readonly drainedDestination: string;
  /** From SIGHUP until ipvsadm -Ln showed it at weight 0. */
  readonly weightZeroAfterMs: number;
  /** ipvsadm -Ln's line for it at that moment. */
  readonly whileDraining: IpvsListDestination;
  /** Lines the held connection answered after ipvsadm showed weight 0, and which servers answered them. */
  readonly repliesWhileDraining: number;
  readonly heldConnectionServers: readonly string[];
  /** New connections to the stream service during the drain: answers by server, and failures. */
  readonly newConnections: Readonly<Record<string, number>>;
  readonly newConnectionErrors: number;
  /** ipvsadm -Ln's line for it just before the client closed, at least ROUNDS_BEFORE_CLOSE_MS into the drain. */
  readonly beforeClose: IpvsListDestination | undefined;
  /** The held connection's end, as the client reported it. */
  readonly closed: Extract<StreamEvent, { event: 'closed' }> | undefined;
  /** From the client's exit until ipvsadm -Ln no longer listed it. */
  readonly deletedAfterCloseMs: number;
  /** director-1's log for that destination, in order ("edit-destination drain", ...). */
  readonly daemonChanges: readonly IpvsChangeNote[];
}

export interface DrainPhaseInput {
  readonly spec: LabIpvsSpec;
  readonly daemons: readonly LabProcess[];
  readonly daemonOptions: LabDaemonOptions;
}

export async function runDrainPhase(
  topology: LabTopology,
  input: DrainPhaseInput,
  deps: { readonly clock: Clock; readonly nodePath: string },
  step: (name: string, detail: string) => void,
): Promise<DrainOutcome> {
  const { clock } = deps;
  const director = topology.node('director-1');
  const client = topology.client;
  if (client === undefined) throw new LvsdError('ERR_LAB', 'the topology has no client');
  const vs = `${LAB_VIP.text}:${LAB_STREAM_PORT}`;
  const listStream = async (): Promise<readonly IpvsListDestination[]> => {
    const out = await topology.execChecked(director.namespace, 'ipvsadm', ['-Ln']);
    return parseIpvsadmList(out.stdout).find((s) => s.protocol === 'TCP' && s.address === vs)?.destinations ?? [];
  };

  await startStreamServers(topology, deps.nodePath);
  step('stream-servers-ready', `${topology.realServers.map((n) => n.name).join(' ')} on :${LAB_STREAM_PORT}`);

  const hold = await topology.spawn(client.namespace, {
    name: 'client stream',
    file: deps.nodePath,
    args: [STREAM_CLIENT_ENTRY, '--connect', `${vs}`, '--mode', 'hold', '--interval-ms', String(HOLD_INTERVAL_MS), '--timeout-ms', '2000', '--max-duration-ms', '120000'],
  });
  const events = (): StreamEvent[] => parseStreamEvents(hold.lines('stdout'));
  await hold.waitForLine((l) => l.includes('"event":"reply"'), { timeoutMs: WAIT_LIMIT_MS });
  const first = events().find((e) => e.event === 'reply');
  const victim = topology.realServers.find((n) => first?.event === 'reply' && n.name === first.server);
  if (victim === undefined) throw new LvsdError('ERR_LAB', `the held connection's first reply names no real server: ${hold.lines('stdout').slice(0, 3).join(' | ')}`);
  const destination = `${victim.address.text}:${LAB_STREAM_PORT}`;
  step('connection-held', `client holds a connection to ${vs}, served by ${victim.name} (${destination})`);

  const remaining = topology.realServers.filter((n) => n !== victim);
  const reloadAt = clock.now();
  await reloadDaemons(topology, input.daemons, input.daemonOptions, labIpvsConfig({ ...input.spec, streamRealServers: remaining }, topology.realServers));
  step('reloaded', `${victim.name} removed from ${vs} in every director's config; SIGHUP; each lvsd logged "reload done"`);

  const whileDraining = await waitFor(async () => (await listStream()).find((d) => d.address === destination && d.weight === 0), clock, `${destination} at weight 0`);
  const weightZeroAfterMs = Math.round(clock.now() - reloadAt);
  const lastSeqBeforeDrain = lastReplySeq(events());
  step('weight-zero', `ipvsadm -Ln: ${destination} weight ${whileDraining.weight}, ActiveConn ${whileDraining.activeConns}, ${weightZeroAfterMs} ms after SIGHUP`);

  const drainingReplies = (): Extract<StreamEvent, { event: 'reply' }>[] =>
    events().filter((e): e is Extract<StreamEvent, { event: 'reply' }> => e.event === 'reply' && e.seq > lastSeqBeforeDrain);
  await waitFor(() => Promise.resolve(drainingReplies().length >= REPLIES_WHILE_DRAINING ? true : undefined), clock, `${REPLIES_WHILE_DRAINING} replies on the held connection while draining`);
  step('held-connection-flows', `${drainingReplies().length} replies since weight 0, from ${[...new Set(drainingReplies().map((e) => e.server))].join(' ')}`);

  const each = await topology.exec(client.namespace, deps.nodePath, [STREAM_CLIENT_ENTRY, '--connect', vs, '--mode', 'each', '--count', String(2 * remaining.length), '--timeout-ms', '2000'], { timeoutMs: 60_000 });
  const newEvents = parseStreamEvents(each.stdout.split('\n'));
  const newConnections: Record<string, number> = {};
  for (const e of newEvents) if (e.event === 'reply') newConnections[e.server] = (newConnections[e.server] ?? 0) + 1;
  const newConnectionErrors = newEvents.filter((e) => e.event === 'error').length;
  step('new-connections', `${JSON.stringify(newConnections)}, ${newConnectionErrors} failed`);

  const waitedMs = clock.now() - (reloadAt + weightZeroAfterMs);
  if (waitedMs < ROUNDS_BEFORE_CLOSE_MS) await sleep(clock, ROUNDS_BEFORE_CLOSE_MS - waitedMs);
  const beforeClose = (await listStream()).find((d) => d.address === destination);
  step('before-close', beforeClose === undefined ? `${destination} is gone already` : `${destination} still listed: weight ${beforeClose.weight}, ActiveConn ${beforeClose.activeConns}`);

  await hold.stop(5_000);
  const closedAt = clock.now();
  const closed = events().find((e): e is Extract<StreamEvent, { event: 'closed' }> => e.event === 'closed');
  step('connection-closed', closed === undefined ? `client exited without a clean close: ${hold.lines('stderr').slice(-3).join(' | ')}` : `client closed after ${closed.sent} lines sent, ${closed.received} answered`);

  await waitFor(async () => ((await listStream()).some((d) => d.address === destination) ? undefined : true), clock, `${destination} leaving IPVS`);
  const deletedAfterCloseMs = Math.round(clock.now() - closedAt);
  const daemonChanges = ipvsChangesFor(input.daemons[0]?.lines('stderr') ?? [], `tcp ${vs}`, destination);
  step('drained', `${destination} deleted ${deletedAfterCloseMs} ms after the close; lvsd director-1: ${daemonChanges.map((c) => `${c.op} ${c.reason}`).join(', ')}`);

  return {
    drainedServer: victim.name,
    drainedDestination: destination,
    weightZeroAfterMs,
    whileDraining,
    repliesWhileDraining: drainingReplies().length,
    heldConnectionServers: [...new Set(events().flatMap((e) => (e.event === 'reply' ? [e.server] : [])))],
    newConnections,
    newConnectionErrors,
    beforeClose,
    closed,
    deletedAfterCloseMs,
    daemonChanges,
  };
}

/** The drain went as issue 3 asks: weight 0 first, the connection kept flowing, new ones elsewhere, deleted once drained. */
export function isDrainHandled(d: DrainOutcome | undefined): boolean {
  if (d === undefined) return false;
  const changes = d.daemonChanges.map((c) => `${c.op} ${c.reason}`);
  return (
    d.whileDraining.activeConns === 1 &&
    d.repliesWhileDraining > 0 &&
    d.heldConnectionServers.length === 1 &&
    d.heldConnectionServers[0] === d.drainedServer &&
    Object.keys(d.newConnections).length > 0 &&
    d.newConnections[d.drainedServer] === undefined &&
    d.newConnectionErrors === 0 &&
    d.beforeClose?.weight === 0 &&
    d.closed?.reason === 'stopped' &&
    changes.includes('edit-destination drain') &&
    changes.at(-1) === 'delete-destination drained'
  );
}

/** One stream name server per real server, in parallel; resolves when all are listening. */
async function startStreamServers(topology: LabTopology, nodePath: string): Promise<void> {
  const servers = await Promise.all(
    topology.realServers.map((n: LabNode) =>
      topology.spawn(n.namespace, {
        name: `${n.name} stream server`,
        file: nodePath,
        args: [STREAM_NAME_SERVER_ENTRY, '--name', n.name, '--listen', `0.0.0.0:${LAB_STREAM_PORT}`, '--exit-on-stdin-eof', 'true'],
      }),
    ),
  );
  await Promise.all(servers.map((s) => s.waitForLine((line) => line.includes('"event":"ready"'), { timeoutMs: 30_000 })));
}

function lastReplySeq(events: readonly StreamEvent[]): number {
  return events.reduce((max, e) => (e.event === 'reply' && e.seq > max ? e.seq : max), -1);
}

/** Polls `probe` until it returns a value (bounded by WAIT_LIMIT_MS). */
async function waitFor<T>(probe: () => Promise<T | undefined>, clock: Clock, description: string): Promise<T> {
  const t0 = clock.now();
  while (clock.now() - t0 <= WAIT_LIMIT_MS) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(clock, POLL_MS);
  }
  throw new LvsdError('ERR_LAB', `${description} did not happen within ${WAIT_LIMIT_MS} ms`);
}

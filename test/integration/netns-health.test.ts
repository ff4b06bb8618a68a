/**
 * Health checks from a director namespace to real servers in their own namespaces (host kernel, the
 * lab topology): HTTP, TCP and ICMP against live servers, a silent address (connect timeout, no echo
 * reply), an unreachable route, and the scheduler end to end: a real server whose service stops
 * leaves, named by the failing check, while the other stays. The probing process must end by itself.
 */
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { systemClock } from '../../src/core/clock.js';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { silentLogger } from '../../src/core/logger.js';
import { createChildProcessSpawner } from '../../src/lab/lab-process.js';
import { createTopology, type LabTopology } from '../../src/lab/topology.js';
import type { CheckResult } from '../../health/checker.js';
import type { CheckSpec } from '../../health/check-spec.js';
import type { CheckTiming } from '../../health/hysteresis.js';
import type { HealthEvent } from '../../health/scheduler.js';
import { requirePrereqs } from '../support/prereqs.js';

const gate = requirePrereqs(['root', 'netns', 'ip', 'sysctl']);
const PROBE_ENTRY = fileURLToPath(new URL('../fixtures/health/health-probe-main.js', import.meta.url));

async function withTopology(t: ExecutionContext, body: (topology: LabTopology, director: string) => Promise<void>): Promise<void> {
  const topology = await createTopology(
    { directorCount: 1, realServerCount: 2, hasClient: false },
    { runner: createProcessRunner(), spawner: createChildProcessSpawner(systemClock), logger: silentLogger, nodePath: process.execPath },
  );
  t.teardown(async () => {
    await topology.teardown();
  });
  await body(topology, topology.node('director-1').namespace);
  const report = await topology.teardown();
  t.deepEqual(report.remainingNamespaces, []);
}

async function checkIn(topology: LabTopology, namespace: string, spec: CheckSpec, address: string, port: number, timeoutMs: number): Promise<CheckResult> {
  const run = await topology.execChecked(namespace, process.execPath, [PROBE_ENTRY, 'check', JSON.stringify({ spec, address, port, timeoutMs })], { timeoutMs: 15_000 });
  return JSON.parse(run.stdout) as CheckResult;
}

gate.serial('netns: checks from the director reach real servers; silence, refusal and an unreachable route are each named', async (t) => {
  await withTopology(t, async (topology, director) => {
    const rs1 = topology.node('rs-1').address.text;
    t.like(await checkIn(topology, director, { kind: 'http', bodyPattern: { source: '^rs-1$', flags: 'm' } }, rs1, 80, 2000), { ok: true, detail: 'status 200' });
    t.like(await checkIn(topology, director, { kind: 'tcp' }, rs1, 81, 2000), { ok: false, reason: 'connect-refused' });
    t.like(await checkIn(topology, director, { kind: 'icmp' }, rs1, 0, 2000), { ok: true, detail: 'echo reply' });
    // Nobody has 192.0.2.99 on the lab bridge: ARP goes unanswered, so SYNs and echoes are never sent.
    t.like(await checkIn(topology, director, { kind: 'tcp' }, '192.0.2.99', 80, 500), { ok: false, reason: 'connect-timeout', detail: 'no TCP connection within 500 ms' });
    t.like(await checkIn(topology, director, { kind: 'icmp' }, '192.0.2.99', 0, 500), { ok: false, reason: 'reply-timeout' });
    await topology.ipBatch(director, ['route add unreachable 192.0.2.200/32']);
    t.like(await checkIn(topology, director, { kind: 'tcp' }, '192.0.2.200', 80, 2000), { ok: false, reason: 'host-unreachable' });
    t.like(await checkIn(topology, director, { kind: 'icmp' }, '192.0.2.200', 0, 2000), { ok: false, reason: 'host-unreachable' });
  });
});

gate.serial('netns: the scheduler takes out the real server whose service stopped, names the check, keeps the other', async (t) => {
  await withTopology(t, async (topology, director) => {
    const timing: CheckTiming = { intervalMs: 300, fastIntervalMs: 100, downIntervalMs: 300, timeoutMs: 300, rise: 2, fall: 2, isAlpha: false };
    const realServers = topology.realServers.map((rs) => ({
      id: `vs 192.0.2.1:80 -> ${rs.name}`,
      address: rs.address.text,
      port: 80,
      weight: 10,
      // HTTP only: this test is about the check of the service that stops. (ICMP has its own test above;
      // with it here, CI showed ICMP probes timing out now and then between healthy namespaces, which
      // is an open question recorded in issue 5, not something to assert around.)
      checks: [{ check: { kind: 'http', bodyPattern: { source: rs.name } }, timing }],
    }));
    const prober = await topology.spawn(director, { name: 'health prober', file: process.execPath, args: [PROBE_ENTRY, 'schedule', JSON.stringify({ realServers, durationMs: 4000 })] });
    await prober.waitForLine((l) => l.includes('"first-round-complete"'), { timeoutMs: 10_000 });
    const rs1Server = topology.processes().find((p) => p.name === 'rs-1 http server');
    if (rs1Server === undefined) throw new Error('no http server on rs-1');
    await rs1Server.stop(1000);
    const exit = await prober.exited;
    t.deepEqual(exit, { exitCode: 0, signal: null }, 'the prober ended by itself: nothing left open');
    const lines = prober.lines('stdout').map((l) => JSON.parse(l) as HealthEvent | { type: 'stopped'; snapshot: { realServers: { id: string; isUp: boolean }[] } });
    // rs-1 is stopped after the first round; look at what happened from then on. (Seen in CI: right
    // after start, probes to a fresh namespace can time out for a few hundred ms and flap a healthy
    // server; that is start-up, before the round this test waits for.)
    const afterFirstRound = lines.slice(lines.findIndex((e) => e.type === 'first-round-complete') + 1);
    const down = afterFirstRound.find((e): e is Extract<HealthEvent, { type: 'real-server-changed' }> => e.type === 'real-server-changed' && !e.isUp && e.realServerId.endsWith('rs-1'));
    t.is(down?.realServerId, 'vs 192.0.2.1:80 -> rs-1');
    t.like(down?.cause, { kind: 'check', probe: { kind: 'http', target: '192.0.2.21:80' }, change: { cause: 'fall', count: 2, result: { ok: false } } });
    // The stopped service refuses connections; on a loaded 2-core CI host the 300 ms check timeout can
    // expire before the refusal is seen (observed once in CI): both are the connection failing.
    const reason = down?.cause.kind === 'check' && !down.cause.change.result.ok ? down.cause.change.result.reason : undefined;
    t.true(reason === 'connect-refused' || reason === 'connect-timeout', `a connection failure, got ${String(reason)}`);
    t.deepEqual(down?.destination, { isPresent: false, weight: 0 });
    const stopped = lines.at(-1);
    if (stopped?.type !== 'stopped') throw new Error('no final snapshot');
    t.deepEqual(stopped.snapshot.realServers.map((r) => `${r.id}:${r.isUp}`), ['vs 192.0.2.1:80 -> rs-1:false', 'vs 192.0.2.1:80 -> rs-2:true']);
  });
});

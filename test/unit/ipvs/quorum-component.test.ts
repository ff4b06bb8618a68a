import test from 'ava';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { createMemoryLogger } from '../../../src/core/logger.js';
import type { CommandRunner, CommandSpec } from '../../../src/core/command-runner.js';
import { MemoryIpvsClient } from '../../../src/ipvs/memory-ipvs-client.js';
import { createIpvsReconciler, type OwnershipStore } from '../../../src/ipvs/ipvs-reconciler.js';
import { readIpvsTable } from '../../../src/ipvs/ipvs-client.js';
import { formatDestinationKey } from '../../../src/ipvs/model.js';
import { createQuorumComponent } from '../../../src/ipvs/quorum-component.js';
import type { RealServerHealth } from '../../../src/ipvs/desired-table.js';
import { parseYamlConfig } from '../../../config/yaml-source.js';
import { validateConfig } from '../../../config/validate.js';
import type { IpvsConfig } from '../../../config/schema-ipvs.js';

function ipvsConfig(yaml: string): IpvsConfig {
  const r = validateConfig(parseYamlConfig(yaml, 't.yaml'));
  if (r.config === undefined) throw new Error(JSON.stringify(r.issues));
  return r.config.ipvs;
}

/** Three real servers of weight 1; quorum 2 with hysteresis 1: lost below 1 (at 0), regained at 3. */
const WEB = `ipvs:
  drainTimeout: 0s
  virtualServers:
    - address: 192.0.2.50
      port: 80
      scheduler: rr
      forwarding: dr
      quorum: { weight: 2, hysteresis: 1 }
      notify: { quorumUp: /usr/bin/vs-up, quorumDown: "/usr/bin/vs-down now", isRunAtStop: true }
      sorryServer: { address: 192.0.2.99 }
      realServers:
        - { address: 192.0.2.21, healthChecks: [{ type: tcp }], notify: { down: /usr/bin/rs-down 21, up: /usr/bin/rs-up 21 } }
        - { address: 192.0.2.22, healthChecks: [{ type: tcp }] }
        - { address: 192.0.2.23, healthChecks: [{ type: tcp }] }
`;

/** A working runner for tests: records argv, exits 0 (or as told), never spawns. */
function recordingRunner(exitCodes: Record<string, number> = {}): CommandRunner & { argvs: string[] } {
  const argvs: string[] = [];
  return {
    argvs,
    run: async (spec: CommandSpec) => {
      argvs.push([spec.file, ...spec.args].join(' '));
      return { exitCode: exitCodes[spec.file] ?? 0, signal: null, stdout: '', stderr: '', isTimedOut: false, isAborted: false, isOutputTruncated: false, durationMs: 1 };
    },
  };
}

function world() {
  const clock = new FakeClock();
  const logger = createMemoryLogger();
  const runner = recordingRunner();
  const verdicts = new Map<string, RealServerHealth>();
  const health = (id: string): RealServerHealth | undefined => verdicts.get(id);
  const config = ipvsConfig(WEB);
  const quorum = createQuorumComponent(config, { logger, runner, health });
  const kernel = new MemoryIpvsClient();
  let saved: readonly string[] = [];
  const ownership: OwnershipStore = { load: async () => saved, save: async (o) => void (saved = o) };
  const ipvs = createIpvsReconciler(config, {
    clock,
    logger,
    openClient: async () => kernel,
    sysctl: { read: async () => '1', write: async () => undefined },
    ownership,
    health,
    quorum: quorum.view,
  });
  /** As the health component does: change the view, tell the quorum at once, then run an IPVS round. */
  const setHealth = async (host: string, isUp: boolean): Promise<void> => {
    verdicts.set(`tcp 192.0.2.50:80 -> 192.0.2.${host}:80`, isUp ? { isUp, isPresent: true, weight: 1 } : { isUp, isPresent: false, weight: 0 });
    quorum.refresh();
    await ipvs.reconcile('health');
  };
  const table = async (): Promise<string[]> => (await readIpvsTable(kernel))[0]?.destinations.map((d) => `${formatDestinationKey(d.destination.key)} w${d.destination.weight}`) ?? [];
  return { clock, logger, runner, quorum, ipvs, setHealth, table };
}

test('lose enough servers and the sorry server takes over (quorum_down runs); regain past the hysteresis and it leaves (quorum_up runs)', async (t) => {
  const w = world();
  const signal = new AbortController().signal;
  await w.quorum.start(signal);
  await w.ipvs.start(signal);
  t.deepEqual(await w.table(), ['192.0.2.21:80 w1', '192.0.2.22:80 w1', '192.0.2.23:80 w1']);
  await w.setHealth('21', false);
  await w.setHealth('22', false);
  t.deepEqual(await w.table(), ['192.0.2.23:80 w1'], 'live weight 1 is within the band (>= 2 - 1): quorum holds');
  await w.setHealth('23', false);
  t.deepEqual(await w.table(), ['192.0.2.99:80 w1'], 'live weight 0: quorum lost, the sorry server serves');
  await w.setHealth('21', true);
  await w.setHealth('22', true);
  t.deepEqual(await w.table(), ['192.0.2.99:80 w1'], 'live weight 2 is below 2 + 1: still without quorum, the live servers stay out');
  await w.setHealth('23', true);
  t.deepEqual(await w.table(), ['192.0.2.21:80 w1', '192.0.2.22:80 w1', '192.0.2.23:80 w1'], 'quorum regained: the real servers return, the sorry server leaves');
  await w.quorum.stop();
  t.deepEqual(w.runner.argvs, [
    '/usr/bin/rs-down 21',
    '/usr/bin/vs-down now',
    '/usr/bin/rs-up 21',
    '/usr/bin/vs-up',
    // omega, at stop: notify_down of the live real servers (21 has one), then quorum_down.
    '/usr/bin/rs-down 21',
    '/usr/bin/vs-down now',
  ]);
  t.deepEqual(w.logger.entries.filter((e) => e.message.startsWith('virtual service quorum')).map((e) => [e.message, e.fields['liveWeight'], e.fields['thresholdWeight']]), [
    ['virtual service quorum lost', 0, 1],
    ['virtual service quorum gained', 3, 3],
  ]);
  t.like(w.quorum.snapshot(), { changes: 2, scripts: { submitted: 6, failed: 0, pending: 0 } });
  await w.ipvs.stop();
});

test('a failing script is logged with the reason and its exit code, and the next one still runs', async (t) => {
  const logger = createMemoryLogger();
  const runner = recordingRunner({ '/usr/bin/vs-down': 3 });
  let isUp = true;
  const quorum = createQuorumComponent(ipvsConfig(WEB), { logger, runner, health: () => ({ isUp, isPresent: isUp, weight: isUp ? 1 : 0 }) });
  await quorum.start(new AbortController().signal);
  isUp = false;
  quorum.refresh();
  await quorum.stop();
  t.deepEqual(runner.argvs.slice(0, 2), ['/usr/bin/rs-down 21', '/usr/bin/vs-down now']);
  const failed = logger.entries.find((e) => e.message === 'notify script failed');
  t.like(failed?.fields, { vs: 'tcp 192.0.2.50:80', reason: 'quorum lost', exitCode: 3, command: '/usr/bin/vs-down now' });
  t.like(quorum.snapshot(), { scripts: { failed: 2 } }, 'quorum_down failed twice: on the loss and at stop (omega)');
});

test('before start nothing is judged or run; refresh while stopped does nothing', async (t) => {
  const runner = recordingRunner();
  const quorum = createQuorumComponent(ipvsConfig(WEB), { logger: createMemoryLogger(), runner, health: () => ({ isUp: false, isPresent: false, weight: 0 }) });
  quorum.refresh();
  t.is(quorum.view('tcp 192.0.2.50:80'), undefined);
  await quorum.start(new AbortController().signal);
  t.false(quorum.view('tcp 192.0.2.50:80'));
  await quorum.stop();
  t.deepEqual(runner.argvs, ['/usr/bin/vs-down now', '/usr/bin/vs-down now'], 'started without quorum (with a sorry server), then omega at stop');
  quorum.refresh();
  t.is(runner.argvs.length, 2);
});

test('a real server\'s change re-evaluates its own service only; the others keep their verdicts and memory', async (t) => {
  const many = `ipvs:
  virtualServers:
${Array.from({ length: 3 }, (_, i) => `    - address: 192.0.2.${50 + i}
      port: 80
      scheduler: rr
      quorum: { weight: 2 }
      realServers:
        - { address: 192.0.2.21, healthChecks: [{ type: tcp }] }
        - { address: 192.0.2.22, healthChecks: [{ type: tcp }] }
`).join('')}`;
  const verdicts = new Map<string, RealServerHealth>();
  const asked: string[] = [];
  const health = (id: string): RealServerHealth | undefined => {
    asked.push(id);
    return verdicts.get(id);
  };
  const quorum = createQuorumComponent(ipvsConfig(many), { logger: createMemoryLogger(), runner: recordingRunner(), health });
  await quorum.start(new AbortController().signal);
  const id = 'tcp 192.0.2.51:80 -> 192.0.2.21:80';
  verdicts.set(id, { isUp: false, isPresent: false, weight: 0 });
  asked.length = 0;
  quorum.refresh(id);
  t.true(asked.length > 0);
  t.true(asked.every((a) => a.startsWith('tcp 192.0.2.51:80 ')), asked.join(', '));
  const services = (quorum.snapshot() as { services: { vs: string; hasQuorum: boolean }[] }).services;
  t.deepEqual(services.map((s) => `${s.vs} ${s.hasQuorum}`), ['tcp 192.0.2.50:80 true', 'tcp 192.0.2.51:80 false', 'tcp 192.0.2.52:80 true']);
  // Without an id (a reload, say): every service.
  asked.length = 0;
  quorum.refresh();
  t.deepEqual(new Set(asked.map((a) => a.split(' -> ')[0])), new Set(['tcp 192.0.2.50:80', 'tcp 192.0.2.51:80', 'tcp 192.0.2.52:80']));
  await quorum.stop();
});

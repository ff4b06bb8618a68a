import test from 'ava';
import { parseIpAddress } from '../../../src/core/ip.js';
import type { LabNode } from '../../../src/lab/topology-plan.js';
import { analyzeProbes } from '../../../src/lab/probe-analysis.js';
import type { ProbeRecord } from '../../../src/lab/prober.js';
import { areRealServersServing, destinationWeights, isQuorumHandled, isSorryServing, type QuorumPhaseOutcome } from '../../../src/lab/scenarios/quorum-sorry-server.js';
import { labQuorumFields } from '../../../src/lab/scenarios/lab-ipvs-config.js';
import { validateConfig } from '../../../config/validate.js';
import { planQuorum } from '../../../src/ipvs/quorum-plan.js';

const address = parseIpAddress('10.99.0.24');
if (!address.ok) throw new Error(address.error);
const SORRY: LabNode = { name: 'rs-4', role: 'real-server', index: 4, namespace: 'lvsdlab-x-rs-4', switchPort: 'x', address: address.value };

const LISTING = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  192.0.2.50:80 rr
  -> 10.99.0.23:80                Route   0      0          7
  -> 10.99.0.24:80                Route   1      0          0
`;

test('ipvsadm -Ln destinations and weights; who takes new connections', (t) => {
  const w = destinationWeights(LISTING);
  t.deepEqual([...w], [['10.99.0.23:80', 0], ['10.99.0.24:80', 1]]);
  t.true(isSorryServing(w, '10.99.0.24:80'), 'the sorry server alone has weight; 23 drains at 0');
  t.false(isSorryServing(new Map([['10.99.0.24:80', 1], ['10.99.0.23:80', 1]]), '10.99.0.24:80'));
  t.false(areRealServersServing(w, ['10.99.0.21:80', '10.99.0.23:80'], '10.99.0.24:80'));
  t.true(areRealServersServing(new Map([['10.99.0.21:80', 1], ['10.99.0.23:80', 1], ['10.99.0.24:80', 0]]), ['10.99.0.21:80', '10.99.0.23:80'], '10.99.0.24:80'));
});

test('the lab\'s quorum fields validate and their scripts run /bin/sh without lvsd spawning a shell itself', (t) => {
  const vs = { address: '192.0.2.50', port: 80, forwarding: 'dr', realServers: [{ address: '10.99.0.21', port: 80 }], ...labQuorumFields(SORRY, 80, '/tmp/lvsd-lab/quorum.log') };
  const r = validateConfig({ syntax: 'yaml', file: 'lab.yaml', data: { ipvs: { virtualServers: [vs] } }, locate: () => ({ file: 'lab.yaml', line: 0, column: 0 }), issues: [] });
  t.deepEqual(r.issues.filter((i) => i.severity === 'error'), []);
  if (r.config === undefined) return;
  // One real server of weight 1 < quorum 2: starting without quorum, with a sorry server, runs quorum_down.
  t.deepEqual(planQuorum(r.config.ipvs, undefined, undefined).events.map((e) => e.argv), [['/bin/sh', '-c', 'echo down >> /tmp/lvsd-lab/quorum.log']]);
});

const okRecords = (servers: readonly string[]): ProbeRecord[] =>
  servers.map((server, seq) => ({ seq, startMs: seq, durationMs: 1, outcome: 'ok', server, status: 200 }));

test('the phase is handled only with the sorry server alone while lost, real servers after, and the scripts in order', (t) => {
  const outcome: QuorumPhaseOutcome = {
    sorryInAfterMs: 900,
    sorryOutAfterMs: 700,
    tableWhileLost: [],
    tableAfterRegain: [],
    whileLost: analyzeProbes(okRecords(['rs-4', 'rs-4'])),
    afterRegain: analyzeProbes(okRecords(['rs-1', 'rs-3'])),
    scriptLines: ['down', 'down', 'up', 'up'],
    sorryServer: 'rs-4',
  };
  t.true(isQuorumHandled(outcome, 2));
  t.false(isQuorumHandled(outcome, 1), 'one director runs each script once');
  t.false(isQuorumHandled({ ...outcome, whileLost: analyzeProbes(okRecords(['rs-4', 'rs-3'])) }, 2), 'a real server answered while quorum was lost');
  t.false(isQuorumHandled({ ...outcome, afterRegain: analyzeProbes(okRecords(['rs-1', 'rs-4'])) }, 2), 'the sorry server answered after quorum was back');
  t.false(isQuorumHandled({ ...outcome, scriptLines: ['down', 'up', 'down', 'up'] }, 2));
  t.false(isQuorumHandled(undefined, 2));
});

test('the quorum scenario option needs daemons and 4 real servers; the sorry server is in the config but not among the rules ipvsadm must show at start', async (t) => {
  const { parseTrafficThroughVipOptions } = await import('../../../src/lab/scenarios/traffic-through-vip-options.js');
  const { ipvsadmRestoreInput, labIpvsConfig } = await import('../../../src/lab/scenarios/lab-ipvs-config.js');
  const daemons = { lvsdBin: '/x/bin/lvsd.js', configDir: '/tmp/lvsd-lab' };
  t.deepEqual(parseTrafficThroughVipOptions({ isQuorumLost: true }), { ok: false, error: 'isQuorumLost needs daemons: lvsd runs the health checks and the quorum' });
  t.false(parseTrafficThroughVipOptions({ isQuorumLost: true, daemons, realServerCount: 3 }).ok);
  const r = parseTrafficThroughVipOptions({ isQuorumLost: true, daemons, realServerCount: 4 });
  t.true(r.ok && r.value.isQuorumLost === true);
  const spec = { port: 80, scheduler: 'rr', forwarding: 'dr' as const, isHealthChecked: true, quorum: { sorry: SORRY, scriptLog: '/tmp/q.log' } };
  const serving = [{ ...SORRY, name: 'rs-1', address: (parseIpAddress('10.99.0.21') as { ok: true; value: LabNode['address'] }).value }];
  t.deepEqual(ipvsadmRestoreInput(spec, serving).trim().split('\n'), ['-A -t 192.0.2.50:80 -s rr', '-a -t 192.0.2.50:80 -r 10.99.0.21:80 -g -w 1']);
  t.like(labIpvsConfig(spec, serving), { ipvs: { virtualServers: [{ quorum: { weight: 2, hysteresis: 0 }, sorryServer: { address: '10.99.0.24', port: 80 }, realServers: [{ address: '10.99.0.21' }] }] } });
});

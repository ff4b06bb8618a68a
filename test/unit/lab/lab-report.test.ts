import test from 'ava';
import { formatLabReport } from '../../../src/lab/lab-report.js';
import { analyzeProbes } from '../../../src/lab/probe-analysis.js';
import type { TrafficThroughVipResult } from '../../../src/lab/scenarios/traffic-through-vip.js';

const records = [
  { seq: 0, startMs: 0, durationMs: 5, outcome: 'ok' as const, server: 'rs-1', status: 200 },
  { seq: 1, startMs: 20, durationMs: 2000, outcome: 'timeout' as const },
  { seq: 2, startMs: 2020, durationMs: 4, outcome: 'ok' as const, server: 'rs-2', status: 200 },
];

const RESULT: TrafficThroughVipResult = {
  scenario: 'traffic-through-vip',
  isOk: false,
  timeline: [
    { atMs: 6, step: 'ipvs-loaded', detail: 'ip_vs_rr ip_vs' },
    { atMs: 710, step: 'topology-created', detail: '5 namespaces' },
  ],
  summary: analyzeProbes(records),
  records,
  expectedServers: ['rs-1', 'rs-2', 'rs-3'],
  vip: '192.0.2.50',
  scheduler: 'rr',
  forwarding: 'nat',
  nodes: [
    { name: 'director-1', role: 'director', namespace: 'lvx-d1', address: '192.0.2.11' },
    { name: 'rs-1', role: 'real-server', namespace: 'lvx-r1', address: '192.0.2.21' },
    { name: 'client', role: 'client', namespace: 'lvx-c', address: '192.0.2.100' },
  ],
  ipvsModules: ['ip_vs_rr', 'ip_vs'],
  ipvsServices: [
    {
      protocol: 'TCP',
      address: '192.0.2.50:80',
      conns: 3,
      inPkts: 10,
      outPkts: 0,
      inBytes: 600,
      outBytes: 0,
      destinations: [{ address: '192.0.2.21:80', conns: 3, inPkts: 10, outPkts: 0, inBytes: 600, outBytes: 0 }],
    },
  ],
  ipvsStatsText: '',
  ipvsConnectionsByDestination: {},
  daemons: [{ name: 'lvsd director-1', exit: 'exit code 0', stderrTail: [], notes: ['11:47:28.100 warn event loop stalled stalledMs=640'] }],
  teardown: { stoppedProcesses: [{ name: 'rs-1 http server', exit: 'exit code 0' }], remainingNamespaces: [], errors: [] },
};

test('the report shows verdict, timings, timeline, probes, IPVS, daemons and teardown', (t) => {
  const text = formatLabReport({ scenario: 'traffic-through-vip', result: RESULT, uml: { exitCode: 1, durationMs: 9876, bootMs: 1810, jobMs: 7000 }, stderrTail: '' });
  const lines = text.split('\n');
  t.is(lines[0], 'lvsd lab: traffic-through-vip: FAILED');
  t.is(lines[1], 'UML: boot 1.8 s, scenario 7.0 s, total 9.9 s (scenario exit code 1)');
  t.true(lines.includes('Topology: 1 director(s), 1 real server(s), 1 client; VIP 192.0.2.50, scheduler rr, forwarding nat'));
  t.true(lines.includes('        6 ms  ipvs-loaded            ip_vs_rr ip_vs'));
  t.true(lines.includes('Probes: 2/3 ok (66.7%) over 2024 ms'));
  t.true(lines.includes('  by server: rs-1 1, rs-2 1, rs-3 0'));
  t.true(lines.includes('  longest failure gap: 1 probe(s), 2000 ms (seq 1-1)'));
  t.true(lines.includes('  outcomes: ok 2, timeout 1'));
  t.true(lines.includes('    -> 192.0.2.21:80  conns 3  inPkts 10'));
  t.true(lines.includes('  lvsd director-1: exit code 0'));
  t.true(lines.includes('    11:47:28.100 warn event loop stalled stalledMs=640'));
  t.true(lines.includes('Teardown: 1 process(es) stopped, 0 namespace(s) left'));
});

test('a drain phase gets its own lines', (t) => {
  const drain = {
    drainedServer: 'rs-2',
    drainedDestination: '192.0.2.22:7000',
    weightZeroAfterMs: 180,
    whileDraining: { address: '192.0.2.22:7000', forward: 'Masq', weight: 0, activeConns: 1, inactiveConns: 0 },
    repliesWhileDraining: 42,
    heldConnectionServers: ['rs-2'],
    newConnections: { 'rs-1': 2, 'rs-3': 2 },
    newConnectionErrors: 0,
    beforeClose: { address: '192.0.2.22:7000', forward: 'Masq', weight: 0, activeConns: 1, inactiveConns: 0 },
    closed: { event: 'closed' as const, sent: 60, received: 60, reason: 'stopped' as const, atMs: 6000 },
    deletedAfterCloseMs: 900,
    daemonChanges: [{ op: 'add-destination', reason: 'missing', weight: 1 }, { op: 'edit-destination', reason: 'drain', weight: 0 }, { op: 'delete-destination', reason: 'drained', weight: 0 }],
  };
  const text = formatLabReport({ scenario: 'drain', result: { ...RESULT, drain }, uml: { exitCode: 0, durationMs: 9876 }, stderrTail: '' });
  const lines = text.split('\n');
  const at = lines.indexOf('Drain of rs-2 (192.0.2.22:7000), which held the client\'s connection');
  t.true(at > 0, text);
  t.deepEqual(lines.slice(at + 1, at + 6), [
    '  after SIGHUP: weight 0, ActiveConn 1 within 180 ms',
    '  held connection: 42 replies while draining, from rs-2',
    '  new connections: rs-1 2, rs-3 2; 0 failed',
    '  before the close: weight 0, ActiveConn 1; closed: 60 sent, 60 answered',
    '  deleted 900 ms after the close; lvsd: add-destination missing, edit-destination drain, delete-destination drained',
  ]);
});

test('without a result the report says so and shows the scenario stderr', (t) => {
  const text = formatLabReport({ scenario: 'traffic-through-vip', result: undefined, uml: { exitCode: 2, durationMs: 3000 }, stderrTail: 'invalid options: x\n' });
  t.is(text, 'lvsd lab: traffic-through-vip: FAILED\nUML: total 3.0 s (scenario exit code 2)\n\nThe scenario produced no result.\nstderr (tail):\n  invalid options: x\n');
});

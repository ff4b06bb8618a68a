import test from 'ava';
import { parseYamlConfig } from '../../../config/yaml-source.js';
import { validateConfig } from '../../../config/validate.js';
import type { IpvsConfig } from '../../../config/schema-ipvs.js';
import { stepQuorum } from '../../../src/ipvs/quorum.js';
import { desiredIpvsTable, type HealthView, type RealServerHealth } from '../../../src/ipvs/desired-table.js';
import { planQuorum, planStopScripts } from '../../../src/ipvs/quorum-plan.js';

function ipvsConfig(yaml: string): IpvsConfig {
  const r = validateConfig(parseYamlConfig(yaml, 't.yaml'));
  if (r.config === undefined) throw new Error(JSON.stringify(r.issues));
  return r.config.ipvs;
}

// keepalived's rule: gain at >= quorum + hysteresis, lose below quorum - hysteresis or at 0.
const steps: ReadonlyArray<readonly [boolean | undefined, number, number, number, boolean, string | undefined, number]> = [
  // had, liveWeight, quorum, hysteresis -> hasQuorum, change, threshold
  [undefined, 3, 3, 0, true, undefined, 3],
  [undefined, 2, 3, 0, false, undefined, 3],
  [undefined, 3, 3, 1, false, undefined, 4], // at start the upper threshold applies (set_quorum_states)
  [true, 2, 3, 1, true, undefined, 2], // within the band: holds
  [true, 1, 3, 1, false, 'lost', 2],
  [false, 3, 3, 1, false, undefined, 4], // within the band: stays lost
  [false, 4, 3, 1, true, 'gained', 4],
  [true, 0, 1, 5, false, 'lost', -4], // a threshold at or below 0 still loses at a sum of 0
  [true, 1, 1, 5, true, undefined, -4],
  [false, 6, 1, 5, true, 'gained', 6],
];

for (const [had, live, weight, hysteresis, hasQuorum, change, threshold] of steps) {
  test(`stepQuorum: had ${String(had)}, live ${live}, quorum ${weight}, hysteresis ${hysteresis} -> ${hasQuorum ? 'up' : 'down'}${change === undefined ? '' : ` (${change})`}`, (t) => {
    t.deepEqual(stepQuorum(had, live, { weight, hysteresis }), { hasQuorum, thresholdWeight: threshold, ...(change === undefined ? {} : { change }) });
  });
}

const WEB = `ipvs:
  virtualServers:
    - address: 192.0.2.50
      port: 80
      quorum: { weight: 3, hysteresis: 1 }
      notify: { quorumUp: /bin/up "web vs", quorumDown: /bin/down }
      sorryServer: { address: 192.0.2.99, port: 8080, weight: 5 }
      realServers:
        - { address: 192.0.2.21, weight: 2, healthChecks: [{ type: tcp }], notify: { up: /bin/rs-up 21, down: /bin/rs-down 21 } }
        - { address: 192.0.2.22, weight: 2, healthChecks: [{ type: tcp }] }
        - { address: 192.0.2.23, isInhibitedOnFailure: true, healthChecks: [{ type: tcp }] }
        - { address: 192.0.2.24 }
`;

const UP: RealServerHealth = { isUp: true, isPresent: true, weight: 2 };
const DOWN: RealServerHealth = { isUp: false, isPresent: false, weight: 0 };
const INHIBITED: RealServerHealth = { isUp: false, isPresent: true, weight: 0 };

/** Health by last address byte; absent ones are unknown (count as configured). */
function health(byHost: Record<string, RealServerHealth>): HealthView {
  return (id) => byHost[id.slice(id.lastIndexOf('.') + 1, id.lastIndexOf(':'))];
}

const rows = (table: ReturnType<typeof desiredIpvsTable>): string[] =>
  (table[0]?.destinations ?? []).map((d) => `${d.key.address.text}:${d.key.port} w${d.weight}`);

test('with quorum the real servers serve; without it the sorry server replaces the live ones, failed ones go at once, inhibited ones stay at weight 0', (t) => {
  const config = ipvsConfig(WEB);
  const allUp = health({ '21': UP, '22': UP, '23': { isUp: true, isPresent: true, weight: 1 } });
  t.deepEqual(rows(desiredIpvsTable(config, allUp, () => true)), ['192.0.2.21:80 w2', '192.0.2.22:80 w2', '192.0.2.23:80 w1', '192.0.2.24:80 w1']);
  const lost = health({ '21': DOWN, '22': UP, '23': INHIBITED });
  const table = desiredIpvsTable(config, lost, () => false);
  t.deepEqual(rows(table), ['192.0.2.23:80 w0', '192.0.2.99:8080 w5'], 'live 22 and unchecked 24 leave (drained by the planner); 23 keeps weight 0');
  t.deepEqual(table[0]?.failedDestinations?.map((k) => k.address.text), ['192.0.2.21'], 'the failed one is deleted at once');
});

test('without memory the table judges quorum afresh (the upper threshold); without a sorry server losing quorum changes nothing', (t) => {
  const config = ipvsConfig(WEB);
  // live weight 2 (22) + 1 (24) = 3 < 3 + 1: no quorum at start.
  t.deepEqual(rows(desiredIpvsTable(config, health({ '21': DOWN, '22': UP, '23': DOWN }))), ['192.0.2.99:8080 w5']);
  const noSorry = ipvsConfig(WEB.replace('      sorryServer: { address: 192.0.2.99, port: 8080, weight: 5 }\n', ''));
  t.deepEqual(rows(desiredIpvsTable(noSorry, health({ '21': DOWN, '22': UP, '23': INHIBITED }), () => false)), ['192.0.2.22:80 w2', '192.0.2.23:80 w0', '192.0.2.24:80 w1']);
});

test('a sorry server with isInhibitedOnFailure (sorry_server_inhibit) waits in the table with weight 0', (t) => {
  const config = ipvsConfig(WEB.replace('weight: 5 }', 'weight: 5, isInhibitedOnFailure: true }'));
  t.deepEqual(rows(desiredIpvsTable(config, undefined, () => true)).at(-1), '192.0.2.99:8080 w0');
  t.deepEqual(rows(desiredIpvsTable(config, undefined, () => false)), ['192.0.2.23:80 w0', '192.0.2.99:8080 w5']);
});

test('a sorry server that is also a real server appears once', (t) => {
  const config = ipvsConfig(WEB.replace('address: 192.0.2.99, port: 8080', 'address: 192.0.2.24, port: 80'));
  t.deepEqual(rows(desiredIpvsTable(config, health({ '21': DOWN, '22': DOWN, '23': DOWN }), () => false)), ['192.0.2.24:80 w5']);
  t.deepEqual(rows(desiredIpvsTable(config, health({ '21': UP, '22': UP, '23': UP }), () => true)), ['192.0.2.21:80 w2', '192.0.2.22:80 w2', '192.0.2.23:80 w2', '192.0.2.24:80 w1']);
});

test('planQuorum: nothing runs at start with quorum; real-server scripts then quorum scripts, in keepalived\'s order, with no argument added', (t) => {
  const config = ipvsConfig(WEB);
  const start = planQuorum(config, health({}), undefined);
  t.deepEqual(start.events, []);
  t.like(start.services[0], { vs: 'tcp 192.0.2.50:80', hasQuorum: true, liveWeight: 6, thresholdWeight: 4 });
  const lost = planQuorum(config, health({ '21': DOWN, '22': DOWN, '23': INHIBITED }), start.memory); // live 1 (24) < 3 - 1
  t.deepEqual(lost.events, [
    { kind: 'real-server', vs: 'tcp 192.0.2.50:80', rs: '192.0.2.21:80', isUp: false, isStopping: false, argv: ['/bin/rs-down', '21'] },
    { kind: 'real-server', vs: 'tcp 192.0.2.50:80', rs: '192.0.2.22:80', isUp: false, isStopping: false },
    { kind: 'real-server', vs: 'tcp 192.0.2.50:80', rs: '192.0.2.23:80', isUp: false, isStopping: false },
    { kind: 'quorum', vs: 'tcp 192.0.2.50:80', change: 'lost', liveWeight: 1, thresholdWeight: 2, argv: ['/bin/down'] },
  ]);
  // 21 and 23 back: live 2 + 1 + 1 = 4 = 3 + 1, gained.
  const back = planQuorum(config, health({ '21': UP, '22': DOWN, '23': { isUp: true, isPresent: true, weight: 1 } }), lost.memory);
  t.deepEqual(back.events.map((e) => [e.kind, e.kind === 'quorum' ? e.change : e.rs, e.argv]), [
    ['real-server', '192.0.2.21:80', ['/bin/rs-up', '21']],
    ['real-server', '192.0.2.23:80', undefined],
    ['quorum', 'gained', ['/bin/up', 'web vs']],
  ]);
  t.deepEqual(planQuorum(config, health({ '21': UP, '22': DOWN, '23': { isUp: true, isPresent: true, weight: 1 } }), back.memory).events, [], 'no change, nothing runs');
});

test('planQuorum: hysteresis holds the verdict inside the band in both directions', (t) => {
  const config = ipvsConfig(WEB);
  const start = planQuorum(config, health({}), undefined); // live 6
  const inBand = planQuorum(config, health({ '21': DOWN, '22': DOWN, '23': { isUp: true, isPresent: true, weight: 1 } }), start.memory); // live 2 = 3 - 1
  t.true(inBand.services[0]?.hasQuorum);
  const lost = planQuorum(config, health({ '21': DOWN, '22': DOWN, '23': DOWN }), inBand.memory); // live 1
  t.false(lost.services[0]?.hasQuorum);
  const stillLost = planQuorum(config, health({ '21': UP, '22': DOWN, '23': DOWN }), lost.memory); // live 3 < 4
  t.false(stillLost.services[0]?.hasQuorum);
  t.deepEqual(stillLost.events.filter((e) => e.kind === 'quorum'), []);
});

test('planQuorum: starting without quorum runs quorum_down only with a sorry server (keepalived)', (t) => {
  const withSorry = ipvsConfig(WEB);
  const down = health({ '21': DOWN, '22': DOWN, '23': DOWN });
  t.deepEqual(planQuorum(withSorry, down, undefined).events, [{ kind: 'quorum', vs: 'tcp 192.0.2.50:80', change: 'started-without', liveWeight: 1, thresholdWeight: 4, argv: ['/bin/down'] }]);
  const noSorry = ipvsConfig(WEB.replace('      sorryServer: { address: 192.0.2.99, port: 8080, weight: 5 }\n', ''));
  t.deepEqual(planQuorum(noSorry, down, undefined).events, []);
});

test('planStopScripts: with omega, notify_down of each live real server, then quorum_down whatever the state; without it nothing', (t) => {
  const plain = ipvsConfig(WEB);
  const memory = planQuorum(plain, health({ '22': DOWN }), undefined).memory;
  t.deepEqual(planStopScripts(plain, memory), []);
  const omega = ipvsConfig(WEB.replace('quorumDown: /bin/down }', 'quorumDown: /bin/down, isRunAtStop: true }'));
  t.deepEqual(planStopScripts(omega, memory).map((e) => [e.kind === 'quorum' ? e.change : e.rs, e.argv]), [
    ['192.0.2.21:80', ['/bin/rs-down', '21']],
    ['192.0.2.23:80', undefined],
    ['192.0.2.24:80', undefined],
    ['stopping', ['/bin/down']],
  ]);
});

test('a script line with an unbalanced quote is refused by the schema', (t) => {
  const r = validateConfig(parseYamlConfig(WEB.replace('quorumDown: /bin/down', `quorumDown: "/bin/down 'x"`), 't.yaml'));
  t.deepEqual(r.issues.map((i) => [i.path, i.severity]), [['ipvs.virtualServers[0].notify.quorumDown', 'error']]);
});

import test from 'ava';
import {
  countConnectionsByDestination,
  parseIpvsadmConnections,
  parseIpvsadmList,
  parseIpvsadmStats,
  totalConnections,
} from '../../../src/lab/ipvsadm-stats.js';

// Captured from ipvsadm 1.31 inside UML 6.1.176 (one TCP service with a DR and a NAT destination,
// a UDP persistent service and a firewall-mark service, three half-open connections).
const STATS = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
  -> RemoteAddress:Port
TCP  192.0.2.50:80                       3        3        0      180        0
  -> 192.0.2.21:80                       1        1        0       60        0
  -> 192.0.2.22:8080                     2        2        0      120        0
UDP  192.0.2.50:53                       0        0        0        0        0
FWM  7                                   0        0        0        0        0
`;

const CONNECTIONS = `IPVS connection entries
pro expire state       source             virtual            destination
TCP 00:59  SYN_RECV    192.0.2.50:49668   192.0.2.50:80      192.0.2.22:8080
TCP 00:59  SYN_RECV    192.0.2.50:49686   192.0.2.50:80      192.0.2.22:8080
TCP 00:59  SYN_RECV    192.0.2.50:49680   192.0.2.50:80      192.0.2.21:80
`;

test('parseIpvsadmStats reads services, destinations and counters', (t) => {
  const services = parseIpvsadmStats(STATS);
  t.deepEqual(
    services.map((s) => [s.protocol, s.address, s.conns, s.destinations.length]),
    [
      ['TCP', '192.0.2.50:80', 3, 2],
      ['UDP', '192.0.2.50:53', 0, 0],
      ['FWM', '7', 0, 0],
    ],
  );
  t.deepEqual(services[0]?.destinations[1], { address: '192.0.2.22:8080', conns: 2, inPkts: 2, outPkts: 0, inBytes: 120, outBytes: 0 });
  t.is(totalConnections(services), 3);
});

test('parseIpvsadmStats expands K/M/G suffixes (output without --exact)', (t) => {
  const [svc] = parseIpvsadmStats('TCP  192.0.2.50:80    12K   3M   0   4G   0\n  -> 192.0.2.21:80   5   1   0   60   0\n');
  t.is(svc?.conns, 12_000);
  t.is(svc?.inPkts, 3_000_000);
  t.is(svc?.inBytes, 4_000_000_000);
  t.is(svc?.destinations[0]?.conns, 5);
});

test('parseIpvsadmStats: empty table and destinations before any service are ignored', (t) => {
  t.deepEqual(parseIpvsadmStats('IP Virtual Server version 1.2.1 (size=4096)\n'), []);
  t.deepEqual(parseIpvsadmStats('  -> 192.0.2.21:80   5   1   0   60   0\n'), []);
});

test('parseIpvsadmConnections and counts per destination', (t) => {
  const entries = parseIpvsadmConnections(CONNECTIONS);
  t.is(entries.length, 3);
  t.deepEqual(entries[0], {
    protocol: 'TCP',
    expire: '00:59',
    state: 'SYN_RECV',
    source: '192.0.2.50:49668',
    virtual: '192.0.2.50:80',
    destination: '192.0.2.22:8080',
  });
  t.deepEqual(countConnectionsByDestination(entries), { '192.0.2.21:80': 1, '192.0.2.22:8080': 2 });
});

// From the UML ipvsadm corpus (test/fixtures/ipvsadm/goldens.json): ipvsadm 1.31 pads the counts.
const LIST = [
  'IP Virtual Server version 1.2.1 (size=4096)',
  'Prot LocalAddress:Port Scheduler Flags',
  '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  'FWM  -1 ovf',
  'TCP  192.0.2.1:80 rr',
  '  -> 172.16.1.1:80                Route   1      0          0         ',
  '  -> 192.0.2.1:81                 Masq    1      3          12        ',
  '  -> 192.0.2.22:80                Route   0      1          0         ',
  '  -> 192.0.2.23:80                Tunnel  1      0          0         ',
  'UDP  192.0.2.50:53 wlc persistent 300',
  '',
].join('\n');

test('parseIpvsadmList reads services, then each destination\'s method, weight and connections; the header is not a destination', (t) => {
  const services = parseIpvsadmList(LIST);
  t.deepEqual(services.map((s) => [s.protocol, s.address, s.scheduler, s.destinations.length]), [
    ['FWM', '-1', 'ovf', 0],
    ['TCP', '192.0.2.1:80', 'rr', 4],
    ['UDP', '192.0.2.50:53', 'wlc', 0],
  ]);
  t.deepEqual(services[1]?.destinations[1], { address: '192.0.2.1:81', forward: 'Masq', weight: 1, activeConns: 3, inactiveConns: 12 });
  t.deepEqual(services[1]?.destinations.map((d) => [d.forward, d.weight, d.activeConns]), [['Route', 1, 0], ['Masq', 1, 3], ['Route', 0, 1], ['Tunnel', 1, 0]]);
});

/** The lab scenario's readers, on output captured from arping, tcpdump -e, ip -j and grep. */
import test from 'ava';
import {
  parseArpingReplies,
  parseGrepSysctls,
  parseIpJsonLinks,
  parseIpJsonNeighbours,
  parseIpJsonRxPackets,
  parseTcpdumpFrames,
} from '../../../src/realserver/realserver-lab-checks.js';

test('arping: replies with their MACs in lower case; none when nobody answers', (t) => {
  const answered = 'ARPING 192.0.2.50 from 192.0.2.100 eth0\nUnicast reply from 192.0.2.50 [26:29:D0:09:6A:D2]  0.539ms\nUnicast reply from 192.0.2.50 [26:29:D0:09:6A:D2]  0.542ms\nSent 2 probes (1 broadcast(s))\nReceived 2 response(s)\n';
  t.deepEqual(parseArpingReplies(answered), [
    { address: '192.0.2.50', mac: '26:29:d0:09:6a:d2' },
    { address: '192.0.2.50', mac: '26:29:d0:09:6a:d2' },
  ]);
  t.deepEqual(parseArpingReplies('ARPING 192.0.2.59 from 192.0.2.100 eth0\nSent 2 probes (2 broadcast(s))\nReceived 0 response(s)\n'), []);
});

test('tcpdump -n -e: MACs and endpoints of IPv4 TCP frames; other lines ignored', (t) => {
  const text = [
    'listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes',
    '10:40:03.566146 72:e5:1e:ca:3f:60 > 5e:79:47:5f:e2:c2, ethertype IPv4 (0x0800), length 74: 192.0.2.50.80 > 192.0.2.100.41234: Flags [S.], seq 1, ack 2, win 65160, length 0',
    '10:40:03.566117 5e:79:47:5f:e2:c2 > 72:e5:1e:ca:3f:60, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.50 tell 192.0.2.100, length 28',
  ].join('\n');
  t.deepEqual(parseTcpdumpFrames(text), [
    { sourceMac: '72:e5:1e:ca:3f:60', destinationMac: '5e:79:47:5f:e2:c2', source: '192.0.2.50', sourcePort: 80, destination: '192.0.2.100', destinationPort: 41234 },
  ]);
});

test('ip -j: links with MAC, state and addresses; neighbours; rx packets', (t) => {
  const addr = '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"address":"00:00:00:00:00:00","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8},{"family":"inet","local":"192.0.2.50","prefixlen":32}]},{"ifindex":3,"ifname":"tunl0","flags":["NOARP"],"address":"0.0.0.0","addr_info":[]}]';
  t.deepEqual(parseIpJsonLinks(addr), [
    { name: 'lo', mac: '00:00:00:00:00:00', isUp: true, addresses: ['127.0.0.1/8', '192.0.2.50/32'] },
    { name: 'tunl0', mac: '0.0.0.0', isUp: false, addresses: [] },
  ]);
  t.deepEqual(parseIpJsonNeighbours('[{"dst":"192.0.2.50","dev":"eth0","lladdr":"EA:D1:C2:59:5F:35","state":["REACHABLE"]},{"dst":"192.0.2.99","dev":"eth0","state":["FAILED"]}]'), [
    { address: '192.0.2.50', mac: 'ea:d1:c2:59:5f:35', state: ['REACHABLE'] },
    { address: '192.0.2.99', mac: undefined, state: ['FAILED'] },
  ]);
  t.deepEqual(parseIpJsonNeighbours(''), []);
  t.is(parseIpJsonRxPackets('[{"ifname":"tunl0","stats64":{"rx":{"bytes":13722,"packets":180}}}]'), 180);
  t.is(parseIpJsonRxPackets('[{"ifname":"tunl0"}]'), undefined);
});

test('grep -H . /proc/sys/...: dotted names and values', (t) => {
  t.deepEqual(parseGrepSysctls('/proc/sys/net/ipv4/conf/all/arp_ignore:1\n/proc/sys/net/ipv4/conf/eth0/arp_announce:2\n'), {
    'net.ipv4.conf.all.arp_ignore': '1',
    'net.ipv4.conf.eth0.arp_announce': '2',
  });
});

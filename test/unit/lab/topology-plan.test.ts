import test from 'ava';
import { LAB_VIP, MAX_REAL_SERVERS, parseNetnsList, planTopology, type TopologyPlan } from '../../../src/lab/topology-plan.js';

function plan(spec: Parameters<typeof planTopology>[0]): TopologyPlan {
  const r = planTopology(spec);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

test('nodes, namespaces and addresses follow the lab scheme', (t) => {
  const p = plan({ runId: 'ab12cd', directorCount: 2, realServerCount: 3 });
  t.deepEqual(
    p.nodes.map((n) => [n.name, n.role, n.namespace, n.switchPort, n.address.text]),
    [
      ['director-1', 'director', 'lvab12cd-d1', 'd1', '192.0.2.11'],
      ['director-2', 'director', 'lvab12cd-d2', 'd2', '192.0.2.12'],
      ['rs-1', 'real-server', 'lvab12cd-r1', 'r1', '192.0.2.21'],
      ['rs-2', 'real-server', 'lvab12cd-r2', 'r2', '192.0.2.22'],
      ['rs-3', 'real-server', 'lvab12cd-r3', 'r3', '192.0.2.23'],
      ['client', 'client', 'lvab12cd-c', 'c', '192.0.2.100'],
    ],
  );
  t.is(p.switchNamespace, 'lvab12cd-sw');
  t.is(p.vip.text, '192.0.2.50');
});

test('names stay within 15 characters at the largest topology', (t) => {
  const p = plan({ runId: 'zzzzzz', directorCount: 9, realServerCount: MAX_REAL_SERVERS });
  for (const name of [p.switchNamespace, ...p.nodes.flatMap((n) => [n.namespace, n.switchPort])]) t.true(name.length <= 15, name);
  t.is(p.nodes.filter((n) => n.role === 'real-server').at(-1)?.address.text, '192.0.2.49');
});

test('the create batch adds every namespace before any link, and every link lands inside a namespace', (t) => {
  const p = plan({ runId: 'x1', directorCount: 1, realServerCount: 1 });
  t.deepEqual(p.createBatch, [
    'netns add lvx1-sw',
    'netns add lvx1-d1',
    'netns add lvx1-r1',
    'netns add lvx1-c',
    'link add name d1 netns lvx1-sw type veth peer name eth0 netns lvx1-d1',
    'link add name r1 netns lvx1-sw type veth peer name eth0 netns lvx1-r1',
    'link add name c netns lvx1-sw type veth peer name eth0 netns lvx1-c',
  ]);
});

test('namespace batches: a bridge with every port in the switch, lo/address/eth0 in each node', (t) => {
  const p = plan({ runId: 'x1', directorCount: 1, realServerCount: 1 });
  t.deepEqual(p.namespaceBatches[0], {
    namespace: 'lvx1-sw',
    lines: [
      'link add name br0 type bridge stp_state 0 mcast_snooping 0',
      'link set dev br0 up',
      'link set dev d1 master br0',
      'link set dev d1 up',
      'link set dev r1 master br0',
      'link set dev r1 up',
      'link set dev c master br0',
      'link set dev c up',
    ],
  });
  t.deepEqual(p.namespaceBatches[2], {
    namespace: 'lvx1-r1',
    lines: ['link set dev lo up', 'address add 192.0.2.21/24 dev eth0', 'link set dev eth0 up'],
  });
  t.deepEqual(p.sysctls, []);
});

test('direct routing puts the VIP on the real servers\' lo and silences their ARP for it', (t) => {
  const p = plan({ runId: 'x1', directorCount: 1, realServerCount: 2, directRoutingVip: LAB_VIP });
  const rs1 = p.namespaceBatches.find((b) => b.namespace === 'lvx1-r1');
  t.true(rs1?.lines.includes('address add 192.0.2.50/32 dev lo'));
  const d1 = p.namespaceBatches.find((b) => b.namespace === 'lvx1-d1');
  t.false(d1?.lines.some((l) => l.includes('192.0.2.50')));
  t.deepEqual(p.sysctls.map((s) => s.namespace), ['lvx1-r1', 'lvx1-r2']);
  t.deepEqual(p.sysctls[0]?.settings, [
    ['net.ipv4.conf.all.arp_ignore', '1'],
    ['net.ipv4.conf.all.arp_announce', '2'],
  ]);
});

test('NAT routing: the client on its own subnet, director-1 the gateway of both, forwarding without redirects', (t) => {
  const p = plan({ runId: 'x1', directorCount: 2, realServerCount: 2, isNatRouted: true });
  t.deepEqual(p.nodes.map((n) => [n.name, n.address.text]), [
    ['director-1', '192.0.2.11'],
    ['director-2', '192.0.2.12'],
    ['rs-1', '192.0.2.21'],
    ['rs-2', '192.0.2.22'],
    ['client', '198.51.100.100'],
  ]);
  const batch = (ns: string): readonly string[] => p.namespaceBatches.find((b) => b.namespace === ns)?.lines ?? [];
  t.deepEqual(batch('lvx1-d1'), ['link set dev lo up', 'address add 192.0.2.11/24 dev eth0', 'link set dev eth0 up', 'address add 198.51.100.1/24 dev eth0']);
  t.deepEqual(batch('lvx1-d2'), ['link set dev lo up', 'address add 192.0.2.12/24 dev eth0', 'link set dev eth0 up']);
  t.deepEqual(batch('lvx1-r2'), ['link set dev lo up', 'address add 192.0.2.22/24 dev eth0', 'link set dev eth0 up', 'route add default via 192.0.2.11 dev eth0']);
  t.deepEqual(batch('lvx1-c'), ['link set dev lo up', 'address add 198.51.100.100/24 dev eth0', 'link set dev eth0 up', 'route add 192.0.2.0/24 via 198.51.100.1 dev eth0']);
  // No VIP on the real servers: NAT rewrites the destination to their own address.
  t.false(p.namespaceBatches.some((b) => b.lines.some((l) => l.includes('192.0.2.50'))));
  t.deepEqual(p.sysctls.map((s) => s.namespace), ['lvx1-d1', 'lvx1-d2']);
  t.deepEqual(p.sysctls[0]?.settings, [
    ['net.ipv4.ip_forward', '1'],
    ['net.ipv4.conf.all.send_redirects', '0'],
    ['net.ipv4.conf.eth0.send_redirects', '0'],
  ]);
});

test('NAT routing needs a director and excludes direct routing', (t) => {
  t.deepEqual(planTopology({ runId: 'x1', directorCount: 0, realServerCount: 1, isNatRouted: true }), { ok: false, error: 'NAT routing needs a director (the real servers\' gateway)' });
  t.deepEqual(planTopology({ runId: 'x1', directorCount: 1, realServerCount: 1, isNatRouted: true, directRoutingVip: LAB_VIP }), { ok: false, error: 'NAT routing and direct routing exclude each other' });
});

test('the delete batch removes every namespace of the run, switch last', (t) => {
  const p = plan({ runId: 'x1', directorCount: 1, realServerCount: 1, hasClient: false });
  t.deepEqual(p.deleteBatch, ['netns delete lvx1-d1', 'netns delete lvx1-r1', 'netns delete lvx1-sw']);
});

test('invalid specs are refused with a reason', (t) => {
  const bad = [
    { runId: 'UPPER', directorCount: 1, realServerCount: 1 },
    { runId: 'toolong7', directorCount: 1, realServerCount: 1 },
    { runId: 'a', directorCount: 10, realServerCount: 1 },
    { runId: 'a', directorCount: 1, realServerCount: MAX_REAL_SERVERS + 1 },
    { runId: 'a', directorCount: 1.5, realServerCount: 1 },
    { runId: 'a', directorCount: 0, realServerCount: 0, hasClient: false },
  ];
  for (const spec of bad) {
    const r = planTopology(spec);
    t.false(r.ok, JSON.stringify(spec));
  }
});

test('parseNetnsList handles both output forms', (t) => {
  t.deepEqual(parseNetnsList('lvx1-sw (id: 3)\nlvx1-d1\n\nother (id: 0)\n'), ['lvx1-sw', 'lvx1-d1', 'other']);
});

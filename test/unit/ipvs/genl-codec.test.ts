/**
 * Golden bytes: our requests against what ipvsadm 1.31 (libipvs) sent to a Linux 6.1 kernel, and our
 * decoders against that kernel's replies (test/fixtures/ipvs/ipvsadm-capture.json).
 */
import test from 'ava';
import { encodeIpvsRequest, type IpvsRequest } from '../../../src/ipvs/genl-codec.js';
import {
  decodeConfigReply,
  decodeDaemonReply,
  decodeDestinationReply,
  decodeInfoReply,
  decodeNetlinkErrno,
  decodeServiceReply,
} from '../../../src/ipvs/genl-decode.js';
import { formatDestinationKey, formatServiceKey, type IpvsService } from '../../../src/ipvs/model.js';
import { capture, hex, lastError, repliesWithCmd, sentRequest, topAttr } from './ipvsadm-capture.js';
import { dest, fwmark, ip, IPIP, MASQ, ROUTE, sctp, svc, tcp, udp } from './ipvs-test-values.js';

const NLM_F_DUMP = 0x300;
const SERVICE = 1;
const DEST = 2;
const DAEMON = 3;

/** Requests whose bytes must equal ipvsadm's exactly (nlmsghdr aside). */
const identical: [string, IpvsRequest][] = [
  ['svc-add-tcp-rr', { command: 'new-service', service: svc(tcp('192.0.2.1', 80), 'rr') }],
  [
    'svc-add-udp6-wrr-persist',
    { command: 'new-service', service: svc(udp('2001:db8::1', 53), 'wrr', { persistence: { timeoutS: 600, netmaskPrefixLength: 64 } }) },
  ],
  [
    'svc-add-fwmark-sh-flags',
    {
      command: 'new-service',
      service: svc(fwmark(42), 'sh', { schedulerFlags: ['sh-fallback', 'sh-port'], persistence: { timeoutS: 300, netmaskPrefixLength: 24 } }),
    },
  ],
  ['svc-add-fwmark6-lc', { command: 'new-service', service: svc(fwmark(43, 6), 'lc') }],
  [
    'svc-add-udp-mh-ops',
    { command: 'new-service', service: svc(udp('192.0.2.2', 9999), 'mh', { schedulerFlags: ['mh-fallback', 'mh-port'], isOnePacket: true }) },
  ],
  ['svc-add-sctp-nq', { command: 'new-service', service: svc(sctp('192.0.2.4', 9999), 'nq') }],
  [
    'svc-add-tcp-pe-sip',
    {
      command: 'new-service',
      service: svc(udp('192.0.2.3', 5060), 'dh', { persistence: { timeoutS: 60, netmaskPrefixLength: 32 }, persistenceEngine: 'sip' }),
    },
  ],
  ['svc-edit-wlc', { command: 'set-service', service: svc(tcp('192.0.2.1', 80), 'wlc') }],
  ['list', { command: 'list-services' }],
  ['timeout-set', { command: 'set-config', timeouts: { tcpS: 901, tcpFinS: 121, udpS: 301 } }],
  ['timeout-list', { command: 'get-config' }],
  ['daemon-start', { command: 'new-daemon', daemon: { state: 'master', interfaceName: 'dummy0', syncId: 7 } }],
  [
    'daemon-start-full',
    {
      command: 'new-daemon',
      daemon: { state: 'backup', interfaceName: 'dummy0', syncId: 9, maxLength: 1400, group: ip('239.1.2.3'), port: 8000, ttl: 3 },
    },
  ],
  ['daemon-list', { command: 'list-daemons' }],
  ['zero-all', { command: 'zero' }],
  ['flush', { command: 'flush' }],
];

for (const [name, request] of identical) {
  test(`${request.command} encodes as ipvsadm did: ${capture(name).ipvsadmArgs}`, (t) => {
    const sent = sentRequest(name);
    const encoded = encodeIpvsRequest(request);
    t.is(hex(encoded.payload), hex(sent.payload));
    t.is(encoded.isDump, (sent.flags & NLM_F_DUMP) === NLM_F_DUMP);
  });
}

/**
 * Destination commands: libipvs sends a full service (with an empty scheduler name) where the kernel
 * only reads its identity, and a full destination for DEL_DEST. Our SERVICE nest must be a prefix of
 * ipvsadm's; our DEST nest must be identical (NEW/SET) or a prefix (DEL).
 */
const destRequests: [string, IpvsRequest, 'same' | 'prefix'][] = [
  ['dest-add-masq', { command: 'new-dest', service: tcp('192.0.2.1', 80), destination: dest('192.0.2.8', 8080, MASQ, { weight: 3, upperThreshold: 100, lowerThreshold: 10 }) }, 'same'],
  ['dest-add-route', { command: 'new-dest', service: tcp('192.0.2.1', 80), destination: dest('192.0.2.9', 80, ROUTE) }, 'same'],
  [
    'dest-add-gue',
    { command: 'new-dest', service: tcp('192.0.2.1', 80), destination: dest('192.0.2.10', 80, { method: 'tunnel', tunnel: { type: 'gue', port: 6080, checksum: 'remcsum' } }) },
    'same',
  ],
  [
    'dest-add-gre',
    { command: 'new-dest', service: tcp('192.0.2.1', 80), destination: dest('192.0.2.11', 80, { method: 'tunnel', tunnel: { type: 'gre', checksum: 'csum' } }) },
    'same',
  ],
  ['dest-add-ipip6', { command: 'new-dest', service: udp('2001:db8::1', 53), destination: dest('2001:db8::8', 53, IPIP, { weight: 2 }) }, 'same'],
  ['dest-add-fwmark', { command: 'new-dest', service: fwmark(42), destination: dest('192.0.2.12', 0, ROUTE, { weight: 5 }) }, 'same'],
  ['dest-edit', { command: 'set-dest', service: tcp('192.0.2.1', 80), destination: dest('192.0.2.8', 8080, MASQ, { weight: 0 }) }, 'same'],
  ['dest-del', { command: 'del-dest', service: tcp('192.0.2.1', 80), destination: { address: ip('192.0.2.9'), port: 80 } }, 'prefix'],
];

for (const [name, request, how] of destRequests) {
  test(`${request.command} matches ipvsadm's attributes: ${capture(name).ipvsadmArgs}`, (t) => {
    const ours = encodeIpvsRequest(request).payload;
    const theirs = sentRequest(name).payload;
    t.is(ours[0], theirs[0]);
    const ourService = hex(topAttr(ours, SERVICE) ?? new Uint8Array());
    t.true(ourService.length > 0 && hex(topAttr(theirs, SERVICE) ?? new Uint8Array()).startsWith(ourService));
    const ourDest = hex(topAttr(ours, DEST) ?? new Uint8Array());
    const theirDest = hex(topAttr(theirs, DEST) ?? new Uint8Array());
    if (how === 'same') t.is(ourDest, theirDest);
    else t.true(ourDest.length > 0 && theirDest.startsWith(ourDest));
  });
}

test('identity-only requests are prefixes of what ipvsadm sent (zero one service, stop daemon, list dests)', (t) => {
  const zero = encodeIpvsRequest({ command: 'zero', service: tcp('192.0.2.1', 80) }).payload;
  t.true(hex(topAttr(sentRequest('zero-one').payload, SERVICE) ?? new Uint8Array()).startsWith(hex(topAttr(zero, SERVICE) ?? new Uint8Array())));
  const stop = encodeIpvsRequest({ command: 'del-daemon', state: 'master' }).payload;
  t.is(stop[0], sentRequest('daemon-stop').payload[0]);
  t.true(hex(topAttr(sentRequest('daemon-stop').payload, DAEMON) ?? new Uint8Array()).startsWith(hex(topAttr(stop, DAEMON) ?? new Uint8Array())));
  const dests = capture('list-one').messages.find((m) => m.dir === 'send' && m.payload[0] === 8);
  const ours = encodeIpvsRequest({ command: 'list-dests', service: tcp('192.0.2.1', 80) });
  t.is(hex(ours.payload), hex(dests?.payload ?? new Uint8Array()));
  t.true(ours.isDump);
});

test('the kernel service dump decodes to the services ipvsadm created', (t) => {
  const decoded = repliesWithCmd('save', 1).map((m) => decodeServiceReply(m.payload));
  const services = decoded.map((r) => (r.ok ? r.value.service : undefined));
  t.deepEqual(decoded.filter((r) => !r.ok), []);
  const byKey = new Map(services.map((s) => [s === undefined ? '' : formatServiceKey(s.key), s]));
  const expected: IpvsService[] = [
    svc(tcp('192.0.2.1', 80), 'wlc'),
    svc(udp('192.0.2.2', 9999), 'mh', { schedulerFlags: ['mh-fallback', 'mh-port'], isOnePacket: true }),
    svc(udp('192.0.2.3', 5060), 'dh', { persistence: { timeoutS: 60, netmaskPrefixLength: 32 }, persistenceEngine: 'sip' }),
    svc(sctp('192.0.2.4', 9999), 'nq'),
    svc(udp('2001:db8::1', 53), 'wrr', { persistence: { timeoutS: 600, netmaskPrefixLength: 64 } }),
    svc(fwmark(42), 'sh', { schedulerFlags: ['sh-fallback', 'sh-port'], persistence: { timeoutS: 300, netmaskPrefixLength: 24 } }),
    svc(fwmark(43, 6), 'lc'),
  ];
  t.is(byKey.size, expected.length);
  for (const e of expected) t.deepEqual(byKey.get(formatServiceKey(e.key)), e, formatServiceKey(e.key));
});

test('the kernel destination dump decodes, tunnel options included', (t) => {
  const decoded = repliesWithCmd('list-one', 5).map((m) => decodeDestinationReply(m.payload, 4));
  const dests = decoded.map((r) => (r.ok ? r.value.destination : undefined));
  const byKey = new Map(dests.map((d) => [d === undefined ? '' : formatDestinationKey(d.key), d]));
  t.deepEqual(byKey.get('192.0.2.8:8080'), dest('192.0.2.8', 8080, MASQ, { weight: 0 }));
  t.deepEqual(byKey.get('192.0.2.1:81'), dest('192.0.2.1', 81, MASQ));
  t.deepEqual(byKey.get('192.0.2.10:80'), dest('192.0.2.10', 80, { method: 'tunnel', tunnel: { type: 'gue', port: 6080, checksum: 'remcsum' } }));
  t.deepEqual(byKey.get('192.0.2.11:80'), dest('192.0.2.11', 80, { method: 'tunnel', tunnel: { type: 'gre', checksum: 'csum' } }));
  t.is(byKey.size, 4);
});

/** ipvsadm's numbers on a "  -> addr:port  a b c d e" line or a service line of --stats / --rate. */
function numbersOf(stdout: string, linePrefix: string): bigint[] {
  const line = stdout.split('\n').find((l) => l.trimStart().startsWith(linePrefix));
  return (line ?? '').trim().split(/\s+/).slice(-5).map((n) => BigInt(n));
}

test('counters and rates decode to the numbers ipvsadm printed from the same replies', (t) => {
  for (const [name, fields] of [
    ['list-traffic-stats', ['connections', 'inPackets', 'outPackets', 'inBytes', 'outBytes']],
    ['list-traffic-rate', ['connectionsPerSecond', 'inPacketsPerSecond', 'outPacketsPerSecond', 'inBytesPerSecond', 'outBytesPerSecond']],
  ] as const) {
    const stdout = capture(name).stdout;
    const service = decodeServiceReply(repliesWithCmd(name, 1)[0]?.payload ?? new Uint8Array());
    const destination = decodeDestinationReply(repliesWithCmd(name, 5)[0]?.payload ?? new Uint8Array(), 4);
    if (!service.ok || !destination.ok) return t.fail('decode failed');
    t.deepEqual(fields.map((f) => service.value.stats[f]), numbersOf(stdout, 'UDP  192.0.2.1:5353'), name);
    t.deepEqual(fields.map((f) => destination.value.stats[f]), numbersOf(stdout, '-> 192.0.2.50:5353'), name);
  }
  const conns = decodeDestinationReply(repliesWithCmd('list-traffic', 5)[0]?.payload ?? new Uint8Array(), 4);
  t.true(conns.ok && conns.value.activeConnections === 0 && conns.value.inactiveConnections === 7);
  const stats = decodeServiceReply(repliesWithCmd('list-traffic-stats', 1)[0]?.payload ?? new Uint8Array());
  t.true(stats.ok && stats.value.stats.connections === 7n && stats.value.stats.inBytes === 252n);
});

test('daemons, timeouts and info decode as ipvsadm printed them', (t) => {
  const daemons = repliesWithCmd('daemon-list', 9).map((m) => decodeDaemonReply(m.payload));
  t.deepEqual(daemons, [
    { ok: true, value: { state: 'master', interfaceName: 'dummy0', syncId: 7, maxLength: 1472, group: ip('224.0.0.81'), port: 8848, ttl: 1 } },
    { ok: true, value: { state: 'backup', interfaceName: 'dummy0', syncId: 9, maxLength: 1400, group: ip('239.1.2.3'), port: 8000, ttl: 3 } },
  ]);
  t.deepEqual(decodeConfigReply(repliesWithCmd('timeout-list', 12)[0]?.payload ?? new Uint8Array()), { ok: true, value: { tcpS: 901, tcpFinS: 121, udpS: 301 } });
  t.deepEqual(decodeInfoReply(repliesWithCmd('list', 14)[0]?.payload ?? new Uint8Array()), { ok: true, value: { versionCode: 0x010201, connectionTableSize: 4096 } });
});

test('kernel errors decode to the errno behind each ipvsadm message', (t) => {
  const expected: [string, number][] = [
    ['svc-add-tcp-dup', 17],
    ['svc-add-bad-sched', 2],
    ['svc-edit-missing', 3],
    ['dest-add-dup', 17],
    ['dest-add-nosvc', 3],
    ['dest-edit-missing', 2],
    ['dest-del-missing', 2],
    ['daemon-start-dup', 17],
    ['daemon-stop-missing', 3],
    ['svc-del-missing', 3],
    ['svc-add-tcp-rr', 0],
  ];
  for (const [name, errno] of expected) t.deepEqual(decodeNetlinkErrno(lastError(name).payload), { ok: true, value: errno }, name);
});

test('a reply of the wrong command is refused with a reason', (t) => {
  const dump = repliesWithCmd('list-one', 5)[0]?.payload ?? new Uint8Array();
  const r = decodeServiceReply(dump);
  t.false(r.ok);
  if (!r.ok) t.is(r.reason, 'unexpected-command');
});

/**
 * A copy of `payload` whose SERVICE nest has its IPVS_SVC_ATTR_NETMASK (9) payload replaced by
 * `mask` (4 bytes, __be32): the captured 255.255.255.0 bytes made into a mask with holes.
 */
function withNetmask(payload: Uint8Array, mask: readonly number[]): Uint8Array {
  const out = Uint8Array.from(payload);
  const view = new DataView(out.buffer);
  const find = (from: number, to: number, type: number): number | undefined => {
    for (let at = from; at + 4 <= to; at += (view.getUint16(at, true) + 3) & ~3) {
      if ((view.getUint16(at + 2, true) & 0x3fff) === type) return at;
    }
    return undefined;
  };
  const nest = find(4, out.length, SERVICE);
  const netmask = nest === undefined ? undefined : find(nest + 4, nest + view.getUint16(nest, true), 9);
  if (netmask === undefined || view.getUint16(netmask, true) !== 8) throw new Error('no 4-byte SVC_NETMASK');
  out.set(mask, netmask + 4);
  return out;
}

test('an IPv4 persistence netmask with holes (ipvsadm -M 255.0.255.0) decodes, and encodes back as the kernel had it', (t) => {
  const captured = repliesWithCmd('save', 1).find((m) => {
    const r = decodeServiceReply(m.payload);
    return r.ok && r.value.service.key.kind === 'fwmark' && r.value.service.key.fwmark === 42;
  });
  const reply = withNetmask(captured?.payload ?? new Uint8Array(), [0xff, 0x00, 0xff, 0x00]);
  const decoded = decodeServiceReply(reply);
  const holes = { timeoutS: 300, netmaskPrefixLength: 16, ipv4Netmask: 0xff00ff00 };
  t.deepEqual(decoded.ok ? decoded.value.service : decoded, svc(fwmark(42), 'sh', { schedulerFlags: ['sh-fallback', 'sh-port'], persistence: holes }));
  // ipvsadm -A -f 42 -s sh -b sh-fallback,sh-port -p 300 -M 255.0.255.0 sends what it sent for 255.255.255.0, but that mask.
  const request = encodeIpvsRequest({ command: 'new-service', service: svc(fwmark(42), 'sh', { schedulerFlags: ['sh-fallback', 'sh-port'], persistence: holes }) });
  t.is(hex(request.payload), hex(withNetmask(sentRequest('svc-add-fwmark-sh-flags').payload, [0xff, 0x00, 0xff, 0x00])));
});

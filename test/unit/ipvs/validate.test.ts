/** validate.ts: each rule refuses what it should, naming the field. */
import test from 'ava';
import { checkDaemon, checkDestination, checkService, checkTimeouts } from '../../../src/ipvs/validate.js';
import { dest, fwmark, ip, IPIP, sctp, svc, tcp, udp } from './ipvs-test-values.js';

const fields = (problems: readonly { field: string }[]): string[] => problems.map((p) => p.field);

test('services', (t) => {
  t.deepEqual(checkService(svc(tcp('192.0.2.1', 80), 'rr')), []);
  t.deepEqual(fields(checkService(svc(tcp('192.0.2.1', 65536), 'rr'))), ['port']);
  t.deepEqual(fields(checkService(svc(fwmark(0), 'rr'))), ['fwmark']);
  t.deepEqual(fields(checkService(svc(tcp('192.0.2.1', 80), 'rr', { schedulerFlags: ['sh-port'] }))), ['schedulerFlags']);
  t.deepEqual(fields(checkService(svc(tcp('192.0.2.1', 80), 'sh', { schedulerFlags: ['sh-port', 'sh-fallback'] }))), ['schedulerFlags']);
  t.deepEqual(fields(checkService(svc(tcp('192.0.2.1', 80), 'rr', { persistence: { timeoutS: 0, netmaskPrefixLength: 32 } }))), ['persistence.timeoutS']);
  t.deepEqual(fields(checkService(svc(tcp('192.0.2.1', 80), 'rr', { persistence: { timeoutS: 60, netmaskPrefixLength: 33 } }))), ['persistence.netmaskPrefixLength']);
  t.deepEqual(fields(checkService(svc(tcp('2001:db8::1', 80), 'rr', { persistence: { timeoutS: 60, netmaskPrefixLength: 0 } }))), ['persistence.netmaskPrefixLength']);
  // An IPv4 mask with holes: canonical only (not contiguous, its one bits counted, IPv4).
  const holes = (ipv4Netmask: number, netmaskPrefixLength: number, address = '192.0.2.1'): string[] =>
    fields(checkService(svc(tcp(address, 80), 'rr', { persistence: { timeoutS: 60, netmaskPrefixLength, ipv4Netmask } })));
  t.deepEqual(holes(0xff00ff00, 16), []);
  t.deepEqual(holes(0xff00ff00, 24), ['persistence.ipv4Netmask']);
  t.deepEqual(holes(0xffffff00, 24), ['persistence.ipv4Netmask'], 'a contiguous mask is a prefix length');
  t.deepEqual(holes(0xff00ff00, 16, '2001:db8::1'), ['persistence.ipv4Netmask']);
  t.deepEqual(holes(2 ** 32 + 5, 2), ['persistence.ipv4Netmask']);
  t.deepEqual(fields(checkService(svc(tcp('192.0.2.1', 80), 'rr', { isOnePacket: true }))), ['isOnePacket']);
  t.deepEqual(fields(checkService(svc(sctp('192.0.2.1', 3868), 'rr', { isOnePacket: true }))), ['isOnePacket']);
  t.deepEqual(checkService(svc(fwmark(3), 'rr', { isOnePacket: true })), [], 'ipvsadm -A -f 3 -o is accepted');
  t.deepEqual(checkService(svc(udp('192.0.2.1', 53), 'rr', { isOnePacket: true })), []);
  t.deepEqual(fields(checkService(svc(udp('192.0.2.1', 53), 'rr', { persistenceEngine: 'SIP!' }))), ['persistenceEngine']);
});

test('destinations', (t) => {
  const key = tcp('192.0.2.1', 80);
  t.deepEqual(checkDestination(key, dest('192.0.2.8', 80)), []);
  t.deepEqual(fields(checkDestination(key, dest('192.0.2.8', 80, undefined, { weight: -1 }))), ['destination.weight']);
  t.deepEqual(fields(checkDestination(key, dest('192.0.2.8', 80, undefined, { lowerThreshold: 1 }))), ['destination.lowerThreshold']);
  t.deepEqual(fields(checkDestination(key, dest('2001:db8::8', 80))), ['destination.address']);
  t.deepEqual(checkDestination(key, dest('2001:db8::8', 80, IPIP)), []);
  t.deepEqual(fields(checkDestination(key, dest('192.0.2.8', 80, { method: 'tunnel', tunnel: { type: 'gue', port: 0, checksum: 'nocsum' } }))), ['destination.tunnel.port']);
});

test('timeouts and sync daemons', (t) => {
  t.deepEqual(checkTimeouts({ tcpS: 900 }), []);
  t.deepEqual(fields(checkTimeouts({ udpS: -1, tcpFinS: 1.5 })), ['tcpFinS', 'udpS']);
  t.deepEqual(checkDaemon({ state: 'master', interfaceName: 'eth0', syncId: 0 }), []);
  t.deepEqual(
    fields(checkDaemon({ state: 'backup', interfaceName: 'an-interface-name-too-long', syncId: 256, maxLength: 0, port: 0, ttl: 0, group: ip('192.0.2.1') })),
    ['interfaceName', 'syncId', 'maxLength', 'port', 'ttl', 'group'],
  );
});

/**
 * parse-ipvsadm-args.ts: what ipvsadm's command lines mean (the messages of refused lines are
 * checked against ipvsadm's own in goldens.test.ts).
 */
import test from 'ava';
import type { IpvsadmCommand } from '../../../src/ipvsadm/ipvsadm-command.js';
import { NO_NAMES, type NameLookup } from '../../../src/ipvsadm/ipvsadm-command.js';
import { parseIpvsadmArgs } from '../../../src/ipvsadm/parse-ipvsadm-args.js';
import { fwmark, ip, sctp, tcp, udp } from '../ipvs/ipvs-test-values.js';

const parse = (line: string, names: NameLookup = NO_NAMES): IpvsadmCommand => {
  const r = parseIpvsadmArgs(line.split(' ').filter((w) => w !== ''), names);
  if (!r.ok) throw new Error(`${line}: ${r.message}`);
  return r.command;
};
const refusal = (line: string): [string, number] => {
  const r = parseIpvsadmArgs(line.split(' ').filter((w) => w !== ''), NO_NAMES);
  return r.ok ? ['accepted', 0] : [r.message, r.exitCode];
};

test('the classic examples', (t) => {
  t.deepEqual(parse('-A -t 192.0.2.1:80 -s rr'), {
    kind: 'add-service',
    service: { key: tcp('192.0.2.1', 80), schedulerName: 'rr', schedulerFlagBits: 0, isOnePacket: false },
  });
  t.deepEqual(parse('-a -t 192.0.2.1:80 -r 192.0.2.8 -m'), {
    kind: 'add-destination',
    key: tcp('192.0.2.1', 80),
    destination: { key: { address: ip('192.0.2.8'), port: 80 }, forwarding: { method: 'masq' }, weight: 1, upperThreshold: 0, lowerThreshold: 0 },
  });
  t.deepEqual(parse('-S'), { kind: 'save', isNumeric: false });
  t.deepEqual(parse('-R'), { kind: 'restore' });
});

test('services: scheduler default, flags, persistence and its netmask, engine, one-packet', (t) => {
  const svc = (line: string): unknown => (parse(line) as { service: unknown }).service;
  t.like(svc('-E -t 192.0.2.1:80'), { schedulerName: 'wlc' });
  t.like(svc('-A -t 192.0.2.1:80 -s ""'), { schedulerName: '""' });
  t.like(svc('-A -t 192.0.2.1:80 -s sh -b sh-port,sh-fallback'), { schedulerFlagBits: 0x18 });
  t.like(svc('-A -t 192.0.2.1:80 -b sh-port -s sh'), { schedulerFlagBits: 0x10 }, 'flags are read once -s is known');
  t.like(svc('-A -t 192.0.2.1:0 -p'), { persistence: { timeoutS: 360, netmask: 0xffffffff } });
  t.like(svc('-A -t 192.0.2.1:80 -p 600 -M 255.255.0.0'), { persistence: { timeoutS: 600, netmask: 0xffff0000 } });
  t.like(svc('-A -t [2001:db8::1]:80 -p 60 -M 64'), { persistence: { timeoutS: 60, netmask: 64 } });
  t.like(svc('-A -M 64 -t [2001:db8::1]:80 -p 60'), { persistence: { timeoutS: 60, netmask: 128 } }, 'an IPv6 address resets the mask');
  t.like(svc('-A -f 40 -M 32 -6 -p 3'), { key: fwmark(40, 6), persistence: { timeoutS: 3, netmask: 128 } }, '-6 resets it too');
  t.like(svc('-A -u 192.0.2.1:5060 -p 60 --pe sip -o'), { persistenceEngine: 'sip', isOnePacket: true });
  t.like(svc('-A -f 9 -o'), { key: fwmark(9), isOnePacket: true });
  t.like(svc('-A --sctp-service 192.0.2.1:3868'), { key: sctp('192.0.2.1', 3868) });
  t.like(svc('-A -t 0300.0.2.1:080'), { key: tcp('192.0.2.1', 80) }, 'inet_aton and strtol spellings');
  t.like(svc('-A -u [::ffff:192.0.2.1]:53'), { key: udp('::ffff:192.0.2.1', 53) });
});

test('real servers: port from the service for DR and TUN, tunnels, weights, thresholds', (t) => {
  const dest = (line: string): unknown => (parse(line) as { destination: unknown }).destination;
  t.like(dest('-a -t 192.0.2.1:80 -r 192.0.2.8:8080 -g'), { key: { port: 80 } });
  t.like(dest('-a -t 192.0.2.1:80 -r 192.0.2.8:8080 -m -w 0 -x 10 -y 5'), { key: { port: 8080 }, weight: 0, upperThreshold: 10, lowerThreshold: 5 });
  t.like(dest('-a -r 192.0.2.8 -t 192.0.2.1:80 -m'), { key: { port: 0 } }, 'the service port is taken when -r is read');
  t.like(dest('-a -f 7 -r 192.0.2.8 -g'), { key: { port: 0 } });
  t.like(dest('-a -f 7 -r 192.0.2.8:99 -g'), { key: { port: 99 } });
  t.like(dest('-a -t 192.0.2.1:80 -r 2001:db8::8 -i'), { key: { address: ip('2001:db8::8'), port: 80 }, forwarding: { method: 'tunnel', tunnel: { type: 'ipip' } } });
  t.like(dest('-e -t 192.0.2.1:80 -r 192.0.2.8 -i --tun-type gue --tun-port 6080 --tun-remcsum'), {
    forwarding: { method: 'tunnel', tunnel: { type: 'gue', port: 6080, checksum: 'remcsum' } },
  });
  t.like(dest('-a -t 192.0.2.1:80 -r 192.0.2.8 -i --tun-type gre --tun-csum'), { forwarding: { method: 'tunnel', tunnel: { type: 'gre', checksum: 'csum' } } });
  t.deepEqual(parse('-d -t 192.0.2.1:80 -r 192.0.2.8:8080'), { kind: 'delete-destination', key: tcp('192.0.2.1', 80), destination: { address: ip('192.0.2.8'), port: 8080 } });
});

test('listings and the other commands', (t) => {
  t.deepEqual(parse('-Ln --stats --exact'), { kind: 'list', key: undefined, format: { isNumeric: true, isExact: true, isSorted: true, view: 'stats' } });
  t.like(parse('-L --rate --stats'), { format: { view: 'stats' } });
  t.like(parse('-L --tun-info --thresholds'), { format: { view: 'thresholds' } });
  t.like(parse('-L --nosort'), { format: { isSorted: false, view: 'default' } });
  t.deepEqual(parse('-l -n -f 7 -6'), { kind: 'list', key: fwmark(7, 6), format: { isNumeric: true, isExact: false, isSorted: true, view: 'default' } });
  t.deepEqual(parse('-Lnc --persistent-conn'), { kind: 'list-connections', isNumeric: true, hasPersistenceEngineData: true });
  t.deepEqual(parse('-L --timeout'), { kind: 'list-timeouts' });
  t.deepEqual(parse('-L --daemon'), { kind: 'list-daemons' });
  t.deepEqual(parse('--set 0 121 2678400'), { kind: 'set-timeouts', timeouts: { tcpS: 0, tcpFinS: 121, udpS: 2678400 } });
  t.deepEqual(parse('-Z'), { kind: 'zero', key: undefined });
  t.deepEqual(parse('-C'), { kind: 'flush' });
  t.deepEqual(parse('--stop-daemon backup'), { kind: 'stop-daemon', state: 'backup' });
  t.deepEqual(parse('--start-daemon master'), { kind: 'start-daemon', daemon: { state: 'master', interfaceName: 'eth0', syncId: 0 } });
  t.like(parse('--start-daemon=backup --mcast-interface=dummy0 --syncid 9 --mcast-group ff02::1 --mcast-port 8849 --mcast-ttl 2 --sync-maxlen 1000'), {
    daemon: { state: 'backup', interfaceName: 'dummy0', syncId: 9, group: ip('ff02::1'), port: 8849, ttl: 2, maxLength: 1000 },
  });
  t.deepEqual(parse('-h -L'), { kind: 'help' });
  t.deepEqual(parse('--version'), { kind: 'version' });
});

test('names come from the lookup: hosts (IPv4), services per protocol', (t) => {
  const names: NameLookup = {
    hostAddress: (n) => (n === 'localhost' ? ip('127.0.0.1') : undefined),
    portNumber: (n, p) => (n === 'www' && p === 'tcp' ? 80 : n === 'domain' && p === 'udp' ? 53 : undefined),
  };
  t.like(parse('-A -t localhost:www', names), { service: { key: tcp('127.0.0.1', 80) } });
  t.like(parse('-A -u 192.0.2.1:domain', names), { service: { key: udp('192.0.2.1', 53) } });
  t.false(parseIpvsadmArgs(['-A', '-t', '192.0.2.1:domain'], names).ok, 'domain is not a TCP service here');
  t.false(parseIpvsadmArgs(['-A', '-t', 'nosuchhost:80'], names).ok);
});

test('refusals carry ipvsadm\'s exit code: 2 for fail(), 255 for popt and "Try"', (t) => {
  t.deepEqual(refusal('-n -L'), ["Try `ipvsadm -h' or 'ipvsadm --help' for more information.", 255]);
  t.deepEqual(refusal(''), ["Try `ipvsadm -h' or 'ipvsadm --help' for more information.", 255]);
  t.deepEqual(refusal('-A -t 192.0.2.1:80 --foo'), ['--foo: unknown option', 255]);
  t.deepEqual(refusal('-A -t 192.0.2.1:80 -w 3'), ["Illegal 'weight' option with the 'add-service' command", 2]);
  t.deepEqual(refusal('-A -6 -f 10'), ['-6 used before -f\n', 2]);
  t.deepEqual(refusal('-a -t 192.0.2.1:80 -r [2001:db8::9]'), ['illegal real server address[:port] specified', 2]);
  t.deepEqual(refusal('-L -c --stats'), ['options conflicts in the list command', 2]);
  t.is(parseIpvsadmArgs(['--foo'], NO_NAMES, 'lvsd ipvsadm').ok ? '' : 'x', 'x');
  const r = parseIpvsadmArgs(['--foo'], NO_NAMES, 'lvsd ipvsadm');
  t.deepEqual(r.ok ? undefined : r.message, "Try `lvsd ipvsadm -h' or 'lvsd ipvsadm --help' for more information.");
});

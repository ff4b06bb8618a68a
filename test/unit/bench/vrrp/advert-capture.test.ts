import test from 'ava';
import {
  advertIntervalsMs,
  advertsOf,
  countTakeovers,
  parseTcpdumpAdvert,
  parseTcpdumpCapture,
  parseTcpdumpGarp,
  wireTakeover,
  type CapturedAdvert,
} from '../../../../bench/vrrp/advert-capture.js';

// Real lines from `tcpdump -tt -n -r` of the bench lab: lvsd VRRPv3 at 0.1 s, keepalived 2.2.7 VRRPv2 at 1 s,
// a gratuitous ARP (arping -U / keepalived) and the client's own ARP exchange.
const LVSD_V3 = '1795608803.857270 IP 192.0.2.11 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 200, intvl 10cs, length 12';
const KEEPALIVED_V2 = '1795609219.333239 IP 192.0.2.11 > 224.0.0.18: VRRPv2, Advertisement, vrid 51, prio 200, authtype none, intvl 1s, length 20';
const GARP = '1795608803.867283 ARP, Request who-has 192.0.2.50 (ff:ff:ff:ff:ff:ff) tell 192.0.2.50, length 28';
const CLIENT_ARP = '1795608810.172961 ARP, Request who-has 192.0.2.50 tell 192.0.2.100, length 28';
const ARP_REPLY = '1795608810.173006 ARP, Reply 192.0.2.50 is-at 8e:0e:bc:20:1b:d9, length 28';

test('parses VRRPv3 and VRRPv2 advert lines to the microsecond', (t) => {
  t.deepEqual(parseTcpdumpAdvert(LVSD_V3), { timeMs: 1795608803857.27, source: '192.0.2.11', version: 3, vrid: 51, priority: 200 });
  t.deepEqual(parseTcpdumpAdvert(KEEPALIVED_V2), { timeMs: 1795609219333.239, source: '192.0.2.11', version: 2, vrid: 51, priority: 200 });
});

test('anything else is not an advert', (t) => {
  for (const line of [GARP, CLIENT_ARP, ARP_REPLY, '', 'reading from file x.pcap, link-type EN10MB', LVSD_V3.replace('Advertisement', 'Unknown')]) {
    t.is(parseTcpdumpAdvert(line), undefined, line);
  }
});

test('a gratuitous ARP names the address as its own sender; the client asking is not one', (t) => {
  t.deepEqual(parseTcpdumpGarp(GARP), { timeMs: 1795608803867.283, address: '192.0.2.50' });
  t.is(parseTcpdumpGarp(CLIENT_ARP), undefined);
  t.is(parseTcpdumpGarp(ARP_REPLY), undefined);
  t.deepEqual(parseTcpdumpGarp('1795608803.5 ARP, Request who-has 192.0.2.50 tell 192.0.2.50, length 28'), { timeMs: 1795608803500, address: '192.0.2.50' });
});

test('parseTcpdumpCapture sorts lines into adverts and gratuitous ARPs', (t) => {
  const packets = parseTcpdumpCapture([LVSD_V3, GARP, CLIENT_ARP, ARP_REPLY, KEEPALIVED_V2, ''].join('\n'));
  t.is(packets.adverts.length, 2);
  t.deepEqual(packets.garps.map((g) => g.address), ['192.0.2.50']);
});

const M = '192.0.2.11';
const B = '192.0.2.12';
const ad = (timeMs: number, source = M, vrid = 51): CapturedAdvert => ({ timeMs, source, version: 3, vrid, priority: source === M ? 200 : 100 });

test('intervals between one sender\'s consecutive adverts', (t) => {
  const adverts = [ad(0), ad(10.4), ad(12, B), ad(20.9), ad(21, M, 52), ad(31.25)];
  const master = advertsOf(adverts, M, 51);
  t.deepEqual(master.map((a) => a.timeMs), [0, 10.4, 20.9, 31.25]);
  t.deepEqual(advertIntervalsMs(master), [10.4, 10.5, 10.35]);
  t.deepEqual(advertIntervalsMs([ad(5)]), []);
});

test('takeovers: a backup advert after the master spoke and a master down interval of its own silence', (t) => {
  const o = { master: M, backup: B, vrid: 51, advertIntervalMs: 10 };
  const cases: [string, CapturedAdvert[], number][] = [
    ['master only', [ad(0), ad(10), ad(20)], 0],
    ['one takeover, the backup yields at the next master advert', [ad(0), ad(10), ad(46, B), ad(47), ad(57)], 1],
    ['a backup that stays master with irregular adverts is one takeover', [ad(0), ad(40, B), ad(90, B), ad(300, B)], 1],
    ['a late backup advert crossing the master\'s is the same takeover', [ad(0), ad(40, B), ad(43), ad(50, B), ad(53), ad(63)], 1],
    ['two takeovers, a master down interval apart', [ad(0), ad(40, B), ad(41), ad(51), ad(61), ad(90, B), ad(91, B), ad(92)], 2],
    ['the backup is master when the window opens', [ad(0, B), ad(1), ad(11)], 1],
    ['another VRID and another sender do not count', [ad(0), ad(5, B, 52), ad(6, '192.0.2.13'), ad(10)], 0],
  ];
  for (const [name, adverts, expected] of cases) t.is(countTakeovers(adverts, o), expected, name);
});

test('wire takeover: from the master\'s last advert to the backup\'s first advert and GARP after the link went down', (t) => {
  const vip = '192.0.2.50';
  const packets = {
    adverts: [ad(1000), ad(1010), ad(1020), ad(1056.5, B), ad(1066.5, B)],
    // The master's own GARP before the link went down must not count.
    garps: [{ timeMs: 1015, address: vip }, { timeMs: 1060.25, address: '192.0.2.99' }, { timeMs: 1060.75, address: vip }],
  };
  t.deepEqual(wireTakeover(packets, { master: M, backup: B, vrid: 51, vip, linkDownMs: 1025 }), {
    lastMasterAdvertMs: 1020,
    linkDownAfterMs: 5,
    firstBackupAdvertAfterMs: 36.5,
    firstGarpAfterMs: 40.75,
  });
  t.deepEqual(wireTakeover({ adverts: [ad(1000)], garps: [] }, { master: M, backup: B, vrid: 51, vip, linkDownMs: 1005 }), { lastMasterAdvertMs: 1000, linkDownAfterMs: 5 }, 'no takeover seen');
  t.is(wireTakeover(packets, { master: M, backup: B, vrid: 51, vip, linkDownMs: 999 }), undefined, 'no master advert before the link went down');
});

/**
 * The VIP timeline of the VRRP netns tests (test/integration/netns-vrrp-timeline.ts): `ip -ts monitor`
 * lines as iproute2 6.1 prints them (captured in a namespace), the segments of a run, and which moments
 * count as the race of a transfer.
 */
import test from 'ava';
import { foldTransfers, parseMonitorLine, parseMonitorStamp, toSegments, type VipChange } from '../../integration/netns-vrrp-timeline.js';

const VIP = '192.0.2.50';
const at = (text: string): number => parseMonitorStamp(`[${text}]`) ?? NaN;

test('monitor stamps are local wall time with microseconds', (t) => {
  t.is(parseMonitorStamp('[2026-11-25T12:07:18.962760] 3: eth0'), new Date('2026-11-25T12:07:18').getTime() + 962.76);
  t.is(parseMonitorStamp('3: eth0 inet ...'), undefined);
});

test('address and link lines become changes; the last of several stamps counts; the rest is ignored', (t) => {
  const lines: [string, VipChange | undefined][] = [
    ['[2026-11-25T12:07:18.962841] [2026-11-25T12:07:18.964198] 3: eth0    inet 192.0.2.50/32 scope global eth0', { director: 'd', kind: 'vip-added', atMs: at('2026-11-25T12:07:18.964198') }],
    ['[2026-11-25T12:07:19.169075] Deleted 3: eth0    inet 192.0.2.50/32 scope global eth0', { director: 'd', kind: 'vip-removed', atMs: at('2026-11-25T12:07:19.169075') }],
    ['[2026-11-25T12:07:19.167419] 3: eth0@eth1: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN group default ', { director: 'd', kind: 'link-down', atMs: at('2026-11-25T12:07:19.167419') }],
    ['[2026-11-25T12:07:19.169023] 3: eth0@eth1: <NO-CARRIER,BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default ', { director: 'd', kind: 'link-down', atMs: at('2026-11-25T12:07:19.169023') }],
    ['[2026-11-25T12:07:19.169067] 3: eth0@eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default ', { director: 'd', kind: 'link-up', atMs: at('2026-11-25T12:07:19.169067') }],
    ['    link/ether 72:e6:59:ec:59:ae brd ff:ff:ff:ff:ff:ff', undefined],
    ['       valid_lft forever preferred_lft forever', undefined],
    ['[2026-11-25T12:07:19.167461] Deleted 3: eth0    inet6 fe80::70e6:59ff:feec:59ae/64 scope link tentative ', undefined],
    ['[2026-11-25T12:07:32.430408] 3: eth0    inet 198.51.100.1/32 scope global eth0', undefined],
    ['[2026-11-25T12:07:32.430408] 3: eth0    inet 192.0.2.500/32 scope global eth0', undefined],
  ];
  for (const [line, expected] of lines) t.deepEqual(parseMonitorLine('d', line, VIP), expected, line);
  t.like(parseMonitorLine('d', '[2026-11-25T12:07:32.430408] Deleted 3: eth0    inet6 2001:db8::50/128 scope global ', '2001:db8::50'), { kind: 'vip-removed' });
});

const change = (director: string, kind: VipChange['kind'], atMs: number): VipChange => ({ director, kind, atMs });

test('segments: a VIP on a downed link is held by nobody; each segment names the change that ended it', (t) => {
  const segments = toSegments(
    ['a', 'b'],
    [change('a', 'vip-added', 10), change('a', 'link-down', 20), change('b', 'vip-added', 30), change('a', 'link-up', 40), change('b', 'vip-removed', 45)],
    0,
  );
  t.deepEqual(
    segments.map((s) => [s.fromMs, s.holders.join('+'), s.endedBy?.kind]),
    [
      [0, '', 'vip-added'],
      [10, 'a', 'link-down'],
      [20, '', 'vip-added'],
      [30, 'b', 'link-up'],
      [40, 'a+b', 'vip-removed'],
      [45, 'a', undefined],
    ],
  );
  t.is(segments.at(-1)?.toMs, Infinity);
});

test('folding: the race of a transfer goes, a gap or an overlap a link change caused stays', (t) => {
  const run = (changes: VipChange[]): string[] => foldTransfers(toSegments(['a', 'b'], changes, 0));
  // a hands over to b; b adds first (overlap) or a removes first (gap): both fold.
  t.deepEqual(run([change('a', 'vip-added', 1), change('b', 'vip-added', 10), change('a', 'vip-removed', 11)]), ['-', 'a', 'b']);
  t.deepEqual(run([change('a', 'vip-added', 1), change('a', 'vip-removed', 10), change('b', 'vip-added', 11)]), ['-', 'a', 'b']);
  // a's link goes down: the gap until b's takeover stays; a's link comes back: the overlap stays.
  t.deepEqual(run([change('a', 'vip-added', 1), change('a', 'link-down', 10), change('b', 'vip-added', 20), change('a', 'link-up', 30), change('b', 'vip-removed', 31)]), ['-', 'a', '-', 'b', 'a+b', 'a']);
  // An overlap that ends back where it started is not a transfer.
  t.deepEqual(run([change('a', 'vip-added', 1), change('b', 'vip-added', 10), change('b', 'vip-removed', 11)]), ['-', 'a', 'a+b', 'a']);
});

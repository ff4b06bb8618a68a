/**
 * format-table.ts and ipvsadm-sort.ts on values the UML corpus cannot produce (counters beyond
 * 100 million, thousands of entries); the ordinary listings are checked against ipvsadm's own
 * output in goldens.test.ts.
 */
import test from 'ava';
import fc from 'fast-check';
import { ZERO_STATS, type IpvsService } from '../../../src/ipvs/model.js';
import { NUMERIC_NAMES } from '../../../src/ipvsadm/display-names.js';
import { formatListing, formatSave, largeNumber } from '../../../src/ipvsadm/format-table.js';
import { compareServices, glibcMergeSort } from '../../../src/ipvsadm/ipvsadm-sort.js';
import { dest, fwmark, svc, tcp, udp } from '../ipvs/ipvs-test-values.js';

test('print_largenum: 9 columns, K from 100 million, M from 1 billion, G from 100 billion, T from 100 trillion', (t) => {
  const cases: [bigint, string][] = [
    [0n, '        0'],
    [99_999_999n, ' 99999999'],
    [100_000_000n, '  100000K'],
    [999_999_999n, '  999999K'],
    [1_000_000_000n, '    1000M'],
    [99_999_999_999n, '   99999M'],
    [100_000_000_000n, '     100G'],
    [99_999_999_999_999n, '   99999G'],
    [100_000_000_000_000n, '     100T'],
    [18_446_744_073_709_551_615n, '18446744T'],
  ];
  for (const [n, want] of cases) t.is(largeNumber(n, false), want, String(n));
  t.true(cases.every(([, text]) => text.length === 9));
});

test('print_largenum --exact: at least 9 columns, one blank before longer numbers', (t) => {
  t.is(largeNumber(12n, true), '       12');
  t.is(largeNumber(12_345_678n, true), ' 12345678');
  t.is(largeNumber(123_456_789n, true), ' 123456789');
  t.is(largeNumber(18_446_744_073_709_551_615n, true), ' 18446744073709551615');
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (n) => largeNumber(n, true).trim() === n.toString() && largeNumber(n, false).length >= 9));
});

test("libipvs's comparator wraps at 2^31: 10.0.0.1 sorts after 200.1.1.1, and merge sort order follows it", (t) => {
  const a = svc(tcp('10.0.0.1', 80), 'rr');
  const b = svc(tcp('200.1.1.1', 80), 'rr');
  t.true(compareServices(a, b) > 0);
  t.true(compareServices(b, a) < 0);
  const services = ['192.0.2.1', '10.0.0.1', '200.1.1.1', '172.16.0.1', '1.2.3.4'].map((address) => svc(tcp(address, 80), 'rr'));
  const sorted = glibcMergeSort(services, compareServices).map((s: IpvsService) => (s.key.kind === 'inet' ? s.key.address.text : ''));
  // As ipvsadm 1.31 listed the same services in UML (test/fixtures/ipvsadm/goldens.json, "features").
  t.deepEqual(sorted, ['172.16.0.1', '192.0.2.1', '200.1.1.1', '1.2.3.4', '10.0.0.1']);
});

test('services sort by mark (0 for addresses, so mark 4294967295 comes first), family, protocol', (t) => {
  const list = [svc(udp('192.0.2.1', 53), 'rr'), svc(fwmark(7, 6), 'rr'), svc(fwmark(0xffffffff), 'rr'), svc(tcp('2001:db8::1', 80), 'rr'), svc(fwmark(7), 'rr'), svc(tcp('192.0.2.1', 80), 'rr')];
  const table = list.map((service) => ({ service: { service, stats: ZERO_STATS }, destinations: [] }));
  t.is(
    formatSave(table, NUMERIC_NAMES),
    ['-A -f -1 -s rr', '-A -t 192.0.2.1:80 -s rr', '-A -u 192.0.2.1:53 -s rr', '-A -t [2001:db8::1]:80 -s rr', '-A -f 7 -s rr', '-A -f 7 -6 -s rr', ''].join('\n'),
  );
});

test('glibcMergeSort is a stable sort for a consistent comparator', (t) => {
  t.notThrows(() => fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer())), (items) => {
      const sorted = glibcMergeSort(items, (a, b) => a[0] - b[0]);
      const expected = [...items].sort((a, b) => a[0] - b[0]);
      return JSON.stringify(sorted) === JSON.stringify(expected);
    }),
  ));
});

test('a listing of 10,000 real servers is one line each', (t) => {
  const service = svc(tcp('192.0.2.1', 80), 'wlc');
  const destinations = Array.from({ length: 10_000 }, (_, i) => ({
    destination: dest(`10.${200 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, 80),
    activeConnections: 0,
    inactiveConnections: 0,
    persistentConnections: 0,
    stats: ZERO_STATS,
  }));
  const text = formatListing({ versionCode: 0x010201, connectionTableSize: 4096 }, [{ service: { service, stats: ZERO_STATS }, destinations }], { isNumeric: true, isExact: false, isSorted: true, view: 'default' }, NUMERIC_NAMES);
  const lines = text.split('\n');
  t.is(lines.length, 10_005);
  t.is(lines[4], '  -> 10.200.0.0:80                Route   1      0          0         ');
});

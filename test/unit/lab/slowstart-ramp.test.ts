import test from 'ava';
import { parseIpvsadmList } from '../../../src/lab/ipvsadm-stats.js';
import { areWeightsSteady, isRampObserved, serviceWeights, weightsOf } from '../../../src/lab/slowstart-ramp.js';

// ipvsadm 1.31's layout (as in ipvsadm-stats.test.ts): rs-1 back at weight 3 of 10 during its ramp.
const LIST = [
  'IP Virtual Server version 1.2.1 (size=4096)',
  'Prot LocalAddress:Port Scheduler Flags',
  '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  'TCP  192.0.2.50:80 rr',
  '  -> 192.0.2.21:80                Route   3      0          0         ',
  '  -> 192.0.2.22:80                Route   10     0          4         ',
  '  -> 192.0.2.23:80                Route   10     1          3         ',
  'TCP  192.0.2.50:9000 rr',
  '  -> 192.0.2.21:9000              Route   1      0          0         ',
  '',
].join('\n');

const VS = { protocol: 'TCP', address: '192.0.2.50:80' };

test('serviceWeights reads one service\'s weights by destination; an unlisted service has none', (t) => {
  const services = parseIpvsadmList(LIST);
  t.deepEqual(serviceWeights(services, VS), { '192.0.2.21:80': 3, '192.0.2.22:80': 10, '192.0.2.23:80': 10 });
  t.deepEqual(serviceWeights(services, { protocol: 'TCP', address: '192.0.2.50:9000' }), { '192.0.2.21:9000': 1 });
  t.deepEqual(serviceWeights(services, { protocol: 'UDP', address: '192.0.2.50:80' }), {});
});

test('weightsOf takes one destination\'s weight from each sample, 0 where it is missing', (t) => {
  t.deepEqual(weightsOf([{ a: 1 }, { b: 10 }, { a: 4, b: 10 }], 'a'), [1, 0, 4]);
  t.deepEqual(weightsOf([], 'a'), []);
});

test('isRampObserved: non-decreasing, a weight strictly between 0 and full, ending at full', (t) => {
  const table: readonly [readonly number[], boolean, string][] = [
    [[1, 2, 4, 6, 8, 10], true, 'a ramp'],
    [[1, 1, 3, 3, 10], true, 'repeated samples'],
    [[9, 10], true, 'one sample inside the ramp is enough'],
    [[10], false, 'full at once: no ramp seen'],
    [[0, 10], false, 'only 0 and full'],
    [[1, 5, 4, 10], false, 'goes down'],
    [[1, 5, 8], false, 'never reaches full'],
    [[1, 10, 10, 9], false, 'ends below full'],
    [[], false, 'no sample'],
    [[1, 12, 10], false, 'above full then down'],
  ];
  for (const [weights, expected, what] of table) t.is(isRampObserved(weights, 10), expected, what);
});

test('areWeightsSteady: each address listed at the full weight in every sample', (t) => {
  const others = ['b', 'c'];
  t.true(areWeightsSteady([{ a: 1, b: 10, c: 10 }, { a: 5, b: 10, c: 10 }], others, 10));
  t.false(areWeightsSteady([{ a: 1, b: 10, c: 10 }, { a: 5, b: 9, c: 10 }], others, 10), 'b changed');
  t.false(areWeightsSteady([{ a: 1, b: 10, c: 10 }, { a: 5, b: 10 }], others, 10), 'c missing');
  t.false(areWeightsSteady([], others, 10), 'no sample');
  t.false(areWeightsSteady([{ a: 1 }], [], 10), 'no other address');
});

import test from 'ava';
import fc from 'fast-check';
import { adverIntervalMs, csToMs, csToV2AdverIntervalS, masterDownIntervalMs, msToCs, secondsToCs, skewTimeMs } from '../../../ha/vrrp-timers.js';

// [version, priority, Master_Adver_Interval cs, Skew_Time ms, Master_Down_Interval ms], from the RFC formulas
// worked by hand: v3 skew = (256 - p) * I / 256 cs; v2 skew = (256 - p) / 256 s; MDI = 3 * I + skew.
const table: [2 | 3, number, number, number, number][] = [
  [2, 100, 100, 609.375, 3609.375], // keepalived issue #2259 dump: 3.609375 s
  [2, 255, 100, 3.90625, 3003.90625],
  [2, 1, 100, 996.09375, 3996.09375],
  [2, 100, 300, 609.375, 9609.375], // v2 skew does not scale with the interval
  [3, 200, 10, 21.875, 321.875], // keepalived reference: v3, prio 200, 0.1 s -> 0.321875 s
  [3, 100, 100, 609.375, 3609.375],
  [3, 255, 100, 3.90625, 3003.90625],
  [3, 1, 100, 996.09375, 3996.09375],
  [3, 254, 1, 0.078125, 30.078125],
  [3, 128, 4095, 20475, 143325],
];

for (const [version, priority, masterAdverIntervalCs, skew, mdi] of table) {
  test(`v${version} priority ${priority} interval ${masterAdverIntervalCs} cs: skew ${skew} ms, master down ${mdi} ms`, (t) => {
    t.is(skewTimeMs({ version, priority, masterAdverIntervalCs }), skew);
    t.is(masterDownIntervalMs({ version, priority, masterAdverIntervalCs }), mdi);
  });
}

test("keepalived's down_timer_adverts replaces the RFC's 3", (t) => {
  t.is(masterDownIntervalMs({ version: 3, priority: 100, masterAdverIntervalCs: 100, downTimerAdverts: 5 }), 5609.375);
  t.is(masterDownIntervalMs({ version: 3, priority: 100, masterAdverIntervalCs: 100, downTimerAdverts: 1 }), 1609.375);
});

test('unit conversions', (t) => {
  t.is(csToMs(100), 1000);
  t.is(msToCs(250), 25);
  t.is(secondsToCs(3), 300);
  t.is(adverIntervalMs(1), 10);
  t.is(csToV2AdverIntervalS(100), 1);
  t.is(csToV2AdverIntervalS(25500), 255);
  t.is(csToV2AdverIntervalS(150), undefined);
  t.is(csToV2AdverIntervalS(0), undefined);
  t.is(csToV2AdverIntervalS(25600), undefined);
});

test('property: a higher priority always has a shorter skew and master down interval (RFC 5798 6.1)', (t) => {
  fc.assert(
    fc.property(fc.constantFrom(2 as const, 3 as const), fc.integer({ min: 1, max: 254 }), fc.integer({ min: 1, max: 4095 }), (version, p, cs) => {
      const low = { version, priority: p, masterAdverIntervalCs: cs };
      const high = { ...low, priority: p + 1 };
      t.true(skewTimeMs(high) < skewTimeMs(low));
      t.true(masterDownIntervalMs(high) < masterDownIntervalMs(low));
    }),
  );
});

test('property: v3 skew is always below one advertisement interval, so a release is answered within it', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 255 }), fc.integer({ min: 1, max: 4095 }), (priority, cs) => {
      t.true(skewTimeMs({ version: 3, priority, masterAdverIntervalCs: cs }) < csToMs(cs));
    }),
  );
});

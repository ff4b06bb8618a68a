import test from 'ava';
import { describeInvalidGarpSettings, KEEPALIVED_GARP_SETTINGS, planGarpRounds } from '../../../ha/garp-schedule.js';

test('keepalived defaults: five at once on becoming master, five more 5 s later', (t) => {
  t.deepEqual(planGarpRounds('became-master', KEEPALIVED_GARP_SETTINGS), [0, 0, 0, 0, 0, 5000, 5000, 5000, 5000, 5000]);
});

test('table: repeat, delay, interval and refresh as keepalived.conf(5) describes them', (t) => {
  const cases = [
    { occasion: 'became-master', settings: { masterRepeat: 1, masterDelayMs: 0 }, expected: [0] },
    { occasion: 'became-master', settings: { masterRepeat: 3, masterDelayMs: 0, intervalMs: 10 }, expected: [0, 10, 20] },
    { occasion: 'became-master', settings: { masterRepeat: 2, masterDelayMs: 1000, intervalMs: 5 }, expected: [0, 5, 1000, 1005] },
    { occasion: 'lower-priority-advert', settings: { lowerPrioRepeat: 2, lowerPrioDelayMs: 0 }, expected: [0, 0] },
    { occasion: 'lower-priority-advert', settings: { lowerPrioRepeat: 1, lowerPrioDelayMs: 2000 }, expected: [0, 2000] },
    { occasion: 'refresh', settings: { masterRefreshRepeat: 2, intervalMs: 100 }, expected: [0, 100] },
  ] as const;
  for (const c of cases) {
    t.deepEqual(planGarpRounds(c.occasion, { ...KEEPALIVED_GARP_SETTINGS, ...c.settings }), [...c.expected], `${c.occasion} ${JSON.stringify(c.settings)}`);
  }
});

test('settings out of range are named', (t) => {
  t.is(describeInvalidGarpSettings(KEEPALIVED_GARP_SETTINGS), undefined);
  t.is(describeInvalidGarpSettings({ ...KEEPALIVED_GARP_SETTINGS, masterRepeat: 0 }), 'garp masterRepeat 0 is not 1-255');
  t.is(describeInvalidGarpSettings({ ...KEEPALIVED_GARP_SETTINGS, intervalMs: -1 }), 'garp intervalMs -1 is negative or not finite');
});

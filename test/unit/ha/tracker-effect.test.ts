import test from 'ava';
import { combineTrackers, trackerOutcome, type TrackerStatus } from '../../../ha/tracker-effect.js';

const up: TrackerStatus = { kind: 'up-down', isUp: true };
const down: TrackerStatus = { kind: 'up-down', isUp: false };
const value = (v: number): TrackerStatus => ({ kind: 'value', value: v });

// [weight, reversed, status, expected] — keepalived.conf(5), track_interface / track_script / track_file.
const rows: [number, boolean, TrackerStatus, number | 'fault'][] = [
  [0, false, up, 0],
  [0, false, down, 'fault'],
  [0, true, up, 'fault'],
  [0, true, down, 0],
  [10, false, up, 10],
  [10, false, down, 0],
  [10, true, up, -10], // "decreased when up"
  [10, true, down, 0],
  [-20, false, up, 0],
  [-20, false, down, -20],
  [-20, true, up, 0],
  [-20, true, down, 20], // "increased when down"
  [0, false, value(0), 0],
  [0, false, value(3), 'fault'],
  [0, true, value(0), 'fault'],
  [0, true, value(3), 0],
  [5, false, value(3), 15],
  [5, true, value(3), -15],
  [-50, false, value(5), -250],
  [-50, false, value(6), 'fault'], // -300 is below -253
  [-1, false, value(253), -253],
  [-1, false, value(254), 'fault'],
  [7, false, { kind: 'unknown' }, 0],
];

for (const [weight, isReversed, status, expected] of rows) {
  test(`weight ${weight}${isReversed ? ' reverse' : ''}, ${JSON.stringify(status)} -> ${expected}`, (t) => {
    t.is(trackerOutcome({ name: 'x', weight, isReversed, status }), expected);
  });
}

test('combined: adjustments add up; any fault faults, and names who', (t) => {
  t.deepEqual(
    combineTrackers([
      { name: 'script a', weight: 10, isReversed: false, status: up },
      { name: 'interface eth1', weight: -20, isReversed: false, status: down },
      { name: 'file f', weight: 2, isReversed: false, status: value(4) },
    ]),
    { priorityAdjustment: -2, isFault: false, faultedBy: [] },
  );
  t.deepEqual(
    combineTrackers([
      { name: 'script a', weight: 10, isReversed: false, status: up },
      { name: 'interface eth0', weight: 0, isReversed: false, status: down },
    ]),
    { priorityAdjustment: 10, isFault: true, faultedBy: ['interface eth0'] },
  );
});

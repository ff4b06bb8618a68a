import test from 'ava';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { sleep } from '../../../src/core/clock.js';

test('timers fire in due order, ties in setting order, only when time advances', (t) => {
  const clock = new FakeClock(1000);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push('b@20'), 20);
  clock.setTimeout(() => fired.push('a@10'), 10);
  clock.setTimeout(() => fired.push('c@20'), 20);
  t.deepEqual(fired, []);
  clock.advance(15);
  t.deepEqual(fired, ['a@10']);
  t.is(clock.now(), 1015);
  clock.advance(5);
  t.deepEqual(fired, ['a@10', 'b@20', 'c@20']);
});

test('a timer set by a callback fires within the same advance when due', (t) => {
  const clock = new FakeClock();
  const at: number[] = [];
  clock.setTimeout(() => {
    at.push(clock.now());
    clock.setTimeout(() => at.push(clock.now()), 30);
  }, 10);
  clock.advance(100);
  t.deepEqual(at, [10, 40]);
  t.is(clock.now(), 100);
});

test('cancel removes a timer; runNext jumps to the next one', (t) => {
  const clock = new FakeClock();
  const fired: number[] = [];
  const timer = clock.setTimeout(() => fired.push(1), 5);
  clock.setTimeout(() => fired.push(2), 50);
  timer.cancel();
  t.is(clock.pendingCount, 1);
  t.true(clock.runNext());
  t.deepEqual(fired, [2]);
  t.is(clock.now(), 50);
  t.false(clock.runNext());
});

test('sleep resolves on the fake clock and rejects on abort', async (t) => {
  const clock = new FakeClock();
  const done = sleep(clock, 100);
  clock.advance(100);
  await t.notThrowsAsync(done);
  const ac = new AbortController();
  const aborted = sleep(clock, 100, ac.signal);
  ac.abort(new Error('stop'));
  await t.throwsAsync(aborted, { message: 'stop' });
  t.is(clock.pendingCount, 0);
});

test('time cannot go backwards', (t) => {
  t.throws(() => new FakeClock().advance(-1), { instanceOf: RangeError });
});

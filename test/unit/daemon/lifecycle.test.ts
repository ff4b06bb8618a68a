import test from 'ava';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { createMemoryLogger } from '../../../src/core/logger.js';
import { createLifecycle, type Component } from '../../../src/daemon/lifecycle.js';
import { isLvsdError } from '../../../src/core/errors.js';

function recorder(events: string[], name: string, options: { failStart?: boolean; hangStop?: boolean } = {}): Component {
  return {
    name,
    start: async () => {
      events.push(`start ${name}`);
      if (options.failStart === true) throw new Error(`${name} broke`);
    },
    stop: () => {
      events.push(`stop ${name}`);
      return options.hangStop === true ? new Promise<void>(() => undefined) : Promise.resolve();
    },
    snapshot: () => ({ name }),
  };
}

test('starts in order, stops in reverse, and a second stop does nothing', async (t) => {
  const events: string[] = [];
  const lc = createLifecycle([recorder(events, 'a'), recorder(events, 'b'), recorder(events, 'c')], { logger: createMemoryLogger(), clock: new FakeClock() });
  await lc.startAll(new AbortController().signal);
  t.deepEqual(lc.snapshot().components.map((c) => c.state), ['running', 'running', 'running']);
  await lc.stopAll(1000);
  await lc.stopAll(1000);
  t.deepEqual(events, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  t.deepEqual(lc.snapshot().components.map((c) => c.state), ['stopped', 'stopped', 'stopped']);
});

test('a failed start stops what was started, in reverse, and says which component failed', async (t) => {
  const events: string[] = [];
  const logger = createMemoryLogger();
  const lc = createLifecycle([recorder(events, 'a'), recorder(events, 'b'), recorder(events, 'c', { failStart: true }), recorder(events, 'd')], { logger, clock: new FakeClock() });
  const e = await t.throwsAsync(lc.startAll(new AbortController().signal));
  t.true(isLvsdError(e, 'ERR_COMPONENT_START'));
  t.is(e?.message, 'c failed to start: c broke');
  t.deepEqual(events, ['start a', 'start b', 'start c', 'stop b', 'stop a']);
  t.deepEqual(lc.snapshot().components.map((c) => c.state), ['stopped', 'stopped', 'failed', 'idle']);
  t.true(logger.entries.some((en) => en.message === 'component failed to start' && en.fields['name'] === 'c'));
});

test('a component that does not stop in time is logged and the rest still stop', async (t) => {
  const events: string[] = [];
  const clock = new FakeClock();
  const logger = createMemoryLogger();
  const lc = createLifecycle([recorder(events, 'a'), recorder(events, 'b', { hangStop: true })], { logger, clock });
  await lc.startAll(new AbortController().signal);
  const stopping = lc.stopAll(500);
  await Promise.resolve();
  clock.advance(500);
  await stopping;
  t.deepEqual(events, ['start a', 'start b', 'stop b', 'stop a']);
  t.true(logger.entries.some((en) => en.message === 'component did not stop in time' && en.fields['name'] === 'b'));
});

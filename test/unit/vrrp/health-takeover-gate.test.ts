import test from 'ava';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { createMemoryLogger } from '../../../src/core/logger.js';
import { createHealthTakeoverGate } from '../../../src/vrrp/health-takeover-gate.js';

const request = { instanceName: 'VI_1', vrid: 51, requestId: 1, reason: 'master-silent' as const, lastMasterAddress: null };
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

test('granted at once when the first round of health checks is complete', async (t) => {
  const gate = createHealthTakeoverGate(() => true, { clock: new FakeClock(), logger: createMemoryLogger() });
  t.deepEqual(await gate.decide(request, new AbortController().signal), { isGranted: true });
});

test('waits for the first round, then grants', async (t) => {
  const clock = new FakeClock();
  let isReady = false;
  const gate = createHealthTakeoverGate(() => isReady, { clock, logger: createMemoryLogger() });
  let decision: unknown;
  void gate.decide(request, new AbortController().signal).then((d) => (decision = d));
  clock.advance(1000);
  await flush();
  t.is(decision, undefined, 'still waiting');
  isReady = true;
  clock.advance(50);
  await flush();
  t.deepEqual(decision, { isGranted: true, detail: 'after the first round of health checks' });
});

test('an advert from a working master voids the wait: denied, nothing taken', async (t) => {
  const clock = new FakeClock();
  const gate = createHealthTakeoverGate(() => false, { clock, logger: createMemoryLogger() });
  const ac = new AbortController();
  const pending = gate.decide(request, ac.signal);
  clock.advance(200);
  ac.abort();
  t.deepEqual(await pending, { isGranted: false, detail: 'voided while waiting for the first round of health checks' });
  t.is(clock.pendingCount, 0);
});

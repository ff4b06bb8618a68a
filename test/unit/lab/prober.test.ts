import test from 'ava';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { runProber, type ProbeAttempt, type ProbeRequest, type ProberRun } from '../../../src/lab/prober.js';

/** Lets promise callbacks run, then fires the next fake timer, until `promise` settles (bounded). */
async function drive<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let isDone = false;
  void promise.then(
    () => (isDone = true),
    () => (isDone = true),
  );
  for (let i = 0; i < 100_000 && !isDone; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (!isDone && !clock.runNext()) await new Promise((resolve) => setImmediate(resolve));
  }
  return promise;
}

/** Answers after `latencyMs` with outcome/body chosen per call; settles early on abort like a socket would. */
function fakeRequest(clock: FakeClock, plan: (call: number) => { latencyMs: number; attempt: ProbeAttempt } | 'hang'): ProbeRequest & { calls: number } {
  const fn = ((signal: AbortSignal) => {
    const step = plan(fn.calls++);
    return new Promise<ProbeAttempt>((resolve) => {
      signal.addEventListener('abort', () => resolve({ outcome: 'error', detail: 'aborted' }), { once: true });
      if (step !== 'hang') clock.setTimeout(() => resolve(step.attempt), step.latencyMs);
    });
  }) as ProbeRequest & { calls: number };
  fn.calls = 0;
  return fn;
}

const ok = (name: string): ProbeAttempt => ({ outcome: 'ok', status: 200, body: `${name}\n` });

test('stops after count requests, spaced start-to-start by the interval', async (t) => {
  const clock = new FakeClock();
  const request = fakeRequest(clock, (i) => ({ latencyMs: 3, attempt: ok(`rs-${(i % 2) + 1}`) }));
  const run: ProberRun = await drive(clock, runProber({ count: 4, intervalMs: 10, timeoutMs: 100, maxDurationMs: 1000 }, { clock, request }));
  t.is(run.stoppedBy, 'count');
  t.deepEqual(
    run.records.map((r) => [r.seq, r.startMs, r.durationMs, r.outcome, r.server, r.status]),
    [
      [0, 0, 3, 'ok', 'rs-1', 200],
      [1, 10, 3, 'ok', 'rs-2', 200],
      [2, 20, 3, 'ok', 'rs-1', 200],
      [3, 30, 3, 'ok', 'rs-2', 200],
    ],
  );
  t.is(clock.pendingCount, 0, 'no timer left behind');
});

test('a slow request delays the next one instead of overlapping it', async (t) => {
  const clock = new FakeClock();
  const request = fakeRequest(clock, (i) => ({ latencyMs: i === 0 ? 25 : 1, attempt: ok('rs-1') }));
  const run = await drive(clock, runProber({ count: 3, intervalMs: 10, timeoutMs: 100, maxDurationMs: 1000 }, { clock, request }));
  t.deepEqual(run.records.map((r) => r.startMs), [0, 25, 26]);
});

test('a request with no answer is recorded as timeout after timeoutMs, and aborted', async (t) => {
  const clock = new FakeClock();
  const request = fakeRequest(clock, (i) => (i === 1 ? 'hang' : { latencyMs: 2, attempt: ok('rs-1') }));
  const run = await drive(clock, runProber({ count: 3, intervalMs: 10, timeoutMs: 50, maxDurationMs: 1000 }, { clock, request }));
  t.deepEqual(run.records.map((r) => [r.outcome, r.durationMs]), [['ok', 2], ['timeout', 50], ['ok', 2]]);
  t.is(run.records[1]?.server, undefined);
});

test('bounded by total time: stops at maxDurationMs even with count left, and cuts the last timeout short', async (t) => {
  const clock = new FakeClock();
  const request = fakeRequest(clock, () => 'hang');
  const run = await drive(clock, runProber({ count: 1000, intervalMs: 0, timeoutMs: 400, maxDurationMs: 1000 }, { clock, request }));
  t.is(run.stoppedBy, 'max-duration');
  t.deepEqual(run.records.map((r) => r.durationMs), [400, 400, 200]);
  t.is(run.durationMs, 1000);
});

test('no request starts at or after the deadline', async (t) => {
  const clock = new FakeClock();
  const request = fakeRequest(clock, () => ({ latencyMs: 1, attempt: ok('rs-1') }));
  const run = await drive(clock, runProber({ count: 100, intervalMs: 300, timeoutMs: 100, maxDurationMs: 1000 }, { clock, request }));
  t.deepEqual(run.records.map((r) => r.startMs), [0, 300, 600, 900]);
  t.is(run.stoppedBy, 'max-duration');
});

test('refused, reset and thrown errors become outcomes', async (t) => {
  const clock = new FakeClock();
  const outcomes: ProbeAttempt[] = [
    { outcome: 'refused', detail: 'ECONNREFUSED' },
    { outcome: 'reset', detail: 'ECONNRESET' },
    { outcome: 'error', status: 503, detail: 'HTTP 503' },
  ];
  const base = fakeRequest(clock, (i) => ({ latencyMs: 1, attempt: outcomes[i] ?? ok('x') }));
  const request: ProbeRequest = (signal) => (base.calls === 3 ? Promise.reject(new Error('boom')) : base(signal));
  const run = await drive(clock, runProber({ count: 4, intervalMs: 5, timeoutMs: 50, maxDurationMs: 1000 }, { clock, request }));
  t.deepEqual(run.records.map((r) => [r.outcome, r.status, r.detail]), [
    ['refused', undefined, 'ECONNREFUSED'],
    ['reset', undefined, 'ECONNRESET'],
    ['error', 503, 'HTTP 503'],
    ['error', undefined, 'boom'],
  ]);
});

test('an abort stops the loop early; records so far are kept and reported as they come', async (t) => {
  const clock = new FakeClock();
  const controller = new AbortController();
  const seen: number[] = [];
  const request = fakeRequest(clock, () => ({ latencyMs: 1, attempt: ok('rs-1') }));
  const run = await drive(
    clock,
    runProber(
      {
        count: 100,
        intervalMs: 10,
        timeoutMs: 50,
        maxDurationMs: 10_000,
        signal: controller.signal,
        onRecord: (r) => {
          seen.push(r.seq);
          if (r.seq === 2) controller.abort();
        },
      },
      { clock, request },
    ),
  );
  t.is(run.stoppedBy, 'aborted');
  t.deepEqual(seen, [0, 1, 2]);
  t.is(run.records.length, 3);
});

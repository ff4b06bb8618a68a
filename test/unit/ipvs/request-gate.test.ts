/** RequestGate: at most N in flight, dumps alone, FIFO, aborts and close. */
import test from 'ava';
import { RequestGate } from '../../../src/ipvs/request-gate.js';

/** Work whose completion the test controls. */
function controllable() {
  const running: { resolve: () => void; kind: string }[] = [];
  let concurrent = 0;
  let peak = 0;
  let isDumpWithOthers = false;
  let isDumpRunning = false;
  const work = (kind: 'doit' | 'dump') => () => {
    concurrent += 1;
    peak = Math.max(peak, concurrent);
    if (kind === 'dump') isDumpRunning = true;
    if (isDumpRunning && concurrent > 1) isDumpWithOthers = true;
    return new Promise<string>((resolve) => {
      running.push({
        kind,
        resolve: () => {
          concurrent -= 1;
          if (kind === 'dump') isDumpRunning = false;
          resolve(kind);
        },
      });
    });
  };
  return { running, work, stats: () => ({ peak, isDumpWithOthers, concurrent }) };
}

const flush = () => new Promise<void>((r) => setImmediate(r));
const aborted = () => new Error('aborted');

test('never more than maxInFlight requests run; all complete in order', async (t) => {
  const gate = new RequestGate(4);
  const c = controllable();
  const done: number[] = [];
  const all = Array.from({ length: 50 }, (_, i) => gate.run('doit', c.work('doit'), undefined, aborted).then(() => done.push(i)));
  while (done.length < 50) {
    await flush();
    c.running.shift()?.resolve();
  }
  await Promise.all(all);
  t.is(c.stats().peak, 4);
  t.deepEqual(done, Array.from({ length: 50 }, (_, i) => i));
  t.like(gate.snapshot(), { inFlight: 0, queued: 0, peakInFlight: 4, started: 50 });
});

test('a dump waits for the socket to drain and runs alone', async (t) => {
  const gate = new RequestGate(8);
  const c = controllable();
  const order: string[] = [];
  const jobs = [
    gate.run('doit', c.work('doit'), undefined, aborted).then(() => order.push('d1')),
    gate.run('doit', c.work('doit'), undefined, aborted).then(() => order.push('d2')),
    gate.run('dump', c.work('dump'), undefined, aborted).then(() => order.push('dump')),
    gate.run('doit', c.work('doit'), undefined, aborted).then(() => order.push('d3')),
  ];
  await flush();
  t.is(c.running.length, 2, 'the dump and the request behind it wait');
  while (order.length < 4) {
    c.running.shift()?.resolve();
    await flush();
  }
  await Promise.all(jobs);
  t.deepEqual(order, ['d1', 'd2', 'dump', 'd3']);
  t.false(c.stats().isDumpWithOthers);
});

test('an abort removes a queued request; a running one keeps its slot until the kernel answers', async (t) => {
  const gate = new RequestGate(1);
  const c = controllable();
  const runningAbort = new AbortController();
  const queuedAbort = new AbortController();
  const first = gate.run('doit', c.work('doit'), runningAbort.signal, aborted);
  const second = gate.run('doit', c.work('doit'), queuedAbort.signal, aborted);
  const third = gate.run('doit', c.work('doit'), undefined, aborted);
  await flush();
  queuedAbort.abort();
  await t.throwsAsync(second, { message: 'aborted' });
  runningAbort.abort();
  await t.throwsAsync(first, { message: 'aborted' });
  t.like(gate.snapshot(), { inFlight: 1, queued: 1 });
  c.running.shift()?.resolve(); // the kernel answers the aborted request
  await flush();
  t.like(gate.snapshot(), { inFlight: 1, queued: 0 });
  c.running.shift()?.resolve();
  t.is(await third, 'doit');
  t.is(c.stats().peak, 1);
});

test('close rejects what is queued and refuses new requests', async (t) => {
  const gate = new RequestGate(1);
  const c = controllable();
  const first = gate.run('doit', c.work('doit'), undefined, aborted);
  const queued = gate.run('doit', c.work('doit'), undefined, aborted);
  await flush();
  gate.close(() => new Error('closed'));
  await t.throwsAsync(queued, { message: 'closed' });
  await t.throwsAsync(gate.run('doit', c.work('doit'), undefined, aborted), { message: 'closed' });
  c.running.shift()?.resolve();
  t.is(await first, 'doit');
});

test('an already aborted signal never starts the work', async (t) => {
  const gate = new RequestGate(2);
  const c = controllable();
  await t.throwsAsync(gate.run('doit', c.work('doit'), AbortSignal.abort(), aborted), { message: 'aborted' });
  t.is(gate.snapshot().started, 0);
});

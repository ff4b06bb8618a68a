import type { AddressInfo } from 'node:net';
import test from 'ava';
import { systemClock } from '../../../src/core/clock.js';
import { connectEach, holdStream } from '../../../src/lab/stream-client.js';
import { createLineSplitter, formatStreamEvent, formatStreamReply, formatStreamRequest, parseStreamEvents, parseStreamReply, type StreamEvent } from '../../../src/lab/stream-lines.js';
import { createStreamNameServer, type StreamNameServer } from '../../../src/lab/stream-name-server.js';

async function listening(name: string): Promise<{ stream: StreamNameServer; port: number }> {
  const stream = createStreamNameServer(name);
  await new Promise<void>((resolve) => stream.server.listen(0, '127.0.0.1', resolve));
  return { stream, port: (stream.server.address() as AddressInfo).port };
}

test('wire lines: a request, the reply naming the server, and what is not a reply', (t) => {
  t.is(formatStreamRequest(7), 'seq 7\n');
  t.is(formatStreamReply('rs-2', 'seq 7'), 'rs-2 seq 7\n');
  t.deepEqual(parseStreamReply('rs-2 seq 7'), { server: 'rs-2', seq: 7 });
  t.deepEqual(parseStreamReply('rs-2 seq 7\r'), { server: 'rs-2', seq: 7 });
  for (const bad of ['', 'rs-2', 'rs-2 seq x', 'seq 7', 'a b seq 7']) t.is(parseStreamReply(bad), undefined, bad);
});

test('the line splitter joins chunks and keeps the partial line for later', (t) => {
  const split = createLineSplitter();
  t.deepEqual(split('seq 1\nseq'), ['seq 1']);
  t.deepEqual(split(' 2\n\nseq 3'), ['seq 2', '']);
  t.deepEqual(split('\n'), ['seq 3']);
});

test('events round-trip through their JSON lines; other lines are skipped', (t) => {
  const events: StreamEvent[] = [
    { event: 'connected', seq: 0, atMs: 1 },
    { event: 'reply', seq: 0, server: 'rs-1', atMs: 2 },
    { event: 'error', seq: 1, message: 'ECONNRESET', atMs: 3 },
    { event: 'closed', sent: 2, received: 1, reason: 'stopped', atMs: 4 },
  ];
  const lines = [...events.map(formatStreamEvent), 'garbage', '{"event":"reply","seq":1}', '{"event":"other","atMs":1}'];
  t.deepEqual(parseStreamEvents(lines), events);
});

test('hold: one connection answers every line from the same server until the client stops, then closes cleanly', async (t) => {
  const { stream, port } = await listening('rs-4');
  t.teardown(() => stream.close());
  const events: StreamEvent[] = [];
  const controller = new AbortController();
  const outcome = await holdStream(
    {
      host: '127.0.0.1',
      port,
      timeoutMs: 2000,
      intervalMs: 5,
      maxDurationMs: 10_000,
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.event === 'reply' && e.seq === 4) {
          t.is(stream.connectionCount(), 1);
          controller.abort();
        }
      },
    },
    { clock: systemClock },
  );
  t.is(outcome, 'stopped');
  t.deepEqual(events[0]?.event, 'connected');
  const replies = events.filter((e) => e.event === 'reply');
  t.deepEqual(replies.slice(0, 5).map((e) => (e.event === 'reply' ? `${e.server} ${e.seq}` : '')), ['rs-4 0', 'rs-4 1', 'rs-4 2', 'rs-4 3', 'rs-4 4']);
  const closed = events.at(-1);
  t.is(closed?.event, 'closed');
  // Every line sent before the close was answered: the server finishes before it closes its side.
  if (closed?.event === 'closed') t.is(closed.received, closed.sent);
  t.is(stream.connectionCount(), 0);
});

test('hold: the server going away ends the connection as peer-closed', async (t) => {
  const { stream, port } = await listening('rs-5');
  const events: StreamEvent[] = [];
  const outcome = await holdStream(
    {
      host: '127.0.0.1',
      port,
      timeoutMs: 2000,
      intervalMs: 5,
      maxDurationMs: 10_000,
      signal: new AbortController().signal,
      onEvent: (e) => {
        events.push(e);
        if (e.event === 'reply' && e.seq === 1) void stream.close();
      },
    },
    { clock: systemClock },
  );
  t.true(outcome === 'peer-closed' || outcome === 'error', outcome);
  t.not(events.at(-1)?.event, 'reply');
});

test('each: a fresh connection per line, each reporting the server; a closed port reports errors', async (t) => {
  const { stream, port } = await listening('rs-6');
  const events: StreamEvent[] = [];
  t.is(await connectEach({ host: '127.0.0.1', port, timeoutMs: 2000, count: 3, onEvent: (e) => events.push(e) }, { clock: systemClock }), 3);
  t.deepEqual(events.map((e) => (e.event === 'reply' ? `${e.seq} ${e.server}` : e.event)), ['0 rs-6', '1 rs-6', '2 rs-6']);
  await stream.close();
  const failed: StreamEvent[] = [];
  t.is(await connectEach({ host: '127.0.0.1', port, timeoutMs: 2000, count: 2, onEvent: (e) => failed.push(e) }, { clock: systemClock }), 0);
  t.deepEqual(failed.map((e) => e.event), ['error', 'error']);
});

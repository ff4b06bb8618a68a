/**
 * The lab's long-lived-connection client (stream-lines.ts is the protocol):
 *   holdStream:  one TCP connection, a request line every `intervalMs`, each reply reported, until
 *                `signal` (then a clean close: FIN, and the peer's close awaited) or `maxDurationMs`;
 *   connectEach: `count` short connections one after the other, one line each, to see where new
 *                connections go.
 * Every wait is bounded; time comes from an injected Clock.
 */
import { connect, type Socket } from 'node:net';
import { sleep, type Clock } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import { createLineSplitter, formatStreamRequest, parseStreamReply, type StreamCloseReason, type StreamEvent } from './stream-lines.js';

export interface StreamTarget {
  readonly host: string;
  readonly port: number;
  /** Connecting, one reply (each mode), and the peer's close after ours. */
  readonly timeoutMs: number;
  readonly onEvent: (event: StreamEvent) => void;
}

export interface HoldOptions extends StreamTarget {
  readonly intervalMs: number;
  readonly maxDurationMs: number;
  readonly signal: AbortSignal;
}

export interface EachOptions extends StreamTarget {
  readonly count: number;
}

/** Resolves with how the connection ended; 'error' after an error event. */
export async function holdStream(o: HoldOptions, deps: { readonly clock: Clock }): Promise<StreamCloseReason | 'error'> {
  const { clock } = deps;
  const t0 = clock.now();
  const at = (): number => Math.round(clock.now() - t0);
  let socket: Socket;
  try {
    socket = await connectWithin(o.host, o.port, o.timeoutMs, clock);
  } catch (e) {
    o.onEvent({ event: 'error', seq: 0, message: describeError(e), atMs: at() });
    return 'error';
  }
  o.onEvent({ event: 'connected', seq: 0, atMs: at() });
  let sent = 0;
  let received = 0;
  let isPeerDone = false;
  let failure: Error | undefined;
  const split = createLineSplitter();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    for (const line of split(chunk)) {
      const reply = parseStreamReply(line);
      if (reply === undefined) continue;
      received++;
      o.onEvent({ event: 'reply', seq: reply.seq, server: reply.server, atMs: at() });
    }
  });
  socket.on('end', () => (isPeerDone = true));
  socket.on('error', (e) => (failure = e));
  let reason: StreamCloseReason = 'stopped';
  while (!o.signal.aborted && failure === undefined) {
    if (isPeerDone) {
      reason = 'peer-closed';
      break;
    }
    if (clock.now() - t0 >= o.maxDurationMs) {
      reason = 'max-duration';
      break;
    }
    socket.write(formatStreamRequest(sent));
    sent++;
    await sleep(clock, o.intervalMs, o.signal).catch(() => undefined);
  }
  socket.end();
  const isClosed = await Promise.race([closed.then(() => true), sleep(clock, o.timeoutMs).then(() => false)]);
  if (!isClosed) socket.destroy();
  if (failure !== undefined) {
    o.onEvent({ event: 'error', seq: sent, message: describeError(failure), atMs: at() });
    return 'error';
  }
  o.onEvent({ event: 'closed', sent, received, reason, atMs: at() });
  return reason;
}

/** `count` connections in turn; each reports its reply or its error. Resolves with the replies seen. */
export async function connectEach(o: EachOptions, deps: { readonly clock: Clock }): Promise<number> {
  const { clock } = deps;
  const t0 = clock.now();
  const at = (): number => Math.round(clock.now() - t0);
  let replies = 0;
  for (let seq = 0; seq < o.count; seq++) {
    try {
      const server = await exchangeOnce(o.host, o.port, seq, o.timeoutMs, clock);
      replies++;
      o.onEvent({ event: 'reply', seq, server, atMs: at() });
    } catch (e) {
      o.onEvent({ event: 'error', seq, message: describeError(e), atMs: at() });
    }
  }
  return replies;
}

function connectWithin(host: string, port: number, timeoutMs: number, clock: Clock): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = clock.setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection to ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      timer.cancel();
      resolve(socket);
    });
    socket.once('error', (e) => {
      timer.cancel();
      reject(e);
    });
  });
}

/** One connection, one request line, the server's name from its reply; closed in every case. */
async function exchangeOnce(host: string, port: number, seq: number, timeoutMs: number, clock: Clock): Promise<string> {
  const socket = await connectWithin(host, port, timeoutMs, clock);
  try {
    return await new Promise<string>((resolve, reject) => {
      const split = createLineSplitter();
      const timer = clock.setTimeout(() => reject(new Error(`no reply from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        const reply = split(chunk).map(parseStreamReply).find((r) => r !== undefined);
        if (reply === undefined) return;
        timer.cancel();
        resolve(reply.server);
      });
      socket.once('error', (e) => {
        timer.cancel();
        reject(e);
      });
      socket.once('end', () => {
        timer.cancel();
        reject(new Error(`${host}:${port} closed without a reply`));
      });
      socket.write(formatStreamRequest(seq));
    });
  } finally {
    socket.end();
    socket.destroy();
  }
}

/**
 * A TCP conversation for line and byte checks (TCP send/expect, SMTP, agent): connect under the
 * probe's signal, then wait for what the server sent, never keeping more than `maxReplyBytes` (the rest
 * is cut and reading stops). Every outcome is a value; `close()` destroys the socket, and an abort
 * destroys it too, so no socket outlives its probe.
 */
import net from 'node:net';
import type { IpAddress } from '../src/core/ip.js';
import { abortedFailure, type CheckFailure } from './checker.js';
import { socketFailure, timeoutReasonOf } from './socket-failure.js';

export interface TcpEndpoint {
  readonly address: IpAddress;
  readonly port: number;
  /** Source address of the probe (keepalived `bindto`). */
  readonly bindAddress?: IpAddress;
}

/** What has arrived so far. */
export interface ReceivedBytes {
  readonly data: Buffer;
  /** The server closed its side. */
  readonly isEnded: boolean;
  /** More than the limit arrived: `data` holds the first `maxReplyBytes` and reading stopped. */
  readonly isCut: boolean;
}

export type TcpOpenResult = { readonly ok: true; readonly session: TcpSession } | CheckFailure;

/** A TCP connection to the endpoint, from its bind address when it has one. */
export function connectTo(endpoint: TcpEndpoint): net.Socket {
  return net.connect({
    host: endpoint.address.text,
    port: endpoint.port,
    family: endpoint.address.family,
    ...(endpoint.bindAddress === undefined ? {} : { localAddress: endpoint.bindAddress.text }),
  });
}

export function openTcpSession(endpoint: TcpEndpoint, signal: AbortSignal, elapsed: () => number, maxReplyBytes: number): Promise<TcpOpenResult> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(abortedFailure(signal, 'connect-timeout', elapsed(), 'TCP connection'));
      return;
    }
    const socket = connectTo(endpoint);
    const cleanup = (): void => {
      signal.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      socket.removeListener('connect', onConnect);
    };
    const onAbort = (): void => {
      cleanup();
      socket.destroy();
      resolve(abortedFailure(signal, 'connect-timeout', elapsed(), 'TCP connection'));
    };
    const onError = (error: Error): void => {
      cleanup();
      socket.destroy();
      resolve(socketFailure(error, 'connect', elapsed()));
    };
    const onConnect = (): void => {
      cleanup();
      socket.setNoDelay(true);
      resolve({ ok: true, session: new TcpSession(socket, signal, elapsed, maxReplyBytes) });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', onConnect);
  });
}

type Waiter = () => void;

export class TcpSession {
  private data = Buffer.alloc(0);
  private isEnded = false;
  private isCut = false;
  private error: Error | undefined;
  private waiter: Waiter | undefined;
  private readonly onAbort = (): void => {
    this.socket.destroy();
    this.waiter?.();
  };

  constructor(
    private readonly socket: net.Socket,
    private readonly signal: AbortSignal,
    private readonly elapsed: () => number,
    private readonly maxReplyBytes: number,
  ) {
    socket.on('data', (chunk: Buffer) => {
      if (this.isCut) return;
      const room = this.maxReplyBytes - this.data.length;
      if (chunk.length > room) {
        this.data = Buffer.concat([this.data, chunk.subarray(0, room)]);
        this.isCut = true;
        socket.pause();
      } else {
        this.data = Buffer.concat([this.data, chunk]);
      }
      this.waiter?.();
    });
    socket.on('end', () => {
      this.isEnded = true;
      this.waiter?.();
    });
    socket.on('error', (error) => {
      this.error ??= error;
      this.waiter?.();
    });
    socket.on('close', () => {
      this.isEnded = true;
      this.waiter?.();
    });
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Everything received so far, then forgets it (for the next exchange). */
  consume(byteCount: number): void {
    this.data = this.data.subarray(Math.min(byteCount, this.data.length));
  }

  write(bytes: Uint8Array | string): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /**
   * Resolves with `evaluate`'s first defined value. It sees every change; when the server closed,
   * reset, or sent more than the limit and `evaluate` still has no answer, the result is a failure
   * (`closed-early`, `reset`, `reply-too-large`); when the signal aborts, the phase's timeout.
   */
  waitFor<T>(evaluate: (received: ReceivedBytes) => T | undefined, what: string): Promise<{ readonly ok: true; readonly value: T } | CheckFailure> {
    return new Promise((resolve) => {
      const check = (): void => {
        const received: ReceivedBytes = { data: this.data, isEnded: this.isEnded, isCut: this.isCut };
        const value = evaluate(received);
        let outcome: { readonly ok: true; readonly value: T } | CheckFailure | undefined;
        if (value !== undefined) outcome = { ok: true, value };
        else if (this.signal.aborted) outcome = abortedFailure(this.signal, timeoutReasonOf('reply'), this.elapsed(), what);
        else if (this.error !== undefined) outcome = socketFailure(this.error, 'reply', this.elapsed());
        else if (this.isCut) outcome = { ok: false, reason: 'reply-too-large', detail: `no ${what} in the first ${this.maxReplyBytes} bytes (the rest was cut)`, latencyMs: this.elapsed() };
        else if (this.isEnded) outcome = { ok: false, reason: 'closed-early', detail: `the server closed the connection before ${what} (${this.data.length} bytes received)`, latencyMs: this.elapsed() };
        if (outcome === undefined) return;
        this.waiter = undefined;
        resolve(outcome);
      };
      this.waiter = check;
      check();
    });
  }

  close(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.waiter = undefined;
    this.socket.destroy();
  }
}

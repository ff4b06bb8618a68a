/**
 * One UDP request and its replies, on a connected socket of its own: the kernel then delivers only
 * the target's datagrams, and an ICMP port unreachable comes back as ECONNREFUSED (keepalived's
 * UDP_CHECK relies on the same). The socket is closed whatever happens.
 */
import dgram from 'node:dgram';
import type { IpAddress } from '../src/core/ip.js';
import type { CheckFailure } from './checker.js';
import { reasonOfSocketError, describeSocketError } from './socket-failure.js';

export interface UdpEndpoint {
  readonly address: IpAddress;
  readonly port: number;
  readonly bindAddress?: IpAddress;
}

/** A reply decides the outcome, or `undefined` to keep listening. */
export type ReplyEvaluator<T> = (reply: Buffer) => T | undefined;

export type UdpOutcome<T> =
  | { readonly kind: 'decided'; readonly value: T }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'failed'; readonly failure: Omit<CheckFailure, 'latencyMs'> };

export function exchangeUdp<T>(endpoint: UdpEndpoint, payload: Uint8Array, signal: AbortSignal, evaluate: ReplyEvaluator<T>): Promise<UdpOutcome<T>> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve({ kind: 'aborted' });
      return;
    }
    const socket = dgram.createSocket({ type: endpoint.address.family === 4 ? 'udp4' : 'udp6' });
    let isSettled = false;
    const finish = (outcome: UdpOutcome<T>): void => {
      if (isSettled) return;
      isSettled = true;
      signal.removeEventListener('abort', onAbort);
      socket.close();
      resolve(outcome);
    };
    const onAbort = (): void => finish({ kind: 'aborted' });
    const phase = (): 'connect' | 'reply' => (isConnected ? 'reply' : 'connect');
    let isConnected = false;
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (error: Error) => {
      const reason = reasonOfSocketError(error, phase());
      // On a connected UDP socket ECONNREFUSED is the ICMP port unreachable of the target.
      finish({ kind: 'failed', failure: { ok: false, reason: reason === 'connect-refused' ? 'port-unreachable' : reason, detail: describeSocketError(error, phase()) } });
    });
    socket.on('message', (reply: Buffer) => {
      const value = evaluate(reply);
      if (value !== undefined) finish({ kind: 'decided', value });
    });
    const connect = (): void => {
      socket.connect(endpoint.port, endpoint.address.text, () => {
        isConnected = true;
        socket.send(payload, (error) => {
          if (error !== null && error !== undefined) socket.emit('error', error);
        });
      });
    };
    if (endpoint.bindAddress === undefined) connect();
    else socket.bind({ address: endpoint.bindAddress.text, port: 0 }, connect);
  });
}

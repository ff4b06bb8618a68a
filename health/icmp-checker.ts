/**
 * PING_CHECK: one ICMP or ICMPv6 echo; the reply must come from the target before the timeout. An
 * error quoting our request (unreachable, prohibited, time exceeded) fails at once with its reason.
 *
 * Node has no ICMP socket; this adapter uses the native `raw-socket` package (CAP_NET_RAW, which lvsd
 * has as root for IPVS). keepalived can use unprivileged ping sockets (`net.ipv4.ping_group_range`);
 * Node cannot open those without a native addon, so without CAP_NET_RAW the check fails with
 * `socket-error` naming the missing capability. One raw socket per address family is shared by all
 * probes in flight and closed when none is, so an idle lvsd holds no raw socket.
 */
import { createRequire } from 'node:module';
import type { Clock } from '../src/core/clock.js';
import type { IpAddress, IpFamily } from '../src/core/ip.js';
import { abortedFailure, startStopwatch, type CheckFailureReason, type CheckResult, type CheckTarget, type HealthChecker } from './checker.js';
import { decodeIcmpV4, decodeIcmpV6, encodeEchoRequest, type IcmpEvent } from './icmp-echo.js';

interface RawSocket {
  send(buffer: Buffer, offset: number, length: number, address: string, callback: (error: Error | null, bytes: number) => void): void;
  close(): void;
  on(event: 'message', listener: (buffer: Buffer, source: string) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}

interface RawSocketModule {
  createSocket(options: { protocol: number; addressFamily?: number; bufferSize?: number }): RawSocket;
  readonly AddressFamily: { readonly IPv4: number; readonly IPv6: number };
}

const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;

export type EchoOutcome =
  | { readonly kind: 'reply' }
  | { readonly kind: 'error'; readonly reason: CheckFailureReason; readonly detail: string }
  | { readonly kind: 'aborted' };

/** Sends echo requests and matches what comes back. */
export interface IcmpEchoTransport {
  echo(address: IpAddress, signal: AbortSignal): Promise<EchoOutcome>;
}

interface Pending {
  readonly address: IpAddress;
  readonly settle: (outcome: EchoOutcome) => void;
}

interface FamilySocket {
  readonly socket: RawSocket;
  readonly pending: Map<number, Pending>;
}

const ERROR_REASONS: Readonly<Record<Extract<IcmpEvent, { kind: 'error' }>['error'], CheckFailureReason>> = {
  'network-unreachable': 'network-unreachable',
  'host-unreachable': 'host-unreachable',
  'port-unreachable': 'port-unreachable',
  prohibited: 'host-unreachable',
  'time-exceeded': 'host-unreachable',
};

export function createRawIcmpTransport(deps: { readonly random: () => number }): IcmpEchoTransport {
  const identifier = Math.floor(deps.random() * 0x10000) & 0xffff;
  let sequence = Math.floor(deps.random() * 0x10000) & 0xffff;
  const sockets = new Map<IpFamily, FamilySocket>();
  let module: RawSocketModule | undefined;

  const closeIfIdle = (family: IpFamily): void => {
    const entry = sockets.get(family);
    if (entry === undefined || entry.pending.size > 0) return;
    sockets.delete(family);
    entry.socket.close();
  };

  const open = (family: IpFamily): FamilySocket => {
    const existing = sockets.get(family);
    if (existing !== undefined) return existing;
    module ??= createRequire(import.meta.url)('raw-socket') as RawSocketModule;
    const socket = module.createSocket({
      protocol: family === 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6,
      addressFamily: family === 4 ? module.AddressFamily.IPv4 : module.AddressFamily.IPv6,
      bufferSize: 4096,
    });
    const entry: FamilySocket = { socket, pending: new Map() };
    socket.on('message', (buffer, source) => {
      const event = family === 4 ? decodeIcmpV4(buffer) : decodeIcmpV6(buffer);
      if (event.kind === 'other' || event.echo.identifier !== identifier) return;
      const pending = entry.pending.get(event.echo.sequence);
      if (pending === undefined) return;
      if (event.kind === 'reply') {
        if (source === pending.address.text) pending.settle({ kind: 'reply' });
        return;
      }
      pending.settle({ kind: 'error', reason: ERROR_REASONS[event.error], detail: `ICMP ${event.error} (code ${event.code}) from ${source}` });
    });
    socket.on('error', (error) => {
      for (const p of [...entry.pending.values()]) p.settle({ kind: 'error', reason: 'socket-error', detail: `raw ICMP socket: ${error.message}` });
      sockets.delete(family);
    });
    sockets.set(family, entry);
    return entry;
  };

  return {
    echo(address: IpAddress, signal: AbortSignal): Promise<EchoOutcome> {
      return new Promise((resolve) => {
        if (signal.aborted) {
          resolve({ kind: 'aborted' });
          return;
        }
        let entry: FamilySocket;
        try {
          entry = open(address.family);
        } catch (e) {
          resolve({ kind: 'error', reason: 'socket-error', detail: `cannot open a raw ICMP socket (needs CAP_NET_RAW): ${(e as Error).message}` });
          return;
        }
        sequence = (sequence + 1) & 0xffff;
        const seq = sequence;
        const settle = (outcome: EchoOutcome): void => {
          if (entry.pending.get(seq)?.settle !== settle) return;
          entry.pending.delete(seq);
          signal.removeEventListener('abort', onAbort);
          closeIfIdle(address.family);
          resolve(outcome);
        };
        const onAbort = (): void => settle({ kind: 'aborted' });
        entry.pending.set(seq, { address, settle });
        signal.addEventListener('abort', onAbort, { once: true });
        const request = Buffer.from(encodeEchoRequest(address.family, { identifier, sequence: seq }, Buffer.from('lvsd-health-check')));
        entry.socket.send(request, 0, request.length, address.text, (error) => {
          if (error !== null) settle({ kind: 'error', reason: reasonOfSendError(error), detail: `sending the echo request: ${error.message}` });
        });
      });
    },
  };
}

function reasonOfSendError(error: Error): CheckFailureReason {
  const message = error.message;
  if (/EHOSTUNREACH|No route to host/i.test(message)) return 'host-unreachable';
  if (/ENETUNREACH|Network is unreachable/i.test(message)) return 'network-unreachable';
  return 'socket-error';
}

export function createIcmpChecker(deps: { readonly clock: Clock; readonly icmp: IcmpEchoTransport }): HealthChecker {
  return {
    kind: 'icmp',
    async check(target: CheckTarget, signal: AbortSignal): Promise<CheckResult> {
      const elapsed = startStopwatch(deps.clock);
      const outcome = await deps.icmp.echo(target.address, signal);
      const latencyMs = elapsed();
      switch (outcome.kind) {
        case 'reply':
          return { ok: true, latencyMs, detail: 'echo reply' };
        case 'aborted':
          return abortedFailure(signal, 'reply-timeout', latencyMs, 'echo reply');
        case 'error':
          return { ok: false, reason: outcome.reason, detail: outcome.detail, latencyMs };
      }
    },
  };
}

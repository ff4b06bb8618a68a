/**
 * The same VRRP messages over UDP (node:dgram), between lvsd directors where IP protocol 112 is dropped
 * (clouds, some firewalls). Unicast only: adverts go to each configured peer's `port`. Beyond the RFC,
 * and not understood by keepalived.
 *
 * The socket is bound to `sourceAddress` and `port`, so the source peers see is the one the VRRPv3
 * checksum covers, and the destination of everything received is `sourceAddress`. Outgoing TTL is 255
 * like protocol 112, but dgram cannot read the TTL of received datagrams: they come up with
 * `ttlOrHopLimit` undefined, and the driver counts what it assumed. Source checking is the receive
 * filter's (unicast peers only). Optional SO_BINDTODEVICE is not available in dgram; binding to the
 * address is what ties the socket to the interface.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Clock, Timer } from '../src/core/clock.js';
import { describeError } from '../src/core/errors.js';
import { parseIpAddress, type IpAddress } from '../src/core/ip.js';
import type { Logger } from '../src/core/logger.js';
import { VrrpError } from './vrrp-error.js';
import { VRRP_TTL } from './vrrp-packet.js';
import { DatagramListeners, VrrpTransportCounters, type VrrpTransport } from './vrrp-transport.js';

export interface UdpTransportOptions {
  readonly interfaceName: string;
  /** Bound, and the source of every advert. */
  readonly sourceAddress: IpAddress;
  readonly port: number;
  /** Wait before reopening after a socket error; default 1000 ms. */
  readonly reopenDelayMs?: number;
}

export interface UdpTransportDeps {
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Resolves once bound; rejects with ERR_VRRP_SOCKET (address not on this host, port taken) or ERR_VRRP_ABORTED. */
export async function openUdpTransport(options: UdpTransportOptions, deps: UdpTransportDeps, signal?: AbortSignal): Promise<VrrpTransport> {
  const logger = deps.logger.child({ component: 'udp-transport', iface: options.interfaceName });
  const counters = new VrrpTransportCounters();
  const listeners = new DatagramListeners((err) => logger.error('datagram listener failed', { err }));
  const reopenDelayMs = options.reopenDelayMs ?? 1000;
  let socket: Socket | undefined;
  let reopenTimer: Timer | undefined;
  let isClosed = false;

  const onMessage = (message: Buffer, remote: { address: string }): void => {
    const source = parseIpAddress(remote.address);
    if (!source.ok) {
      counters.drop('bad-source-address');
      return;
    }
    counters.received += 1;
    listeners.deliver({ bytes: Uint8Array.from(message), source: source.value, destination: options.sourceAddress, interface: options.interfaceName });
  };

  const scheduleReopen = (why: string): void => {
    if (isClosed || reopenTimer !== undefined) return;
    const old = socket;
    socket = undefined;
    old?.close();
    logger.warn('vrrp udp socket will be reopened', { reason: why, delayMs: reopenDelayMs });
    reopenTimer = deps.clock.setTimeout(() => {
      reopenTimer = undefined;
      if (isClosed) return;
      bindSocket(options, onMessage, undefined).then(
        (s) => {
          if (isClosed) {
            s.close();
            return;
          }
          watch(s);
          socket = s;
          counters.reopens += 1;
        },
        (e: unknown) => {
          counters.lastError = describeError(e);
          scheduleReopen(`reopen failed: ${describeError(e)}`);
        },
      );
    }, reopenDelayMs);
  };

  const watch = (s: Socket): void => {
    s.on('error', (error) => {
      counters.lastError = describeError(error);
      logger.warn('vrrp udp socket error', { err: error });
      if (socket === s) scheduleReopen('socket error');
    });
  };

  socket = await bindSocket(options, onMessage, signal);
  watch(socket);

  return {
    sourceAddress: options.sourceAddress,
    send(packet, destination) {
      const s = socket;
      if (isClosed || s === undefined) {
        counters.sendErrors += 1;
        counters.lastError = isClosed ? 'transport closed' : 'socket reopening';
        return;
      }
      s.send(packet, options.port, destination.text, (error) => {
        if (error === null || error === undefined) {
          counters.sent += 1;
          return;
        }
        counters.sendErrors += 1;
        counters.lastError = describeError(error);
        logger.warn('vrrp advert send failed', { err: error, to: destination.text });
      });
    },
    onDatagram: (listener) => listeners.add(listener),
    snapshot: () =>
      counters.snapshot({ mechanism: 'udp', interface: options.interfaceName, sourceAddress: options.sourceAddress, isOpen: !isClosed && socket !== undefined }),
    close() {
      if (isClosed) return;
      isClosed = true;
      reopenTimer?.cancel();
      listeners.clear();
      socket?.close();
      socket = undefined;
    },
  };
}

function bindSocket(options: UdpTransportOptions, onMessage: (m: Buffer, r: { address: string }) => void, signal: AbortSignal | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type: options.sourceAddress.family === 4 ? 'udp4' : 'udp6', reuseAddr: false });
    let isSettled = false;
    const fail = (e: unknown): void => {
      if (isSettled) return;
      isSettled = true;
      signal?.removeEventListener('abort', onAbort);
      s.close();
      reject(
        signal?.aborted === true
          ? new VrrpError('ERR_VRRP_ABORTED', 'udp transport: aborted while binding', { cause: e })
          : new VrrpError('ERR_VRRP_SOCKET', `cannot bind udp ${options.sourceAddress.text}:${options.port}: ${describeError(e)}`, { cause: e }),
      );
    };
    const onAbort = (): void => fail(signal?.reason);
    if (signal?.aborted === true) {
      fail(signal.reason);
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    s.once('error', fail);
    s.on('message', onMessage);
    s.bind({ address: options.sourceAddress.text, port: options.port, exclusive: true }, () => {
      if (isSettled) return;
      signal?.removeEventListener('abort', onAbort);
      s.removeListener('error', fail);
      try {
        s.setTTL(VRRP_TTL);
      } catch (e) {
        fail(e);
        return;
      }
      isSettled = true;
      resolve(s);
    });
  });
}

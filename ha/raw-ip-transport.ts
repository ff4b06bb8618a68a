/**
 * VRRP over IP protocol 112 (RFC 5798 section 5.1) with the `raw-socket` package: the transport that
 * interoperates with keepalived and routers. One socket per instance, bound to its interface
 * (SO_BINDTODEVICE), so the interface of every received datagram is known without IP_PKTINFO.
 *
 * IPv4: IP_HDRINCL, our own 20-byte header, so the source on the wire is `sourceAddress`, the address
 * the VRRPv3 pseudo-header checksum covers (with a kernel-built header the kernel picks the source);
 * TTL 255 (RFC 5798 section 5.1.1.3), TOS 0xc0 like keepalived. Received datagrams carry the IPv4
 * header, so TTL, source and destination are all checked by the receive filter.
 *
 * IPv6: lvsd's own raw socket (raw6-socket-binding.ts, native/raw6-socket.c), because an IPv6 raw socket
 * never delivers the IPv6 header and raw-socket has no recvmsg(): with IPV6_RECVHOPLIMIT and
 * IPV6_RECVPKTINFO each datagram comes with its hop limit and destination, which the receive filter
 * checks as it does IPv4's TTL and destination. IPV6_CHECKSUM at offset 6 (the kernel computes the
 * checksum on send and verifies it on receive, dropping bad ones), hop limit 255 for multicast and
 * unicast. The source of every send is `sourceAddress` (IPV6_PKTINFO), the address the checksum covers.
 * Multicast mode joins 224.0.0.18 / ff02::12 on the interface (without the join nothing arrives) and
 * turns multicast loop off. When raw-socket closes the socket (after an error) or a send throws, the
 * socket is reopened after `reopenDelayMs`, until `close()`. A send that fails in the kernel
 * (ENETUNREACH while the link is down, EPERM from a firewall, ENOBUFS) concerns that packet only: it is
 * counted, the socket stays, and the next advert goes out on it. (Reopening on it lost adverts: the one
 * queued on the socket being replaced, one advert interval after a master's link came back.) The log
 * says when sends start failing and when they recover, not every failure: at 10 ms adverts a link down
 * would be a hundred lines a second.
 */
import type { Clock, Timer } from '../src/core/clock.js';
import { describeError } from '../src/core/errors.js';
import { parseIpAddress, type IpAddress } from '../src/core/ip.js';
import type { Logger } from '../src/core/logger.js';
import { decodeIpv4Packet, encodeIpv4Header, VRRP_IPV4_TOS } from './ipv4-header.js';
import {
  bindToDevice,
  intOption,
  IP_ADD_MEMBERSHIP,
  IP_HDRINCL,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPV6_ADD_MEMBERSHIP,
  IPV6_CHECKSUM,
  IPV6_MULTICAST_HOPS,
  IPV6_MULTICAST_IF,
  IPV6_MULTICAST_LOOP,
  IPV6_UNICAST_HOPS,
  ipMreqn,
  ipv6Mreq,
  openRawSocket,
  setSocketOption,
  type RawSocket,
  type RawSocketMessageInfo,
} from './raw-socket-binding.js';
import { openRaw6Socket } from './raw6-socket-binding.js';
import { VRRP_IP_PROTOCOL, VRRP_TTL } from './vrrp-packet.js';
import { DatagramListeners, vrrpGroupFor, VrrpTransportCounters, type VrrpTransport } from './vrrp-transport.js';

export interface RawIpTransportOptions {
  readonly interfaceName: string;
  /** The interface's index (ip_mreqn, ipv6_mreq, multicast interface). */
  readonly interfaceIndex: number;
  /**
   * IPv4: the source written into every header (the instance's primary address, or unicast_src_ip).
   * IPv6: the interface's link-local address, which the kernel uses as the source.
   */
  readonly sourceAddress: IpAddress;
  /** 'multicast' joins the VRRP group; 'unicast' only hears what is sent to this host. */
  readonly mode: 'multicast' | 'unicast';
  /** Wait before reopening a failed socket; default 1000 ms. */
  readonly reopenDelayMs?: number;
}

export interface RawIpTransportDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Default: raw-socket's for IPv4 (raw-socket-binding.ts), lvsd's addon for IPv6 (raw6-socket-binding.ts);
   * a fake in unit tests. `source` and `interfaceIndex` are the IPv6 socket's IPV6_PKTINFO.
   */
  readonly openSocket?: (family: 4 | 6, protocol: number, source: IpAddress, interfaceIndex: number) => RawSocket;
}

const DEFAULT_REOPEN_DELAY_MS = 1000;

/** Opens the socket at once: throws VrrpError (ERR_VRRP_SOCKET, ERR_VRRP_NATIVE_MODULE) when it cannot. */
export function createRawIpTransport(options: RawIpTransportOptions, deps: RawIpTransportDeps): VrrpTransport {
  const family = options.sourceAddress.family;
  const logger = deps.logger.child({ component: 'raw-ip-transport', iface: options.interfaceName });
  const counters = new VrrpTransportCounters();
  const listeners = new DatagramListeners((err) => logger.error('datagram listener failed', { err }));
  const reopenDelayMs = options.reopenDelayMs ?? DEFAULT_REOPEN_DELAY_MS;
  const openSocket = deps.openSocket ?? openKernelSocket;
  let socket: RawSocket | undefined;
  /** Sends failed in a row since the last that went out (edge-triggered logging). */
  let failedInRow = 0;
  let reopenTimer: Timer | undefined;
  let isClosed = false;

  const open = (): void => {
    const s = openSocket(family, VRRP_IP_PROTOCOL, options.sourceAddress, options.interfaceIndex);
    try {
      configureSocket(s, family, options);
    } catch (e) {
      s.close();
      throw e;
    }
    s.on('message', (buffer, source, info) => onMessage(buffer, source, info));
    s.on('error', (error) => {
      counters.lastError = describeError(error);
      logger.warn('vrrp socket error', { err: error });
    });
    s.on('close', () => {
      if (socket === s) scheduleReopen('socket closed');
    });
    socket = s;
  };

  const scheduleReopen = (why: string): void => {
    if (isClosed || reopenTimer !== undefined) return;
    const old = socket;
    socket = undefined;
    if (old !== undefined) closeQuietly(old);
    logger.warn('vrrp socket will be reopened', { reason: why, delayMs: reopenDelayMs });
    reopenTimer = deps.clock.setTimeout(() => {
      reopenTimer = undefined;
      if (isClosed) return;
      try {
        open();
        counters.reopens += 1;
        logger.info('vrrp socket reopened', {});
      } catch (e) {
        counters.lastError = describeError(e);
        scheduleReopen(`reopen failed: ${describeError(e)}`);
      }
    }, reopenDelayMs);
  };

  const onMessage = (buffer: Buffer, source: string, info: RawSocketMessageInfo | undefined): void => {
    if (isClosed) return;
    if (family === 4) {
      const decoded = decodeIpv4Packet(buffer, VRRP_IP_PROTOCOL);
      if (!decoded.ok) {
        counters.drop(decoded.reason);
        return;
      }
      const { payload, source: ipSource, destination, ttl } = decoded.value;
      counters.received += 1;
      listeners.deliver({ bytes: payload, source: ipSource, destination, ttlOrHopLimit: ttl, interface: options.interfaceName });
      return;
    }
    const parsed = parseIpAddress(source);
    if (!parsed.ok) {
      counters.drop('bad-source-address');
      return;
    }
    const destination = info?.destination === undefined ? undefined : parseIpAddress(info.destination);
    if (destination !== undefined && !destination.ok) {
      counters.drop('bad-destination-address');
      return;
    }
    counters.received += 1;
    // The kernel verified the checksum (IPV6_CHECKSUM). A socket that reports no hop limit or destination
    // (a test fake) leaves them undefined, and the instance counts what it assumed.
    listeners.deliver({
      bytes: Uint8Array.from(buffer),
      source: parsed.value,
      ...(destination !== undefined ? { destination: destination.value } : {}),
      ...(info?.hopLimit !== undefined ? { ttlOrHopLimit: info.hopLimit } : {}),
      isChecksumVerified: true,
      interface: options.interfaceName,
    });
  };

  open();

  return {
    sourceAddress: options.sourceAddress,
    send(packet, destination) {
      const s = socket;
      if (isClosed || s === undefined) {
        counters.sendErrors += 1;
        counters.lastError = isClosed ? 'transport closed' : 'socket reopening';
        return;
      }
      const datagram = family === 4 ? withIpv4Header(packet, options.sourceAddress, destination) : Buffer.from(packet);
      try {
        s.send(datagram, 0, datagram.length, destination.text, (error) => {
          if (error === null) {
            counters.sent += 1;
            if (failedInRow > 0) logger.info('vrrp advert sends recovered', { failed: failedInRow, to: destination.text });
            failedInRow = 0;
            return;
          }
          counters.sendErrors += 1;
          counters.lastError = describeError(error);
          if (failedInRow === 0) logger.warn('vrrp advert send failed', { err: error, to: destination.text });
          failedInRow += 1;
        });
      } catch (e) {
        counters.sendErrors += 1;
        counters.lastError = describeError(e);
        if (socket === s) scheduleReopen('send threw');
      }
    },
    onDatagram: (listener) => listeners.add(listener),
    snapshot: () =>
      counters.snapshot({
        mechanism: `raw-ipv${family}`,
        interface: options.interfaceName,
        sourceAddress: options.sourceAddress,
        isOpen: !isClosed && socket !== undefined,
      }),
    close() {
      if (isClosed) return;
      isClosed = true;
      reopenTimer?.cancel();
      reopenTimer = undefined;
      listeners.clear();
      const s = socket;
      socket = undefined;
      if (s !== undefined) closeQuietly(s);
    },
  };
}

function openKernelSocket(family: 4 | 6, protocol: number, source: IpAddress, interfaceIndex: number): RawSocket {
  return family === 4 ? openRawSocket(4, protocol) : openRaw6Socket(protocol, source, interfaceIndex);
}

function configureSocket(s: RawSocket, family: 4 | 6, options: RawIpTransportOptions): void {
  bindToDevice(s, options.interfaceName);
  const group = vrrpGroupFor(family);
  if (family === 4) {
    setSocketOption(s, 'IP_HDRINCL', IPPROTO_IP, IP_HDRINCL, 1);
    // With IP_HDRINCL the TTL and TOS come from our header; the egress interface still matters.
    setSocketOption(s, 'IP_MULTICAST_IF', IPPROTO_IP, IP_MULTICAST_IF, ipMreqn(undefined, options.interfaceIndex));
    setSocketOption(s, 'IP_MULTICAST_LOOP', IPPROTO_IP, IP_MULTICAST_LOOP, 0);
    if (options.mode === 'multicast') {
      setSocketOption(s, 'IP_ADD_MEMBERSHIP', IPPROTO_IP, IP_ADD_MEMBERSHIP, ipMreqn(group, options.interfaceIndex));
    }
    return;
  }
  setSocketOption(s, 'IPV6_CHECKSUM', IPPROTO_IPV6, IPV6_CHECKSUM, 6);
  setSocketOption(s, 'IPV6_MULTICAST_IF', IPPROTO_IPV6, IPV6_MULTICAST_IF, intOption(options.interfaceIndex));
  setSocketOption(s, 'IPV6_MULTICAST_HOPS', IPPROTO_IPV6, IPV6_MULTICAST_HOPS, VRRP_TTL);
  setSocketOption(s, 'IPV6_UNICAST_HOPS', IPPROTO_IPV6, IPV6_UNICAST_HOPS, VRRP_TTL);
  setSocketOption(s, 'IPV6_MULTICAST_LOOP', IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0);
  if (options.mode === 'multicast') {
    setSocketOption(s, 'IPV6_ADD_MEMBERSHIP', IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, ipv6Mreq(group, options.interfaceIndex));
  }
}

function withIpv4Header(packet: Uint8Array, source: IpAddress, destination: IpAddress): Buffer {
  const header = encodeIpv4Header({
    source,
    destination,
    protocol: VRRP_IP_PROTOCOL,
    ttl: VRRP_TTL,
    tos: VRRP_IPV4_TOS,
    payloadLength: packet.length,
  });
  return Buffer.concat([header, packet]);
}

function closeQuietly(s: RawSocket): void {
  try {
    s.close();
  } catch {
    // already closed by raw-socket after an error
  }
}

/**
 * Unsolicited Neighbor Advertisements for IPv6 VIPs (RFC 4861 section 7.2.6, asked for by RFC 5798
 * section 6.4.1) from a raw ICMPv6 socket per interface: type 136, Override flag, target the VIP, the
 * Target Link-Layer Address option with the interface's MAC, to ff02::1 with hop limit 255 (RFC 4861
 * section 7.1.2 makes receivers drop anything else). The kernel computes ICMPv6 checksums itself.
 * Proven in shared/reference/node-building-blocks.md section 3 (P11); the kernel sends nothing for a
 * NODAD address, so this is the only announcement an IPv6 VIP gets.
 */
import { describeError } from '../src/core/errors.js';
import type { IpAddress } from '../src/core/ip.js';
import type { Logger } from '../src/core/logger.js';
import { GarpCounters, type GarpSender } from './garp-sender.js';
import type { LinkLookup } from './link-lookup.js';
import {
  bindToDevice,
  intOption,
  IPPROTO_ICMPV6,
  IPPROTO_IPV6,
  IPV6_MULTICAST_HOPS,
  IPV6_MULTICAST_IF,
  openRawSocket,
  setSocketOption,
  type RawSocket,
} from './raw-socket-binding.js';
import { isVrrpError } from './vrrp-error.js';

const ALL_NODES = 'ff02::1';
const ND_NEIGHBOR_ADVERT = 136;
const ND_NA_FLAG_OVERRIDE = 0x20000000;
const ND_OPT_TARGET_LINKADDR = 2;
const NA_LENGTH = 32;

export interface RawIcmpv6NaSenderDeps {
  readonly links: LinkLookup;
  readonly logger: Logger;
}

/** The 32-byte NA: header, target, and one TLLA option (8 bytes: type, length 1, MAC). Pure. */
export function encodeUnsolicitedNa(target: IpAddress, macAddress: Uint8Array): Buffer {
  const na = Buffer.alloc(NA_LENGTH);
  na[0] = ND_NEIGHBOR_ADVERT;
  na.writeUInt32BE(ND_NA_FLAG_OVERRIDE, 4);
  na.set(target.bytes, 8);
  na[24] = ND_OPT_TARGET_LINKADDR;
  na[25] = 1;
  na.set(macAddress.subarray(0, 6), 26);
  return na;
}

export function createRawIcmpv6NaSender(deps: RawIcmpv6NaSenderDeps): GarpSender {
  const logger = deps.logger.child({ component: 'icmpv6-na-sender' });
  const counters = new GarpCounters();
  const sockets = new Map<string, RawSocket>();
  let isClosed = false;

  const socketFor = (interfaceName: string, index: number): RawSocket => {
    const existing = sockets.get(interfaceName);
    if (existing !== undefined) return existing;
    const s = openRawSocket(6, IPPROTO_ICMPV6);
    try {
      bindToDevice(s, interfaceName);
      setSocketOption(s, 'IPV6_MULTICAST_IF', IPPROTO_IPV6, IPV6_MULTICAST_IF, intOption(index));
      setSocketOption(s, 'IPV6_MULTICAST_HOPS', IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255);
    } catch (e) {
      s.close();
      throw e;
    }
    s.on('error', (err) => logger.warn('icmpv6 socket error', { err, iface: interfaceName }));
    s.on('close', () => {
      if (sockets.get(interfaceName) === s) sockets.delete(interfaceName); // reopened on the next announce
    });
    s.on('message', () => undefined); // ICMPv6 traffic the socket hears is of no interest
    sockets.set(interfaceName, s);
    return s;
  };

  const fail = (reason: 'send-failed' | 'no-such-interface', address: IpAddress, interfaceName: string, err: unknown): void =>
    counters.failLogged(logger, 'unsolicited neighbour advertisement failed', reason, address, interfaceName, err);

  return {
    announce(address, interfaceName) {
      if (!counters.start(isClosed)) return;
      counters.inFlight += 1;
      deps.links
        .lookup(interfaceName)
        .then((info) => {
          if (isClosed) return;
          const na = encodeUnsolicitedNa(address, info.macAddress);
          socketFor(interfaceName, info.index).send(na, 0, na.length, ALL_NODES, (error) => {
            if (error === null) counters.succeeded += 1;
            else fail('send-failed', address, interfaceName, error);
          });
        })
        .catch((err: unknown) => fail(isVrrpError(err, 'ERR_VRRP_NO_SUCH_INTERFACE') ? 'no-such-interface' : 'send-failed', address, interfaceName, err))
        .finally(() => {
          counters.inFlight -= 1;
        });
    },
    prepare(address, interfaceName) {
      if (isClosed) return;
      deps.links
        .lookup(interfaceName)
        .then((info) => {
          if (!isClosed) socketFor(interfaceName, info.index);
        })
        .catch((err: unknown) => logger.warn('unsolicited neighbour advertisements will fail', { vip: address.text, iface: interfaceName, err: describeError(err) }));
    },
    snapshot: () => counters.snapshot(),
    close() {
      if (isClosed) return;
      isClosed = true;
      for (const s of sockets.values()) s.close();
      sockets.clear();
    },
  };
}

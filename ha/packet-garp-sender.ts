/**
 * Gratuitous ARP for IPv4 VIPs (RFC 5798 section 6.4.1) written by lvsd itself: one Ethernet frame per
 * announcement through the addon's send-only AF_PACKET socket (native/packet-socket.c), from the calling
 * thread, with no process started. The frame is the one iputils `arping -U` sends (checked with tcpdump):
 * an ARP request to ff:ff:ff:ff:ff:ff whose sender and target protocol address are both the VIP, sender
 * hardware address the interface's MAC (the virtual MAC on a macvlan), target hardware address
 * ff:ff:ff:ff:ff:ff; 42 bytes.
 *
 * It replaces iputils arping, which lvsd started for each announcement (through a resident /bin/sh
 * helper, so that Node itself never forked on a takeover): a fork and an exec per GARP, which put the
 * first GARP milliseconds after becoming master on a loaded host (the VRRP benchmark saw lvsd's GARP
 * about 5 ms after keepalived's). Here it leaves in the same event-loop turn as the VIP's add ack.
 *
 * The interface's index and MAC are looked up on every announcement (two ioctls), so a re-created
 * interface (a virtual MAC's macvlan) is announced as it is now. Sends are synchronous: the kernel
 * accepted the frame, or said why (counted, logged).
 */
import { describeError } from '../src/core/errors.js';
import type { IpAddress } from '../src/core/ip.js';
import type { Logger } from '../src/core/logger.js';
import { GarpCounters, type GarpSender } from './garp-sender.js';
import { loadNativeAddon, type NativeAddon, type NativeHandle } from '../src/core/native-addon.js';

const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV4 = 0x0800;
const ARP_HARDWARE_ETHERNET = 1;
const ARP_OP_REQUEST = 1;
export const GARP_FRAME_LENGTH = 42;
const BROADCAST = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/** The 42-byte gratuitous ARP request of arping -U: Ethernet header, then the ARP packet. Pure. */
export function encodeGratuitousArp(address: IpAddress, macAddress: Uint8Array): Buffer {
  if (address.family !== 4) throw new RangeError(`gratuitous ARP is for IPv4 addresses, not ${address.text}`);
  if (macAddress.length !== 6) throw new RangeError(`a MAC address has 6 bytes, not ${macAddress.length}`);
  const frame = Buffer.alloc(GARP_FRAME_LENGTH);
  frame.set(BROADCAST, 0);
  frame.set(macAddress, 6);
  frame.writeUInt16BE(ETHERTYPE_ARP, 12);
  frame.writeUInt16BE(ARP_HARDWARE_ETHERNET, 14);
  frame.writeUInt16BE(ETHERTYPE_IPV4, 16);
  frame[18] = 6;
  frame[19] = 4;
  frame.writeUInt16BE(ARP_OP_REQUEST, 20);
  frame.set(macAddress, 22);
  frame.set(address.bytes, 28);
  frame.set(BROADCAST, 32);
  frame.set(address.bytes, 38);
  return frame;
}

export interface PacketGarpSenderDeps {
  readonly logger: Logger;
  /** Default: the addon (src/core/native-addon.ts); a fake in unit tests. */
  readonly addon?: Pick<NativeAddon, 'packetOpen' | 'packetInterface' | 'packetSend' | 'packetClose'>;
}

export function createPacketGarpSender(deps: PacketGarpSenderDeps): GarpSender {
  const logger = deps.logger.child({ component: 'packet-garp-sender' });
  const counters = new GarpCounters();
  let handle: NativeHandle | undefined;
  let isClosed = false;

  const addonOf = (): Pick<NativeAddon, 'packetOpen' | 'packetInterface' | 'packetSend' | 'packetClose'> => deps.addon ?? loadNativeAddon();
  const socket = (): NativeHandle => {
    handle ??= addonOf().packetOpen();
    return handle;
  };

  const fail = (reason: 'send-failed' | 'no-such-interface', address: IpAddress, interfaceName: string, err: unknown): void =>
    counters.failLogged(logger, 'gratuitous arp failed', reason, address, interfaceName, err);

  return {
    announce(address, interfaceName) {
      if (!counters.start(isClosed)) return;
      if (address.family !== 4) {
        counters.fail('unsupported-family');
        return;
      }
      let frame: Buffer;
      let interfaceIndex: number;
      try {
        const addon = addonOf();
        const info = addon.packetInterface(socket(), interfaceName);
        frame = encodeGratuitousArp(address, info.macAddress);
        interfaceIndex = info.interfaceIndex;
      } catch (err) {
        fail((err as NodeJS.ErrnoException).code === 'ENODEV' ? 'no-such-interface' : 'send-failed', address, interfaceName, err);
        return;
      }
      const result = addonOf().packetSend(socket(), frame, interfaceIndex);
      if (result === 0) counters.succeeded += 1;
      else fail('send-failed', address, interfaceName, new Error(`sendto: ${result}`));
    },
    prepare(address, interfaceName) {
      if (isClosed) return;
      try {
        addonOf().packetInterface(socket(), interfaceName);
      } catch (err) {
        logger.warn('gratuitous arps will fail', { vip: address.text, iface: interfaceName, err: describeError(err) });
      }
    },
    snapshot: () => counters.snapshot(),
    close() {
      if (isClosed) return;
      isClosed = true;
      if (handle !== undefined) addonOf().packetClose(handle);
      handle = undefined;
    },
  };
}

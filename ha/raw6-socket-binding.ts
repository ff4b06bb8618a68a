/**
 * The IPv6 raw socket of lvsd's own addon (native/raw6-socket.c, loaded by src/core/native-addon.ts),
 * behind the same `RawSocket` shape as raw-socket's, plus what raw-socket cannot see: each received
 * datagram's hop limit and destination (recvmsg with IPV6_RECVHOPLIMIT and IPV6_RECVPKTINFO). RFC 5798
 * section 7.1 wants the hop limit checked, and an IPv6 raw socket never delivers the IPv6 header.
 *
 * Sends go out with IPV6_PKTINFO, so the source on the wire is the instance's configured one (its
 * link-local address, or unicast_src_ip), and with the interface as the scope of link-local peers.
 * A send the kernel refuses is reported through the callback with the errno's name, like raw-socket.
 */
import type { IpAddress } from '../src/core/ip.js';
import { isLvsdError } from '../src/core/errors.js';
import { loadNativeAddon, type NativeAddon, type NativeHandle } from '../src/core/native-addon.js';
import { intOption, type RawSocket, type RawSocketMessageInfo } from './raw-socket-binding.js';
import { VrrpError } from './vrrp-error.js';

type Listeners = {
  message: ((buffer: Buffer, source: string, info: RawSocketMessageInfo) => void)[];
  error: ((error: Error) => void)[];
  close: (() => void)[];
};

/**
 * Opens an IPv6 raw socket for IP `protocol`. `source` and `interfaceIndex` go into every send's
 * IPV6_PKTINFO. Throws VrrpError (ERR_VRRP_SOCKET: EPERM without CAP_NET_RAW; ERR_VRRP_NATIVE_MODULE: the
 * addon is not built).
 */
export function openRaw6Socket(protocol: number, source: IpAddress, interfaceIndex: number): RawSocket {
  const addon = loadAddon();
  const listeners: Listeners = { message: [], error: [], close: [] };
  let isClosed = false;
  let handle: NativeHandle;
  const close = (): void => {
    if (isClosed) return;
    isClosed = true;
    addon.close(handle);
    for (const l of listeners.close) l();
  };
  try {
    handle = addon.open(
      protocol,
      (payload, from, destination, hopLimit, arrivedOn) => {
        const info: RawSocketMessageInfo = {
          ...(destination !== null ? { destination } : {}),
          ...(hopLimit >= 0 ? { hopLimit } : {}),
          ...(arrivedOn > 0 ? { interfaceIndex: arrivedOn } : {}),
        };
        for (const l of listeners.message) l(payload, from, info);
      },
      (code, message) => {
        const error = Object.assign(new Error(message), { code });
        for (const l of listeners.error) l(error);
        close(); // the poll failed: nothing more arrives on it, so its owner reopens
      },
    );
  } catch (e) {
    throw new VrrpError('ERR_VRRP_SOCKET', `cannot open a raw IPv6 socket for protocol ${protocol}: ${(e as Error).message}`, { cause: e });
  }
  return {
    setOption(level, option, value, length) {
      const bytes = typeof value === 'number' ? intOption(value) : value.subarray(0, length ?? value.length);
      addon.setOption(handle, level, option, bytes);
    },
    send(buffer, offset, length, address, callback) {
      if (isClosed) throw new Error('send on a closed socket');
      const result = addon.send(handle, buffer.subarray(offset, offset + length), address, interfaceIndex, source.text, interfaceIndex);
      if (result === 0) callback(null, length);
      else callback(Object.assign(new Error(`sendmsg to ${address}: ${result}`), { code: result }), 0);
    },
    close,
    on(event: keyof Listeners, listener: never) {
      (listeners[event] as unknown[]).push(listener);
    },
  };
}

function loadAddon(): NativeAddon {
  try {
    return loadNativeAddon();
  } catch (e) {
    if (isLvsdError(e, 'ERR_NATIVE_ADDON')) throw new VrrpError('ERR_VRRP_NATIVE_MODULE', e.message, { cause: e });
    throw e;
  }
}

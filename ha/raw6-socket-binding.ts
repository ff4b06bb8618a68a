/**
 * The IPv6 raw socket of lvsd's own addon (native/raw6-socket.c, built by `npm ci` through the package's
 * install script, or `npm run build:native`), behind the same `RawSocket` shape as raw-socket's, plus
 * what raw-socket cannot see: each received datagram's hop limit and destination (recvmsg with
 * IPV6_RECVHOPLIMIT and IPV6_RECVPKTINFO). RFC 5798 section 7.1 wants the hop limit checked, and an
 * IPv6 raw socket never delivers the IPv6 header.
 *
 * Sends go out with IPV6_PKTINFO, so the source on the wire is the instance's configured one (its
 * link-local address, or unicast_src_ip), and with the interface as the scope of link-local peers.
 * A send the kernel refuses is reported through the callback with the errno's name, like raw-socket.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { IpAddress } from '../src/core/ip.js';
import type { RawSocket, RawSocketMessageInfo } from './raw-socket-binding.js';
import { VrrpError } from './vrrp-error.js';

/** What native/raw6-socket.c exports (see the comment at its top). */
interface Raw6Addon {
  open(
    protocol: number,
    onMessage: (payload: Buffer, source: string, destination: string | null, hopLimit: number, interfaceIndex: number, isTruncated: boolean) => void,
    onError: (code: string, message: string) => void,
  ): Raw6Handle;
  setOption(handle: Raw6Handle, level: number, option: number, value: Buffer): void;
  send(handle: Raw6Handle, payload: Buffer, destination: string, scopeId: number, source: string | null, interfaceIndex: number): 0 | string;
  close(handle: Raw6Handle): void;
}

declare const handleBrand: unique symbol;
type Raw6Handle = { readonly [handleBrand]: true };

/** From dist/ha/ (the compiled form of this file) to the addon node-gyp builds. */
const ADDON_PATH = fileURLToPath(new URL('../../native/build/Release/lvsd_native.node', import.meta.url));

let cached: Raw6Addon | undefined;

function loadAddon(): Raw6Addon {
  if (cached !== undefined) return cached;
  if (!existsSync(ADDON_PATH)) {
    throw new VrrpError('ERR_VRRP_NATIVE_MODULE', `lvsd's native addon is not built (${ADDON_PATH}); run \`npm ci\` or \`npm run build:native\``);
  }
  try {
    cached = createRequire(import.meta.url)(ADDON_PATH) as Raw6Addon;
    return cached;
  } catch (e) {
    throw new VrrpError('ERR_VRRP_NATIVE_MODULE', `cannot load lvsd's native addon ${ADDON_PATH}: ${(e as Error).message}`, { cause: e });
  }
}

type Listeners = {
  message: ((buffer: Buffer, source: string, info: RawSocketMessageInfo) => void)[];
  error: ((error: Error) => void)[];
  close: (() => void)[];
};

/**
 * Opens an IPv6 raw socket for IP `protocol`. `source` and `interfaceIndex` go into every send's
 * IPV6_PKTINFO. Throws VrrpError (ERR_VRRP_SOCKET: EPERM without CAP_NET_RAW; ERR_VRRP_NATIVE_MODULE).
 */
export function openRaw6Socket(protocol: number, source: IpAddress, interfaceIndex: number): RawSocket {
  const addon = loadAddon();
  const listeners: Listeners = { message: [], error: [], close: [] };
  let isClosed = false;
  let handle: Raw6Handle;
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
      const bytes = typeof value === 'number' ? intBytes(value) : value.subarray(0, length ?? value.length);
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

function intBytes(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value);
  return b;
}

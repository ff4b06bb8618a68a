/**
 * The one module that loads lvsd's own N-API addon (native/, C; built by `npm ci` through the package's
 * install script, or `npm run build:native`): a typed view of what it exports. Its parts, each
 * documented at the top of its C file:
 *  - an IPv6 raw socket that receives with recvmsg (native/raw6-socket.c; ha/raw6-socket-binding.ts);
 *  - a send-only AF_PACKET socket for Ethernet frames (native/packet-socket.c; ha/packet-garp-sender.ts);
 *  - the plain TCP check's connect (native/tcp-connect.c; health/tcp-checker.ts).
 * The addon works on any thread's event loop (the health checks' worker too).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { LvsdError } from './errors.js';

declare const handleBrand: unique symbol;
/** An opaque socket handle; the addon closes its descriptor when it is collected. */
export type NativeHandle = { readonly [handleBrand]: true };

export interface NativeAddon {
  open(
    protocol: number,
    onMessage: (payload: Buffer, source: string, destination: string | null, hopLimit: number, interfaceIndex: number, isTruncated: boolean) => void,
    onError: (code: string, message: string) => void,
  ): NativeHandle;
  setOption(handle: NativeHandle, level: number, option: number, value: Buffer): void;
  /** 0, or the errno's name. */
  send(handle: NativeHandle, payload: Buffer, destination: string, scopeId: number, source: string | null, interfaceIndex: number): 0 | string;
  close(handle: NativeHandle): void;
  packetOpen(): NativeHandle;
  packetInterface(handle: NativeHandle, interfaceName: string): { readonly interfaceIndex: number; readonly macAddress: Buffer };
  /** 0, or the errno's name. */
  packetSend(handle: NativeHandle, frame: Buffer, interfaceIndex: number): 0 | string;
  packetClose(handle: NativeHandle): void;
  /**
   * A non-blocking connect; `callback` gets 0 (connected, then closed) or the errno's name. Returns the
   * errno's name instead of a handle when the connect failed at once (the callback is then not called).
   */
  tcpConnect(address: string, port: number, bindAddress: string | null, callback: (result: 0 | string) => void): NativeHandle | string;
  /** Closes an attempt still open; its callback is not called. Idempotent. */
  tcpCancel(handle: NativeHandle): void;
}

/** From dist/src/core/ (the compiled form of this file) to the addon node-gyp builds. */
const ADDON_PATH = fileURLToPath(new URL('../../../native/build/Release/lvsd_native.node', import.meta.url));

let cached: NativeAddon | undefined;

/** Throws LvsdError ERR_NATIVE_ADDON, naming the command that builds it, when it is missing. */
export function loadNativeAddon(): NativeAddon {
  if (cached !== undefined) return cached;
  if (!existsSync(ADDON_PATH)) {
    throw new LvsdError('ERR_NATIVE_ADDON', `lvsd's native addon is not built (${ADDON_PATH}); run \`npm ci\` or \`npm run build:native\``);
  }
  try {
    cached = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
    return cached;
  } catch (e) {
    throw new LvsdError('ERR_NATIVE_ADDON', `cannot load lvsd's native addon ${ADDON_PATH}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The one module that loads lvsd's own N-API addon (native/, C; built by `npm ci` through the package's
 * install script, or `npm run build:native`): a typed view of what it exports. Two parts, each
 * documented at the top of its C file:
 *  - an IPv6 raw socket that receives with recvmsg (native/raw6-socket.c; raw6-socket-binding.ts);
 *  - a send-only AF_PACKET socket for Ethernet frames (native/packet-socket.c; packet-garp-sender.ts).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { VrrpError } from './vrrp-error.js';

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
}

/** From dist/ha/ (the compiled form of this file) to the addon node-gyp builds. */
const ADDON_PATH = fileURLToPath(new URL('../../native/build/Release/lvsd_native.node', import.meta.url));

let cached: NativeAddon | undefined;

/** Throws VrrpError ERR_VRRP_NATIVE_MODULE, naming the command that builds it, when it is missing. */
export function loadNativeAddon(): NativeAddon {
  if (cached !== undefined) return cached;
  if (!existsSync(ADDON_PATH)) {
    throw new VrrpError('ERR_VRRP_NATIVE_MODULE', `lvsd's native addon is not built (${ADDON_PATH}); run \`npm ci\` or \`npm run build:native\``);
  }
  try {
    cached = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
    return cached;
  } catch (e) {
    throw new VrrpError('ERR_VRRP_NATIVE_MODULE', `cannot load lvsd's native addon ${ADDON_PATH}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The one module that loads the native `raw-socket` package (1.8.1, CommonJS, NAN, no type
 * definitions): a typed view of the few calls we use and the Linux socket option numbers it does not
 * export by name (<linux/in.h>, <linux/in6.h>, <asm-generic/socket.h>). Proven on Node 20 in
 * shared/reference/node-building-blocks.md sections 1-3.
 */
import { createRequire } from 'node:module';
import type { IpAddress } from '../src/core/ip.js';
import { VrrpError } from './vrrp-error.js';

export const SOL_SOCKET = 1;
export const SO_BINDTODEVICE = 25;
export const SO_RCVBUF = 8;
export const IPPROTO_IP = 0;
export const IP_TOS = 1;
export const IP_HDRINCL = 3;
export const IP_MULTICAST_IF = 32;
export const IP_MULTICAST_TTL = 33;
export const IP_MULTICAST_LOOP = 34;
export const IP_ADD_MEMBERSHIP = 35;
export const IPPROTO_IPV6 = 41;
export const IPV6_CHECKSUM = 7;
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_MULTICAST_IF = 17;
export const IPV6_MULTICAST_HOPS = 18;
export const IPV6_MULTICAST_LOOP = 19;
export const IPV6_ADD_MEMBERSHIP = 20;
export const IPPROTO_ICMPV6 = 58;

/** What a socket could see of a datagram beyond its bytes and source (lvsd's IPv6 addon: raw6-socket-binding.ts). */
export interface RawSocketMessageInfo {
  readonly destination?: string;
  readonly hopLimit?: number;
  readonly interfaceIndex?: number;
}

/** What we use of a raw-socket Socket; lvsd's IPv6 raw socket (raw6-socket-binding.ts) has the same shape. */
export interface RawSocket {
  setOption(level: number, option: number, value: number | Buffer, length?: number): void;
  send(buffer: Buffer, offset: number, length: number, address: string, callback: (error: Error | null, bytes: number) => void): void;
  close(): void;
  /** raw-socket gives no `info`; lvsd's IPv6 socket gives what recvmsg saw. */
  on(event: 'message', listener: (buffer: Buffer, source: string, info?: RawSocketMessageInfo) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'close', listener: () => void): void;
}

interface RawSocketModule {
  createSocket(options: { protocol: number; addressFamily?: number; bufferSize?: number }): RawSocket;
  readonly AddressFamily: { readonly IPv4: number; readonly IPv6: number };
}

let cached: RawSocketModule | undefined;

function loadModule(): RawSocketModule {
  if (cached !== undefined) return cached;
  try {
    const require = createRequire(import.meta.url);
    cached = require('raw-socket') as RawSocketModule;
    return cached;
  } catch (e) {
    throw new VrrpError('ERR_VRRP_NATIVE_MODULE', `cannot load raw-socket (native build missing?): ${(e as Error).message}`, { cause: e });
  }
}

/** Opens a raw socket for IP `protocol`; translates the native exception (EPERM without CAP_NET_RAW). */
export function openRawSocket(family: 4 | 6, protocol: number): RawSocket {
  const raw = loadModule();
  try {
    return raw.createSocket({
      protocol,
      addressFamily: family === 4 ? raw.AddressFamily.IPv4 : raw.AddressFamily.IPv6,
      bufferSize: 4096,
    });
  } catch (e) {
    throw new VrrpError('ERR_VRRP_SOCKET', `cannot open a raw IPv${family} socket for protocol ${protocol}: ${(e as Error).message}`, { cause: e });
  }
}

/** Runs one setsockopt; a failure names the option. */
export function setSocketOption(socket: RawSocket, name: string, level: number, option: number, value: number | Buffer): void {
  try {
    if (typeof value === 'number') socket.setOption(level, option, value);
    else socket.setOption(level, option, value, value.length);
  } catch (e) {
    throw new VrrpError('ERR_VRRP_SOCKET', `setsockopt ${name} failed: ${(e as Error).message}`, { cause: e });
  }
}

/** SO_BINDTODEVICE: the NUL-terminated interface name. */
export function bindToDevice(socket: RawSocket, interfaceName: string): void {
  setSocketOption(socket, 'SO_BINDTODEVICE', SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${interfaceName}\0`, 'latin1'));
}

/** struct ip_mreqn { imr_multiaddr, imr_address, imr_ifindex } (12 bytes). */
export function ipMreqn(group: IpAddress | undefined, interfaceIndex: number, local?: IpAddress): Buffer {
  const b = Buffer.alloc(12);
  if (group !== undefined) b.set(group.bytes, 0);
  if (local !== undefined) b.set(local.bytes, 4);
  b.writeInt32LE(interfaceIndex, 8);
  return b;
}

/** struct ipv6_mreq { ipv6mr_multiaddr, ipv6mr_interface } (20 bytes). */
export function ipv6Mreq(group: IpAddress, interfaceIndex: number): Buffer {
  const b = Buffer.alloc(20);
  b.set(group.bytes, 0);
  b.writeInt32LE(interfaceIndex, 16);
  return b;
}

/** A 4-byte int option as a Buffer (setsockopt with an explicit length). */
export function intOption(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value);
  return b;
}

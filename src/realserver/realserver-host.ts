/**
 * The privileged operations that preparing a real server needs, owned by their consumer
 * (setup-realserver.ts). Implementations: kernel-realserver-host.ts (/proc/sys, rtnetlink, ip,
 * modprobe) and memory-realserver-host.ts (a working in-memory host for tests).
 * Failures are RealServerError ERR_REALSERVER_KERNEL with the cause kept.
 */
import type { IpAddress, IpPrefix } from '../core/ip.js';
import type { DeviceObservation } from './realserver-plan.js';

export interface RealServerHost {
  /** Trimmed value of /proc/sys/<name>; undefined when it does not exist. */
  readSysctl(name: string, signal?: AbortSignal): Promise<string | undefined>;
  writeSysctl(name: string, value: string, signal?: AbortSignal): Promise<void>;
  /** Undefined when the device does not exist in this network namespace. */
  readDevice(device: string, signal?: AbortSignal): Promise<DeviceObservation | undefined>;
  /** Every device holding `address`, with the prefix length it has there. */
  findAddress(address: IpAddress, signal?: AbortSignal): Promise<{ device: string; address: IpPrefix }[]>;
  setLinkUp(device: string, isUp: boolean, signal?: AbortSignal): Promise<void>;
  addAddress(device: string, address: IpPrefix, signal?: AbortSignal): Promise<void>;
  removeAddress(device: string, address: IpPrefix, signal?: AbortSignal): Promise<void>;
  loadModule(name: string, signal?: AbortSignal): Promise<void>;
  /** Idempotent. */
  close(): void;
}

/**
 * RealServerHost on the running kernel: sysctls through /proc/sys, addresses and links read and
 * addresses changed over rtnetlink (ha/rtnetlink-session.ts: one request in flight, so the
 * netlink@0.3.0 receive-queue abort cannot happen), links brought up or down with `ip link set`
 * and modules loaded with `modprobe` (one spawn each, rare: at most one of each per run).
 * Every foreign error becomes a RealServerError ERR_REALSERVER_KERNEL with the cause kept.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { rt } from 'netlink';
import { FlagsNew } from 'netlink';
import { runChecked, type CommandRunner } from '../core/command-runner.js';
import { describeError } from '../core/errors.js';
import { ipEquals, ipFromBytes, type IpAddress, type IpPrefix } from '../core/ip.js';
import { createRtnetlinkSession, type RtnetlinkSession } from '../../ha/rtnetlink-session.js';
import { RealServerError } from './realserver-error.js';
import type { RealServerHost } from './realserver-host.js';
import type { DeviceObservation } from './realserver-plan.js';

const AF_INET = 2;
const AF_INET6 = 10;
const EEXIST = 17;
const EADDRNOTAVAIL = 99;
const COMMAND_TIMEOUT_MS = 10_000;

export interface KernelRealServerHostDeps {
  readonly runner: CommandRunner;
  /** Default /proc/sys. */
  readonly sysctlRoot?: string;
}

export function createKernelRealServerHost(deps: KernelRealServerHostDeps): RealServerHost {
  const root = deps.sysctlRoot ?? '/proc/sys';
  let session: RtnetlinkSession | undefined;
  const rtnl = (): RtnetlinkSession => {
    session ??= guard('open an rtnetlink socket', () => createRtnetlinkSession());
    return session;
  };
  const links = async (signal?: AbortSignal): Promise<Map<string, { index: number; isUp: boolean }>> => {
    const all = await kernel('list links', () => rtnl().getLinks(signal));
    const out = new Map<string, { index: number; isUp: boolean }>();
    for (const l of all) {
      if (l.attrs.ifname !== undefined && l.data.index !== undefined) out.set(l.attrs.ifname, { index: l.data.index, isUp: l.data.flags?.up === true });
    }
    return out;
  };
  const indexOf = async (device: string, signal?: AbortSignal): Promise<number> => {
    const found = (await links(signal)).get(device);
    if (found === undefined) throw new RealServerError('ERR_REALSERVER_KERNEL', `no device ${device} in this network namespace`, { details: { device } });
    return found.index;
  };
  const addresses = async (signal?: AbortSignal): Promise<{ index: number; address: IpPrefix }[]> => {
    const out: { index: number; address: IpPrefix }[] = [];
    for (const m of await kernel('list addresses', () => rtnl().getAddresses(signal))) {
      const bytes = m.attrs.local ?? m.attrs.address;
      if (m.data.index === undefined || bytes === undefined || (bytes.length !== 4 && bytes.length !== 16)) continue;
      const address = ipFromBytes(bytes);
      const length = m.data.prefixlen ?? (address.family === 4 ? 32 : 128);
      out.push({ index: m.data.index, address: { address, prefixLength: length, text: `${address.text}/${length}` } });
    }
    return out;
  };
  const ip = (args: string[], signal?: AbortSignal): Promise<unknown> =>
    kernel(`ip ${args.join(' ')}`, () => runChecked(deps.runner, { file: 'ip', args, timeoutMs: COMMAND_TIMEOUT_MS, ...(signal === undefined ? {} : { signal }) }));

  return {
    async readSysctl(name) {
      try {
        return (await readFile(`${root}/${name}`, 'utf8')).trim();
      } catch {
        return undefined;
      }
    },
    async writeSysctl(name, value) {
      await kernel(`set ${name}=${value}`, () => writeFile(`${root}/${name}`, value));
    },
    async readDevice(device, signal): Promise<DeviceObservation | undefined> {
      const link = (await links(signal)).get(device);
      if (link === undefined) return undefined;
      const mine = (await addresses(signal)).filter((a) => a.index === link.index).map((a) => a.address);
      return { isUp: link.isUp, addresses: mine };
    },
    async findAddress(address: IpAddress, signal) {
      const names = new Map([...(await links(signal))].map(([name, l]) => [l.index, name] as const));
      return (await addresses(signal))
        .filter((a) => ipEquals(a.address.address, address))
        .map((a) => ({ device: names.get(a.index) ?? `#${a.index}`, address: a.address }));
    },
    async setLinkUp(device, isUp, signal) {
      await ip(['link', 'set', 'dev', device, isUp ? 'up' : 'down'], signal);
    },
    async addAddress(device, address, signal) {
      const index = await indexOf(device, signal);
      const { data, attrs } = addressMessage(address, index);
      const ack = await kernel(`add ${address.text} on ${device}`, () => rtnl().newAddress(data, attrs, FlagsNew.CREATE | FlagsNew.EXCL, signal));
      if (ack.errno !== 0 && ack.errno !== EEXIST) throw errnoError('add', address, device, ack.errno);
    },
    async removeAddress(device, address, signal) {
      const index = await indexOf(device, signal);
      const { data, attrs } = addressMessage(address, index);
      const ack = await kernel(`remove ${address.text} from ${device}`, () => rtnl().delAddress(data, { local: attrs.local, address: attrs.address }, signal));
      if (ack.errno !== 0 && ack.errno !== EADDRNOTAVAIL) throw errnoError('remove', address, device, ack.errno);
    },
    async loadModule(name, signal) {
      await kernel(`modprobe ${name}`, () => runChecked(deps.runner, { file: 'modprobe', args: [name], timeoutMs: COMMAND_TIMEOUT_MS, ...(signal === undefined ? {} : { signal }) }));
    },
    close() {
      session?.close();
    },
  };
}

function addressMessage(address: IpPrefix, index: number): { data: rt.Address; attrs: rt.AddressAttrs & { local: Buffer; address: Buffer } } {
  const bytes = Buffer.from(address.address.bytes);
  const family = address.address.family === 4 ? AF_INET : AF_INET6;
  const data: rt.Address = { family, prefixlen: address.prefixLength, index, scope: 0 };
  // No duplicate address detection: lo and tunl0 skip it anyway, and a VIP is shared on purpose.
  return { data, attrs: { local: bytes, address: bytes, ...(family === AF_INET6 ? { flags: { nodad: true } } : {}) } };
}

function errnoError(op: string, address: IpPrefix, device: string, errno: number): RealServerError {
  return new RealServerError('ERR_REALSERVER_KERNEL', `${op} ${address.text} on ${device}: kernel error ${errno}`, { details: { errno, device, address: address.text } });
}

/** Runs `work`, turning any failure into ERR_REALSERVER_KERNEL (a RealServerError passes through). */
async function kernel<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof RealServerError) throw e;
    throw new RealServerError('ERR_REALSERVER_KERNEL', `${what}: ${describeError(e)}`, { cause: e });
  }
}

function guard<T>(what: string, work: () => T): T {
  try {
    return work();
  } catch (e) {
    throw new RealServerError('ERR_REALSERVER_KERNEL', `cannot ${what}: ${describeError(e)}`, { cause: e });
  }
}

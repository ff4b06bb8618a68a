/**
 * Preparing a real server for IPVS direct routing (DR) or IP-in-IP tunnelling (TUN), as a pure
 * planner (STYLE 6): parameters, what the host looks like now and what lvsd changed before
 * (realserver-state.ts) in; the changes to make and the next state out. No I/O here.
 *
 * What a real server needs (LVS-DR and LVS-TUN, ipvsadm(8)):
 * - the VIP as a host address (/32, /128) on a device that does not answer ARP for it: `lo` (DR) or
 *   `tunl0` (TUN, from the ipip module, brought up), so that it accepts packets addressed to the VIP
 *   and answers the client directly from the VIP;
 * - IPv4 only: `arp_ignore=1` (answer ARP only for addresses of the receiving interface) and
 *   `arp_announce=2` (never use the VIP as the source of an ARP request), on `all` and on the
 *   interface given, so that the director stays the only owner of the VIP on the link. The kernel
 *   takes the larger of `all` and the interface's value, so `all` alone is enough; the interface's
 *   value also holds if someone resets `all`. IPv6 needs no sysctl: Linux answers a neighbour
 *   solicitation only for an address of the receiving interface (checked in the lab: NS for a VIP on
 *   lo stays unanswered);
 * - TUN: the decapsulated packet arrives on tunl0 from the client, whose route goes out another
 *   interface, so strict reverse-path filtering (RFC 3704) drops it. lvsd sets tunl0's rp_filter to 2
 *   (loose: the source must be routable at all). Because the kernel uses the larger of `all` and the
 *   device's value, 2 on tunl0 is loose whatever `all` says; `all` is left alone (the LVS HOWTO's
 *   `all=0` would turn the filter off on every interface).
 *
 * Order: sysctls first, then the link, then the address, so that the VIP never appears while the
 * host would still answer ARP for it. Undo goes backwards. Loading ipip is not undone: other tunnels
 * may use the module (said in the outcome's notes).
 */
import { type IpAddress, type IpPrefix } from '../core/ip.js';
import { err, ok, type Result } from '../core/result.js';
import type { RealServerErrorCode } from './realserver-error.js';
import {
  heldKey,
  REALSERVER_STATE_VERSION,
  type HeldChange,
  type RealServerMethod,
  type RealServerSetupRecord,
  type RealServerState,
} from './realserver-state.js';

export interface RealServerParams {
  readonly vip: IpAddress;
  readonly method: RealServerMethod;
  /** The interface facing the director and the clients (eth0): ARP sysctls are set on it too. */
  readonly interfaceName?: string;
}

export const DR_DEVICE = 'lo';
export const TUN_DEVICE = 'tunl0';
export const TUN_MODULE = 'ipip';
/** Loose reverse-path filtering (RFC 3704), net.ipv4.conf.*.rp_filter. */
export const RP_FILTER_LOOSE = '2';

export interface DeviceObservation {
  readonly isUp: boolean;
  readonly addresses: readonly IpPrefix[];
}

/** What the host looks like now, for the names `observationNeeds` listed. */
export interface RealServerObservation {
  /** /proc/sys name -> trimmed value; undefined: no such sysctl (the interface does not exist). */
  readonly sysctls: ReadonlyMap<string, string | undefined>;
  /** Device name -> state; undefined: no such device. */
  readonly devices: ReadonlyMap<string, DeviceObservation | undefined>;
  /** Every device holding the VIP (any prefix length), the target device included. */
  readonly vipHolders: readonly { readonly device: string; readonly address: IpPrefix }[];
}

export interface ObservationNeeds {
  readonly sysctls: readonly string[];
  readonly devices: readonly string[];
}

export type RealServerChange =
  /** Before anything else when tunl0 is missing; never undone. */
  | { readonly kind: 'load-module'; readonly module: string; readonly device: string }
  | { readonly kind: 'set-sysctl'; readonly name: string; readonly from: string; readonly to: string }
  | { readonly kind: 'link-up'; readonly device: string }
  | { readonly kind: 'link-down'; readonly device: string }
  | { readonly kind: 'add-address'; readonly device: string; readonly address: IpPrefix }
  | { readonly kind: 'remove-address'; readonly device: string; readonly address: IpPrefix };

export interface RealServerPlan {
  readonly changes: readonly RealServerChange[];
  readonly state: RealServerState;
  /** What was left alone and why, for the operator. */
  readonly notes: readonly string[];
}

export interface RealServerProblem {
  readonly code: RealServerErrorCode;
  readonly message: string;
}

/** What the host must have, in the order it is applied. */
type Item =
  | { readonly kind: 'sysctl'; readonly name: string; readonly value: string }
  | { readonly kind: 'link-up'; readonly device: string }
  | { readonly kind: 'address'; readonly device: string; readonly address: IpPrefix };

export function vipDevice(method: RealServerMethod): string {
  return method === 'dr' ? DR_DEVICE : TUN_DEVICE;
}

/** The VIP as a host prefix: /32 or /128. */
export function hostPrefix(vip: IpAddress): IpPrefix {
  const length = vip.family === 4 ? 32 : 128;
  return { address: vip, prefixLength: length, text: `${vip.text}/${length}` };
}

/** `net/ipv4/conf/<device>/<key>`: interface names may contain dots, so paths use slashes. */
export function confSysctl(device: string, key: string): string {
  return `net/ipv4/conf/${device}/${key}`;
}

/** The sysctl as an operator writes it: net.ipv4.conf.eth0.arp_ignore. */
export function formatSysctlName(name: string): string {
  const m = /^net\/ipv4\/conf\/([^/]+)\/([^/]+)$/.exec(name);
  return m === null ? name.replaceAll('/', '.') : `net.ipv4.conf.${m[1] ?? ''}.${m[2] ?? ''}`;
}

/** An interface name the kernel accepts (IFNAMSIZ 16 with the NUL, no slash or blank) and not a conf pseudo-directory. */
export function checkRealServerParams(params: RealServerParams): RealServerProblem | undefined {
  const name = params.interfaceName;
  if (name !== undefined && (!/^[^\s/:]{1,15}$/.test(name) || name === '.' || name === '..')) {
    return { code: 'ERR_REALSERVER_INVALID', message: `"${name}" is not an interface name` };
  }
  if (name === 'all' || name === 'default') {
    return { code: 'ERR_REALSERVER_INVALID', message: `--interface names a real interface (eth0), not "${name}": "all" is always set` };
  }
  if (params.method === 'tun' && params.vip.family === 6) {
    return { code: 'ERR_REALSERVER_INVALID', message: 'TUN with an IPv6 VIP needs ip6tnl0 (ip6_tunnel), which lvsd does not prepare yet; use --method dr or an IPv4 VIP' };
  }
  return undefined;
}

function desiredItems(params: RealServerParams): Item[] {
  const device = vipDevice(params.method);
  const items: Item[] = [];
  if (params.vip.family === 4) {
    for (const dev of ['all', ...(params.interfaceName === undefined ? [] : [params.interfaceName])]) {
      items.push({ kind: 'sysctl', name: confSysctl(dev, 'arp_ignore'), value: '1' });
      items.push({ kind: 'sysctl', name: confSysctl(dev, 'arp_announce'), value: '2' });
    }
  }
  if (params.method === 'tun') items.push({ kind: 'sysctl', name: confSysctl(TUN_DEVICE, 'rp_filter'), value: RP_FILTER_LOOSE });
  items.push({ kind: 'link-up', device }, { kind: 'address', device, address: hostPrefix(params.vip) });
  return items;
}

/** What the driver must read before `planRealServerSetup`. */
export function setupObservationNeeds(params: RealServerParams): ObservationNeeds {
  const sysctls = desiredItems(params).flatMap((i) => (i.kind === 'sysctl' ? [i.name] : []));
  // A tunl0 that does not exist yet gets conf/default's values when ipip creates it.
  if (params.method === 'tun') sysctls.push(confSysctl('default', 'rp_filter'));
  return { sysctls, devices: [vipDevice(params.method)] };
}

/** What the driver must read before `planRealServerUndo`. */
export function undoObservationNeeds(vip: IpAddress, state: RealServerState): ObservationNeeds {
  const mine = state.held.filter((h) => h.holders.includes(vip.text));
  return {
    sysctls: mine.flatMap((h) => (h.kind === 'sysctl' ? [h.name] : [])),
    devices: [...new Set(mine.flatMap((h) => (h.kind === 'sysctl' ? [] : [h.device])))],
  };
}

export function planRealServerSetup(params: RealServerParams, observed: RealServerObservation, state: RealServerState): Result<RealServerPlan, RealServerProblem> {
  const invalid = checkRealServerParams(params);
  if (invalid !== undefined) return err(invalid);
  const vip = params.vip.text;
  const device = vipDevice(params.method);
  const earlier = state.setups.find((s) => s.vip === vip);
  if (earlier !== undefined && earlier.method !== params.method) {
    return err({ code: 'ERR_REALSERVER_CONFLICT', message: `${vip} is set up for ${earlier.method} on ${earlier.device}: run --undo first` });
  }
  const elsewhere = observed.vipHolders.filter((h) => h.device !== device || h.address.prefixLength !== hostPrefix(params.vip).prefixLength);
  if (elsewhere.length > 0) {
    const where = elsewhere.map((h) => `${h.address.text} on ${h.device}`).join(', ');
    return err({ code: 'ERR_REALSERVER_CONFLICT', message: `the VIP is already configured (${where}): a real server holds it as ${hostPrefix(params.vip).text} on ${device} only` });
  }
  const changes: RealServerChange[] = [];
  const notes: string[] = [];
  let deviceNow = observed.devices.get(device);
  if (deviceNow === undefined) {
    if (params.method !== 'tun') return err({ code: 'ERR_REALSERVER_NO_SUCH_INTERFACE', message: `no device ${device} in this network namespace` });
    changes.push({ kind: 'load-module', module: TUN_MODULE, device });
    notes.push(`loads the ${TUN_MODULE} module for ${device}; --undo leaves it loaded (other tunnels may use it)`);
    deviceNow = { isUp: false, addresses: [] };
  }
  const held = new Map(state.held.map((h) => [heldKey(h), h] as const));
  const order = state.held.map(heldKey);
  const hold = (change: HeldChange): void => {
    const key = heldKey(change);
    const before = held.get(key);
    if (before === undefined) order.push(key);
    held.set(key, before === undefined ? change : { ...before, holders: addHolder(before.holders, vip) });
  };
  for (const item of desiredItems(params)) {
    const key = heldKey(itemAsHeld(item, []));
    const isHeld = held.has(key);
    switch (item.kind) {
      case 'sysctl': {
        const current = observed.sysctls.get(item.name) ?? predictedSysctl(item.name, observed);
        if (current === undefined) {
          const dev = /^net\/ipv4\/conf\/([^/]+)\//.exec(item.name)?.[1] ?? '?';
          return err({ code: 'ERR_REALSERVER_NO_SUCH_INTERFACE', message: `no interface ${dev} in this network namespace (${formatSysctlName(item.name)} does not exist)` });
        }
        if (current !== item.value) {
          changes.push({ kind: 'set-sysctl', name: item.name, from: current, to: item.value });
          hold({ kind: 'sysctl', name: item.name, previous: current, applied: item.value, holders: [vip] });
        } else if (isHeld) {
          hold(itemAsHeld(item, [vip]));
        }
        break;
      }
      case 'link-up':
        if (!deviceNow.isUp) {
          changes.push({ kind: 'link-up', device: item.device });
          hold(itemAsHeld(item, [vip]));
        } else if (isHeld) {
          hold(itemAsHeld(item, [vip]));
        }
        break;
      case 'address':
        if (!deviceNow.addresses.some((a) => a.text === item.address.text)) {
          changes.push({ kind: 'add-address', device: item.device, address: item.address });
          hold(itemAsHeld(item, [vip]));
        } else if (isHeld) {
          hold(itemAsHeld(item, [vip]));
        } else {
          notes.push(`${item.address.text} was already on ${item.device}: --undo leaves it there`);
        }
        break;
    }
  }
  const record: RealServerSetupRecord = { vip, method: params.method, device, ...(params.interfaceName === undefined ? {} : { interfaceName: params.interfaceName }) };
  const setups = earlier === undefined ? [...state.setups, record] : state.setups.map((s) => (s.vip === vip ? record : s));
  const next: RealServerState = { version: REALSERVER_STATE_VERSION, setups, held: order.map((k) => held.get(k)).filter((h) => h !== undefined) };
  return ok({ changes, state: next, notes });
}

/**
 * Restores what setup changed for `vip`. `method`, when given (the operator repeated the setup
 * command with --undo), must be the recorded one; the rest comes from the state.
 */
export function planRealServerUndo(vip: IpAddress, observed: RealServerObservation, state: RealServerState, method?: RealServerMethod): Result<RealServerPlan, RealServerProblem> {
  const record = state.setups.find((s) => s.vip === vip.text);
  if (record === undefined) {
    return ok({ changes: [], state, notes: [`${vip.text} is not set up by lvsd here (nothing recorded): nothing to undo`] });
  }
  if (method !== undefined && method !== record.method) {
    return err({ code: 'ERR_REALSERVER_CONFLICT', message: `${vip.text} is set up for ${record.method} on ${record.device}, not ${method}` });
  }
  const changes: RealServerChange[] = [];
  const notes: string[] = [];
  const kept: HeldChange[] = [];
  for (const h of [...state.held].reverse()) {
    if (!h.holders.includes(vip.text)) {
      kept.push(h);
      continue;
    }
    const others = h.holders.filter((x) => x !== vip.text);
    if (others.length > 0) {
      kept.push({ ...h, holders: others });
      continue;
    }
    const restore = restoreChange(h, observed);
    if (restore.change !== undefined) changes.push(restore.change);
    if (restore.note !== undefined) notes.push(restore.note);
  }
  return ok({
    changes,
    state: { version: REALSERVER_STATE_VERSION, setups: state.setups.filter((s) => s.vip !== vip.text), held: kept.reverse() },
    notes,
  });
}

function restoreChange(h: HeldChange, observed: RealServerObservation): { change?: RealServerChange; note?: string } {
  switch (h.kind) {
    case 'sysctl': {
      const current = observed.sysctls.get(h.name);
      if (current === h.applied) return { change: { kind: 'set-sysctl', name: h.name, from: current, to: h.previous } };
      if (current === undefined) return { note: `${formatSysctlName(h.name)} no longer exists: nothing to restore` };
      if (current === h.previous) return {};
      return { note: `left ${formatSysctlName(h.name)} at ${current}: lvsd set ${h.applied} (was ${h.previous}) and it has been changed since` };
    }
    case 'link-up': {
      const device = observed.devices.get(h.device);
      return device?.isUp === true ? { change: { kind: 'link-down', device: h.device } } : {};
    }
    case 'address': {
      const device = observed.devices.get(h.device);
      const address = device?.addresses.find((a) => a.text === h.address);
      return address === undefined ? {} : { change: { kind: 'remove-address', device: h.device, address } };
    }
  }
}

/** A sysctl of a device the plan is about to create (tunl0): the kernel copies conf/default's value. */
function predictedSysctl(name: string, observed: RealServerObservation): string | undefined {
  const m = /^net\/ipv4\/conf\/([^/]+)\/([^/]+)$/.exec(name);
  if (m?.[1] !== TUN_DEVICE || observed.devices.get(TUN_DEVICE) !== undefined) return undefined;
  return observed.sysctls.get(confSysctl('default', m[2] ?? ''));
}

function itemAsHeld(item: Item, holders: readonly string[]): HeldChange {
  switch (item.kind) {
    case 'sysctl':
      return { kind: 'sysctl', name: item.name, previous: item.value, applied: item.value, holders };
    case 'link-up':
      return { kind: 'link-up', device: item.device, holders };
    case 'address':
      return { kind: 'address', device: item.device, address: item.address.text, holders };
  }
}

function addHolder(holders: readonly string[], vip: string): readonly string[] {
  return holders.includes(vip) ? holders : [...holders, vip];
}

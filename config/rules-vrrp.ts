/**
 * Cross-field rules of the `vrrp` section (keepalived.conf(5) and RFC 5798 / 3768 constraints). Pure.
 * Each finding points at the key that has to change.
 */
import type { IpAddress, IpFamily } from '../src/core/ip.js';
import type { RuleFinding } from './rule-finding.js';
import type { VipConfig, VrrpConfig, VrrpInstanceConfig } from './schema-vrrp.js';

const V2_MAX_ADVERT_MS = 255_000;
const V3_MAX_ADVERT_MS = 40_950; // 12-bit field of centiseconds
const MAX_PREEMPT_DELAY_MS = 1_000_000;

export function vipAddressOf(vip: VipConfig): { family: IpFamily; text: string } {
  return { family: vip.address.address.family, text: vip.address.text };
}

/** The instance's address family: its first VIP's (IPv4 when it has none). */
export function instanceFamily(instance: VrrpInstanceConfig): IpFamily {
  const first = instance.vips[0];
  return first === undefined ? 4 : vipAddressOf(first).family;
}

/** The VRRP version an instance runs: its own, else 3 for IPv6 (v2 has no IPv6), else the default. */
export function instanceVersion(instance: VrrpInstanceConfig, defaults: VrrpConfig['defaults']): 2 | 3 {
  return instance.version ?? (instanceFamily(instance) === 6 ? 3 : defaults.version);
}

/**
 * keepalived (vrrp.c, vrrp_complete_instance): the own trackers of a sync group member, unless the group
 * has sync_group_tracking_weight, do not move its priority. The weight the tracker keeps, or undefined
 * when keepalived drops it: a weighted interface counts as weight 0 (down is FAULT), a weighted script is
 * dropped, a file of weight 1 (keepalived's default) counts as 0, a file of another weight is dropped.
 */
export function syncMemberTrackerWeight(kind: 'interface' | 'script' | 'file', weight: number): number | undefined {
  if (weight === 0 || kind === 'interface' || (kind === 'file' && weight === 1)) return 0;
  return undefined;
}

export function checkVrrpRules(vrrp: VrrpConfig): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const error = (path: (string | number)[], message: string): void => {
    findings.push({ path: ['vrrp', ...path], code: 'conflict', severity: 'error', message });
  };
  const warn = (path: (string | number)[], message: string): void => {
    findings.push({ path: ['vrrp', ...path], code: 'conflict', severity: 'warning', message });
  };
  checkUniqueNames(vrrp, error);
  const scripts = new Set(vrrp.scripts.map((s) => s.name));
  const files = new Set(vrrp.trackFiles.map((f) => f.name));
  vrrp.instances.forEach((instance, i) => {
    checkInstance(instance, ['instances', i], instanceVersion(instance, vrrp.defaults), error, warn);
    checkTrackerRefs(instance, ['instances', i], scripts, files, error);
    if (instance.priority === 255 && hasWeightedTrackers(instance, vrrp)) {
      error(['instances', i, 'priority'], 'the address owner (priority 255) cannot have weighted trackers: its priority never changes');
    }
  });
  checkVridClashes(vrrp.instances, error);
  checkVirtualMacNames(vrrp.instances, error);
  checkSyncGroups(vrrp, scripts, files, error);
  checkSyncGroupMembers(vrrp, warn);
  return findings;
}

type Report = (path: (string | number)[], message: string) => void;

function checkUniqueNames(vrrp: VrrpConfig, error: Report): void {
  const lists: [string, readonly { name: string }[]][] = [
    ['instances', vrrp.instances],
    ['scripts', vrrp.scripts],
    ['trackFiles', vrrp.trackFiles],
    ['syncGroups', vrrp.syncGroups],
  ];
  for (const [key, items] of lists) {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const first = seen.get(item.name);
      if (first !== undefined) error([key, i, 'name'], `"${item.name}" is already the name of ${key}[${first}]`);
      else seen.set(item.name, i);
    });
  }
}

function checkInstance(instance: VrrpInstanceConfig, at: (string | number)[], version: 2 | 3, error: Report, warn: Report): void {
  const family = instanceFamily(instance);
  instance.vips.forEach((vip, v) => {
    const addr = vipAddressOf(vip);
    if (addr.family !== family) error([...at, 'vips', v], `${addr.text} is IPv${addr.family}, the instance's first VIP is IPv${family}: an instance carries one family (use excludedVips for the other)`);
  });
  if (instance.vips.length === 0) warn([...at, 'vips'], 'no VIPs: adverts carry no address and nothing floats (keepalived needs no_virtual_ipaddress for this)');
  if (family === 6 && version === 2) error([...at, 'version'], 'VRRP version 2 has no IPv6 (RFC 3768): use version 3');
  const advertMs = instance.advertInterval;
  if (version === 2 && (advertMs % 1000 !== 0 || advertMs < 1000 || advertMs > V2_MAX_ADVERT_MS)) {
    error([...at, 'advertInterval'], `VRRPv2 adverts are whole seconds from 1s to 255s, not ${advertMs} ms`);
  }
  if (version === 3 && (advertMs % 10 !== 0 || advertMs < 10 || advertMs > V3_MAX_ADVERT_MS)) {
    error([...at, 'advertInterval'], `VRRPv3 adverts are 10 ms steps from 10ms to 40.95s, not ${advertMs} ms`);
  }
  if (instance.preemptDelay > MAX_PREEMPT_DELAY_MS) error([...at, 'preemptDelay'], 'preemptDelay is at most 1000s');
  if (!instance.preempt && instance.preemptDelay > 0) warn([...at, 'preemptDelay'], 'preemptDelay has no effect when preempt is false');
  if (!instance.preempt && instance.initialState === 'master') error([...at, 'preempt'], 'preempt false needs initialState backup (as keepalived\'s nopreempt needs state BACKUP)');
  if (instance.priority === 255 && !instance.preempt) error([...at, 'preempt'], 'the address owner (priority 255) always preempts');
  checkAuthentication(instance, at, version, error);
  if (instance.transport === 'udp' && instance.unicast === undefined) error([...at, 'transport'], 'the udp transport sends to unicast peers: set unicast.peers');
  checkUnicast(instance, at, family, error);
}

function checkAuthentication(instance: VrrpInstanceConfig, at: (string | number)[], version: 2 | 3, error: Report): void {
  const auth = instance.authentication;
  if (auth === undefined) return;
  if (auth.type === 'pass') {
    if (version === 3) error([...at, 'authentication'], 'VRRPv3 has no authentication field (RFC 5798): PASS needs version 2; between lvsd directors use hmac-sha256');
    return;
  }
  // lvsd's HMAC trailer: VRRPv2 is here only to speak to keepalived, which drops these adverts.
  if (version === 2) error([...at, 'authentication'], 'hmac-sha256 authenticates VRRPv3 adverts between lvsd directors (keepalived drops them): set version 3');
  if ((auth.keyFile === undefined) === (auth.key === undefined)) error([...at, 'authentication'], 'hmac-sha256 needs exactly one of keyFile and key');
}

function checkUnicast(instance: VrrpInstanceConfig, at: (string | number)[], family: IpFamily, error: Report): void {
  const unicast = instance.unicast;
  if (unicast === undefined) return;
  const wrong = (a: IpAddress): boolean => a.family !== family;
  unicast.peers.forEach((peer, p) => {
    if (wrong(peer)) error([...at, 'unicast', 'peers', p], `peer ${peer.text} is IPv${peer.family}, the instance is IPv${family}`);
  });
  if (unicast.source !== undefined) {
    if (wrong(unicast.source)) error([...at, 'unicast', 'source'], `source ${unicast.source.text} is IPv${unicast.source.family}, the instance is IPv${family}`);
    const source = unicast.source.text;
    if (unicast.peers.some((p) => p.text === source)) error([...at, 'unicast', 'source'], `source ${source} is also listed as a peer`);
  }
  const seen = new Set<string>();
  unicast.peers.forEach((peer, p) => {
    if (seen.has(peer.text)) error([...at, 'unicast', 'peers', p], `peer ${peer.text} is listed twice`);
    seen.add(peer.text);
  });
}

function checkTrackerRefs(owner: { trackScripts: readonly { script: string }[]; trackFiles: readonly { file: string }[] }, at: (string | number)[], scripts: Set<string>, files: Set<string>, error: Report): void {
  owner.trackScripts.forEach((t, j) => {
    if (!scripts.has(t.script)) error([...at, 'trackScripts', j, 'script'], `no script named "${t.script}" in vrrp.scripts`);
  });
  owner.trackFiles.forEach((t, j) => {
    if (!files.has(t.file)) error([...at, 'trackFiles', j, 'file'], `no track file named "${t.file}" in vrrp.trackFiles`);
  });
}

function hasWeightedTrackers(instance: VrrpInstanceConfig, vrrp: VrrpConfig): boolean {
  const scriptWeight = (name: string): number => vrrp.scripts.find((s) => s.name === name)?.weight ?? 0;
  const fileWeight = (name: string): number => vrrp.trackFiles.find((f) => f.name === name)?.weight ?? 0;
  return (
    instance.trackInterfaces.some((t) => t.weight !== 0) ||
    instance.trackScripts.some((t) => (t.weight ?? scriptWeight(t.script)) !== 0) ||
    instance.trackFiles.some((t) => (t.weight ?? fileWeight(t.file)) !== 0)
  );
}

/** One VRID per interface and family, unless both instances are unicast to disjoint peers (keepalived's rule). */
function checkVridClashes(instances: readonly VrrpInstanceConfig[], error: Report): void {
  instances.forEach((a, i) => {
    for (let j = 0; j < i; j++) {
      const b = instances[j];
      if (b === undefined || a.vrid !== b.vrid || a.interface !== b.interface || instanceFamily(a) !== instanceFamily(b)) continue;
      const peersA = new Set(a.unicast?.peers.map((p) => p.text) ?? []);
      const isDisjoint = a.unicast !== undefined && b.unicast !== undefined && !(b.unicast.peers.some((p) => peersA.has(p.text)));
      if (!isDisjoint) error(['instances', i, 'vrid'], `VRID ${a.vrid} on ${a.interface} is already used by instance "${b.name}"`);
    }
  });
}

/**
 * The macvlan of a virtual MAC is "vrrp.VRID" unless named (keepalived's default, as ha/virtual-mac.ts
 * names it): an IPv4 and an IPv6 instance with the same VRID, or the same VRID on two interfaces, would
 * both want it. Refused here rather than found taken at start. Nor may it be an instance's own interface.
 */
function checkVirtualMacNames(instances: readonly VrrpInstanceConfig[], error: Report): void {
  const nameOf = (instance: VrrpInstanceConfig): string | undefined =>
    instance.virtualMac === false ? undefined : instance.virtualMac === true ? `vrrp.${instance.vrid}` : instance.virtualMac.interface;
  const bases = new Set(instances.map((instance) => instance.interface));
  instances.forEach((a, i) => {
    const name = nameOf(a);
    if (name === undefined) return;
    if (bases.has(name)) error(['instances', i, 'virtualMac'], `the virtual MAC's macvlan ${name} would be named like an instance's interface`);
    const other = instances.slice(0, i).find((b) => nameOf(b) === name);
    if (other !== undefined) {
      error(['instances', i, 'virtualMac'], `the virtual MAC's macvlan ${name} is already instance "${other.name}"'s: name one (virtualMac: { interface: NAME })`);
    }
  });
}

function checkSyncGroups(vrrp: VrrpConfig, scripts: Set<string>, files: Set<string>, error: Report): void {
  const names = new Set(vrrp.instances.map((i) => i.name));
  const groupOf = new Map<string, string>();
  vrrp.syncGroups.forEach((group, g) => {
    group.members.forEach((member, m) => {
      if (!names.has(member)) error(['syncGroups', g, 'members', m], `no instance named "${member}" in vrrp.instances`);
      const other = groupOf.get(member);
      if (other !== undefined) error(['syncGroups', g, 'members', m], `instance "${member}" is already in sync group "${other}"`);
      else groupOf.set(member, group.name);
    });
    checkTrackerRefs(group, ['syncGroups', g], scripts, files, error);
  });
}

/** What keepalived does with sync groups that probably do not do what was meant: said, not refused. */
function checkSyncGroupMembers(vrrp: VrrpConfig, warn: Report): void {
  vrrp.syncGroups.forEach((group, g) => {
    if (group.members.length === 1) warn(['syncGroups', g, 'members'], 'a sync group of one instance changes nothing (keepalived: "this probably isn\'t what you want")');
    const members = vrrp.instances.map((instance, i) => ({ instance, i })).filter(({ instance }) => group.members.includes(instance.name));
    const owners = members.filter(({ instance }) => instance.priority === 255).length;
    if (owners > 0 && owners < members.length) warn(['syncGroups', g, 'members'], 'some members are address owners (priority 255) and some are not: they cannot move together (keepalived: "This won\'t work")');
    if (group.isTrackingWeighted) return;
    const scriptWeight = (name: string): number => vrrp.scripts.find((sc) => sc.name === name)?.weight ?? 0;
    const fileWeight = (name: string): number => vrrp.trackFiles.find((f) => f.name === name)?.weight ?? 1;
    const note = (at: (string | number)[], kind: 'interface' | 'script' | 'file', weight: number): void => {
      const kept = syncMemberTrackerWeight(kind, weight);
      if (weight === 0) return;
      const what = kept === 0 ? `this tracker's weight ${weight} counts as 0 (a failure puts the group in FAULT)` : `this tracker is ignored (weight ${weight})`;
      warn(at, `in sync group "${group.name}" ${what}, as keepalived does; set isTrackingWeighted on the group to keep weights`);
    };
    for (const { instance, i } of members) {
      instance.trackInterfaces.forEach((t, j) => note(['instances', i, 'trackInterfaces', j], 'interface', t.weight));
      instance.trackScripts.forEach((t, j) => note(['instances', i, 'trackScripts', j], 'script', t.weight ?? scriptWeight(t.script)));
      instance.trackFiles.forEach((t, j) => note(['instances', i, 'trackFiles', j], 'file', t.weight ?? fileWeight(t.file)));
    }
  });
}

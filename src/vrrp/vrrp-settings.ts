/**
 * From the config's VRRP instance to ha/'s instance settings (pure): keepalived's defaults where the
 * config leaves something out (priority 255 with `state MASTER`, else 100; GARP settings from the
 * instance, then vrrp.defaults.garp, then keepalived's), and the primary address chosen from the
 * interface's addresses.
 */
import { isLinkLocal, type IpAddress } from '../core/ip.js';
import { choosePrimaryAddress as choosePrimaryFromInterface } from '../../ha/primary-address.js';
import type { InterfaceAddress } from '../../ha/address-manager.js';
import { KEEPALIVED_GARP_SETTINGS, type GarpSettings } from '../../ha/garp-schedule.js';
import { simpleTextAuthData } from '../../ha/vrrp-packet.js';
import { defaultVirtualMacName, type VirtualMacSpec } from '../../ha/virtual-mac.js';
import { parseHmacKey } from '../../ha/vrrp-hmac.js';
import { VRRP_SETTINGS_DEFAULTS, type VipSpec, type VrrpAuthenticationSettings, type VrrpInstanceSettings } from '../../ha/vrrp-instance-settings.js';
import type { VrrpConfig, VrrpInstanceConfig, VipConfig } from '../../config/schema-vrrp.js';
import { instanceFamily, instanceVersion } from '../../config/rules-vrrp.js';

/**
 * `hmacKeyFromFile`: the key of an hmac-sha256 instance with a keyFile, read at start (hmac-key-file.ts);
 * an inline key is taken from the config.
 */
export function toVrrpSettings(
  instance: VrrpInstanceConfig,
  vrrp: VrrpConfig,
  primaryAddress: IpAddress,
  ownAddresses: readonly IpAddress[],
  hmacKeyFromFile?: Uint8Array,
): VrrpInstanceSettings {
  const version = instanceVersion(instance, vrrp.defaults);
  return {
    ...VRRP_SETTINGS_DEFAULTS,
    name: instance.name,
    // With a virtual MAC, the VIPs, adverts and GARPs are all on the macvlan.
    interfaceName: virtualMacInterfaceName(instance) ?? instance.interface,
    vrid: instance.vrid,
    version,
    priority: instance.priority ?? (instance.initialState === 'master' ? 255 : 100),
    adverIntervalCs: Math.round(instance.advertInterval / 10),
    primaryAddress,
    preemptMode: instance.preempt ? 'preempt' : 'nopreempt',
    preemptDelayMs: instance.preemptDelay,
    vips: instance.vips.map((v) => toVipSpec(v)),
    excludedVips: instance.excludedVips.map((v) => toVipSpec(v)),
    unicastPeers: instance.unicast?.peers ?? [],
    authentication: toAuthentication(instance, hmacKeyFromFile),
    garp: garpSettings(instance, vrrp),
    ownAddresses,
    // At most one advert interval (the driver's bound); 100 ms by default.
    handoverReleaseDelayMs: Math.min(VRRP_SETTINGS_DEFAULTS.handoverReleaseDelayMs, Math.round(instance.advertInterval / 10) * 10),
  };
}

/** Throws when an hmac-sha256 instance has no usable key: the caller loads key files first, the schema checks inline keys. */
function toAuthentication(instance: VrrpInstanceConfig, hmacKeyFromFile: Uint8Array | undefined): VrrpAuthenticationSettings {
  const auth = instance.authentication;
  if (auth === undefined) return { type: 'none' };
  if (auth.type === 'pass') {
    const authData = simpleTextAuthData(auth.password);
    return authData === undefined ? { type: 'none' } : { type: 'simple-text-password', authData };
  }
  if (hmacKeyFromFile !== undefined) return { type: 'hmac-sha256', key: hmacKeyFromFile };
  const parsed = auth.key === undefined ? undefined : parseHmacKey(auth.key);
  if (parsed === undefined || !parsed.ok) throw new Error(`vrrp instance ${instance.name}: hmac-sha256 without a loaded key`);
  return { type: 'hmac-sha256', key: parsed.value };
}

function toVipSpec(vip: VipConfig): VipSpec {
  return {
    address: vip.address,
    ...(vip.interface === undefined ? {} : { interfaceName: vip.interface }),
    ...(vip.label === undefined ? {} : { label: vip.label }),
  };
}

/** keepalived: lower-priority GARP settings default to the master ones. */
export function garpSettings(instance: VrrpInstanceConfig, vrrp: VrrpConfig): GarpSettings {
  const pick = <K extends keyof VrrpInstanceConfig['garp']>(key: K): VrrpInstanceConfig['garp'][K] => instance.garp[key] ?? vrrp.defaults.garp[key];
  const masterDelayMs = pick('masterDelay') ?? KEEPALIVED_GARP_SETTINGS.masterDelayMs;
  const masterRepeat = pick('masterRepeat') ?? KEEPALIVED_GARP_SETTINGS.masterRepeat;
  return {
    ...KEEPALIVED_GARP_SETTINGS,
    masterDelayMs,
    masterRepeat,
    masterRefreshMs: pick('masterRefresh') ?? KEEPALIVED_GARP_SETTINGS.masterRefreshMs,
    masterRefreshRepeat: pick('masterRefreshRepeat') ?? KEEPALIVED_GARP_SETTINGS.masterRefreshRepeat,
    lowerPrioDelayMs: pick('lowerPrioDelay') ?? masterDelayMs,
    lowerPrioRepeat: pick('lowerPrioRepeat') ?? masterRepeat,
  };
}

/** The instance's primary address: the configured unicast source, else ha/'s choice from the interface. */
export function choosePrimaryAddress(instance: VrrpInstanceConfig, addresses: readonly InterfaceAddress[]): IpAddress | undefined {
  if (instance.unicast?.source !== undefined) return instance.unicast.source;
  const vips = [...instance.vips, ...instance.excludedVips].map((v) => v.address.address);
  return choosePrimaryFromInterface(addresses, instanceFamily(instance), vips);
}

/**
 * keepalived's use_vmac: the macvlan of an instance with `virtualMac`, named "vrrp.VRID" unless
 * configured, in mode private. An IPv6 instance's macvlan gets `linkLocalAddress`
 * (`chooseVirtualMacLinkLocal`): throws without it (a bug of the caller).
 */
export function virtualMacOf(instance: VrrpInstanceConfig, linkLocalAddress?: IpAddress): VirtualMacSpec | undefined {
  const interfaceName = virtualMacInterfaceName(instance);
  if (interfaceName === undefined) return undefined;
  const common = {
    baseInterfaceName: instance.interface,
    interfaceName,
    vrid: instance.vrid,
    mode: 'private' as const,
  };
  if (instanceFamily(instance) === 4) return { ...common, family: 4 };
  if (linkLocalAddress === undefined) throw new Error(`vrrp instance ${instance.name}: an IPv6 virtual MAC without its link-local address`);
  return { ...common, family: 6, linkLocalAddress };
}

/** The macvlan's name when the instance has a virtual MAC: "vrrp.VRID" unless configured. */
export function virtualMacInterfaceName(instance: VrrpInstanceConfig): string | undefined {
  const vmac = instance.virtualMac;
  if (vmac === false) return undefined;
  return vmac === true ? defaultVirtualMacName(instance.vrid) : vmac.interface;
}

/**
 * keepalived (vrrp_vmac.c): the IPv6 virtual MAC's link-local address is the instance's source when that
 * is link-local, else the base interface's link-local address; undefined when it has none (then the caller
 * makes one from the base interface's MAC, ha/'s linkLocalFromMac, as keepalived does).
 */
export function chooseVirtualMacLinkLocal(primaryAddress: IpAddress, baseAddresses: readonly InterfaceAddress[]): IpAddress | undefined {
  if (primaryAddress.family === 6 && isLinkLocal(primaryAddress)) return primaryAddress;
  return baseAddresses.map((a) => a.address.address).find((a) => a.family === 6 && isLinkLocal(a));
}

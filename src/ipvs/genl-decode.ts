/**
 * IPVS generic-netlink replies: the generic-netlink payload (struct genlmsghdr + attributes) in,
 * model values out. Pure. Decoders never throw on bytes: every malformed input gives a typed
 * reason, which the adapter turns into an ERR_IPVS_DECODE error and counts.
 *
 * Replies of the kernel (ip_vs_ctl.c): GET_SERVICE answers with NEW_SERVICE messages, GET_DEST with
 * NEW_DEST, GET_DAEMON with NEW_DAEMON, GET_CONFIG with SET_CONFIG and GET_INFO with SET_INFO. Nests
 * in replies carry no NLA_F_NESTED flag; u64 counters are preceded by PAD attributes.
 */
import { ipFromBytes, type IpAddress, type IpFamily } from '../core/ip.js';
import {
  AF_INET,
  AF_INET6,
  Cmd,
  CmdAttr,
  DaemonAttr,
  DestAttr,
  Fwd,
  GENL_HDRLEN,
  InfoAttr,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  StatsAttr,
  SvcAttr,
  SvcFlag,
  SyncState,
  TunFlag,
  TunType,
} from './genl-numbers.js';
import {
  IPVS_SCHEDULERS,
  type IpvsDestinationEntry,
  type IpvsForwarding,
  type IpvsInfo,
  type IpvsPersistence,
  type IpvsProtocol,
  type IpvsScheduler,
  type IpvsSchedulerFlag,
  type IpvsServiceEntry,
  type IpvsServiceKey,
  type IpvsStats,
  type IpvsSyncDaemon,
  type IpvsTimeouts,
  type IpvsTunnelChecksum,
  ZERO_STATS,
  countIpv4MaskBits,
  schedulerFlagNames,
} from './model.js';
import { type AttrMap, IS_HOST_LITTLE_ENDIAN, parseAttrs, readString, readU16, readU32, readU8 } from './nlattr.js';

/** Why a reply could not be decoded (one counter each in the adapter). */
export type IpvsDecodeReason =
  | 'short-header'
  | 'unexpected-command'
  | 'truncated-attribute'
  | 'missing-attribute'
  | 'bad-address-family'
  | 'bad-protocol'
  | 'bad-address'
  | 'unknown-scheduler'
  | 'bad-netmask'
  | 'bad-forwarding-method'
  | 'bad-tunnel-type'
  | 'bad-tunnel-flags'
  | 'bad-sync-state'
  | 'bad-string';

export type IpvsDecodeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: IpvsDecodeReason; readonly detail: string };

/** Thrown only inside this module and caught by `decode`: the short way out of nested readers. */
class Fail extends Error {
  constructor(
    readonly reason: IpvsDecodeReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

function decode<T>(payload: Uint8Array, expectedCmd: number, body: (attrs: AttrMap) => T): IpvsDecodeResult<T> {
  try {
    if (payload.length < GENL_HDRLEN) throw new Fail('short-header', `${payload.length} bytes`);
    if (payload[0] !== expectedCmd) throw new Fail('unexpected-command', `cmd ${payload[0]}, expected ${expectedCmd}`);
    return { ok: true, value: body(attrsOf(payload.subarray(GENL_HDRLEN), 'message')) };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, reason: e.reason, detail: e.detail };
    throw e; // a bug in this module, not bad bytes
  }
}

export function decodeServiceReply(payload: Uint8Array): IpvsDecodeResult<IpvsServiceEntry> {
  return decode(payload, Cmd.NEW_SERVICE, (top) => {
    const a = attrsOf(need(top, CmdAttr.SERVICE, 'SERVICE'), 'SERVICE');
    const family = familyOf(a, SvcAttr.AF, 'SVC_AF');
    const key = serviceKeyOf(a, family);
    const scheduler = schedulerOf(need(a, SvcAttr.SCHED_NAME, 'SVC_SCHED_NAME'));
    const flags = needU32(a, SvcAttr.FLAGS, 'SVC_FLAGS');
    const persistence = (flags & SvcFlag.PERSISTENT) === 0 ? undefined : persistenceOf(a, family);
    const persistenceEngine = a.has(SvcAttr.PE_NAME) ? stringOf(a.get(SvcAttr.PE_NAME), 'SVC_PE_NAME') : undefined;
    return {
      service: {
        key,
        scheduler,
        schedulerFlags: schedulerFlagsOf(scheduler, flags),
        ...(persistence === undefined ? {} : { persistence }),
        isOnePacket: (flags & SvcFlag.ONEPACKET) !== 0,
        ...(persistenceEngine === undefined || persistenceEngine === '' ? {} : { persistenceEngine }),
      },
      stats: statsOf(a.get(SvcAttr.STATS64) ?? a.get(SvcAttr.STATS)),
    };
  });
}

/** `serviceFamily` is the address family used when the kernel omits DEST_ATTR_ADDR_FAMILY (before 4.x). */
export function decodeDestinationReply(payload: Uint8Array, serviceFamily: IpFamily): IpvsDecodeResult<IpvsDestinationEntry> {
  return decode(payload, Cmd.NEW_DEST, (top) => {
    const a = attrsOf(need(top, CmdAttr.DEST, 'DEST'), 'DEST');
    const family = a.has(DestAttr.ADDR_FAMILY) ? familyOf(a, DestAttr.ADDR_FAMILY, 'DEST_ADDR_FAMILY') : serviceFamily;
    return {
      destination: {
        key: {
          address: addressOf(need(a, DestAttr.ADDR, 'DEST_ADDR'), family),
          port: needU16be(a, DestAttr.PORT, 'DEST_PORT'),
        },
        forwarding: forwardingOf(a, needU32(a, DestAttr.FWD_METHOD, 'DEST_FWD_METHOD')),
        weight: needU32(a, DestAttr.WEIGHT, 'DEST_WEIGHT'),
        upperThreshold: needU32(a, DestAttr.U_THRESH, 'DEST_U_THRESH'),
        lowerThreshold: needU32(a, DestAttr.L_THRESH, 'DEST_L_THRESH'),
      },
      activeConnections: a.u32(DestAttr.ACTIVE_CONNS) ?? 0,
      inactiveConnections: a.u32(DestAttr.INACT_CONNS) ?? 0,
      persistentConnections: a.u32(DestAttr.PERSIST_CONNS) ?? 0,
      stats: statsOf(a.get(DestAttr.STATS64) ?? a.get(DestAttr.STATS)),
    };
  });
}

export function decodeDaemonReply(payload: Uint8Array): IpvsDecodeResult<IpvsSyncDaemon> {
  return decode(payload, Cmd.NEW_DAEMON, (top) => {
    const a = attrsOf(need(top, CmdAttr.DAEMON, 'DAEMON'), 'DAEMON');
    const stateNumber = readU32(need(a, DaemonAttr.STATE, 'DAEMON_STATE'));
    if (stateNumber !== SyncState.MASTER && stateNumber !== SyncState.BACKUP) fail('bad-sync-state', `state ${stateNumber}`);
    const syncId = readU32(need(a, DaemonAttr.SYNC_ID, 'DAEMON_SYNC_ID')) ?? fail('missing-attribute', 'DAEMON_SYNC_ID too short');
    const maxLength = readU16(a.get(DaemonAttr.SYNC_MAXLEN));
    const port = readU16(a.get(DaemonAttr.MCAST_PORT));
    const ttl = readU8(a.get(DaemonAttr.MCAST_TTL));
    const group = groupOf(a);
    return {
      state: stateNumber === SyncState.MASTER ? 'master' : 'backup',
      interfaceName: stringOf(need(a, DaemonAttr.MCAST_IFN, 'DAEMON_MCAST_IFN'), 'DAEMON_MCAST_IFN'),
      syncId,
      ...(maxLength === undefined ? {} : { maxLength }),
      ...(group === undefined ? {} : { group }),
      ...(port === undefined ? {} : { port }),
      ...(ttl === undefined ? {} : { ttl }),
    };
  });
}

export function decodeConfigReply(payload: Uint8Array): IpvsDecodeResult<IpvsTimeouts> {
  return decode(payload, Cmd.SET_CONFIG, (a) => {
    const u32 = (type: number, name: string): number => readU32(need(a, type, name)) ?? fail('missing-attribute', `${name} too short`);
    return {
      tcpS: u32(CmdAttr.TIMEOUT_TCP, 'TIMEOUT_TCP'),
      tcpFinS: u32(CmdAttr.TIMEOUT_TCP_FIN, 'TIMEOUT_TCP_FIN'),
      udpS: u32(CmdAttr.TIMEOUT_UDP, 'TIMEOUT_UDP'),
    };
  });
}

export function decodeInfoReply(payload: Uint8Array): IpvsDecodeResult<IpvsInfo> {
  return decode(payload, Cmd.SET_INFO, (a) => ({
    versionCode: readU32(need(a, InfoAttr.VERSION, 'INFO_VERSION')) ?? fail('missing-attribute', 'INFO_VERSION too short'),
    connectionTableSize:
      readU32(need(a, InfoAttr.CONN_TAB_SIZE, 'INFO_CONN_TAB_SIZE')) ?? fail('missing-attribute', 'INFO_CONN_TAB_SIZE too short'),
  }));
}

/**
 * The payload of an NLMSG_ERROR message (struct nlmsgerr): the kernel's negative errno, or 0 for an ACK.
 * Returns the positive errno (0 = success).
 */
export function decodeNetlinkErrno(data: Uint8Array): IpvsDecodeResult<number> {
  if (data.length < 4) return { ok: false, reason: 'short-header', detail: `nlmsgerr of ${data.length} bytes` };
  const error = new DataView(data.buffer, data.byteOffset, 4).getInt32(0, IS_HOST_LITTLE_ENDIAN);
  return { ok: true, value: error === 0 ? 0 : -error };
}

function fail(reason: IpvsDecodeReason, detail: string): never {
  throw new Fail(reason, detail);
}

function attrsOf(bytes: Uint8Array, where: string): AttrMap {
  const parsed = parseAttrs(bytes);
  if (!parsed.ok) fail(parsed.reason, `in ${where}`);
  return parsed.value;
}

function need(a: AttrMap, type: number, name: string): Uint8Array {
  return a.get(type) ?? fail('missing-attribute', name);
}

function needU32(a: AttrMap, type: number, name: string): number {
  return a.u32(type) ?? fail('missing-attribute', a.has(type) ? `${name} too short` : name);
}

function needU16be(a: AttrMap, type: number, name: string): number {
  return a.u16be(type) ?? fail('missing-attribute', a.has(type) ? `${name} too short` : name);
}

/** A u16 address family attribute (present: a missing one is the caller's business). */
function familyOf(a: AttrMap, type: number, name: string): IpFamily {
  if (!a.has(type)) fail('missing-attribute', name);
  const af = a.u16(type);
  if (af === AF_INET) return 4;
  if (af === AF_INET6) return 6;
  return fail('bad-address-family', `af ${af}`);
}

function addressOf(b: Uint8Array, family: IpFamily): IpAddress {
  const size = family === 4 ? 4 : 16;
  if (b.length < size) fail('bad-address', `${b.length} bytes for IPv${family}`);
  return ipFromBytes(b.subarray(0, size));
}

function serviceKeyOf(a: AttrMap, family: IpFamily): IpvsServiceKey {
  const fwmark = a.u32(SvcAttr.FWMARK);
  if (fwmark !== undefined && fwmark !== 0) return { kind: 'fwmark', fwmark, family };
  if (!a.has(SvcAttr.PROTOCOL)) fail('missing-attribute', 'SVC_PROTOCOL');
  const protocol = protocolOf(a.u16(SvcAttr.PROTOCOL));
  const address = addressOf(need(a, SvcAttr.ADDR, 'SVC_ADDR'), family);
  const port = needU16be(a, SvcAttr.PORT, 'SVC_PORT');
  return { kind: 'inet', protocol, address, port };
}

function protocolOf(n: number | undefined): IpvsProtocol {
  if (n === IPPROTO_TCP) return 'tcp';
  if (n === IPPROTO_UDP) return 'udp';
  if (n === IPPROTO_SCTP) return 'sctp';
  return fail('bad-protocol', `protocol ${n}`);
}

function stringOf(b: Uint8Array | undefined, name: string): string {
  return readString(b) ?? fail('bad-string', name);
}

function schedulerOf(b: Uint8Array): IpvsScheduler {
  const name = stringOf(b, 'SVC_SCHED_NAME');
  const known = IPVS_SCHEDULERS.find((s) => s === name);
  return known ?? fail('unknown-scheduler', JSON.stringify(name));
}

function schedulerFlagsOf(scheduler: IpvsScheduler, flags: number): IpvsSchedulerFlag[] {
  const names = schedulerFlagNames(scheduler);
  const bits = [SvcFlag.SCHED1, SvcFlag.SCHED2, SvcFlag.SCHED3];
  return names.filter((_, i) => (flags & (bits[i] ?? 0)) !== 0);
}

function persistenceOf(a: AttrMap, family: IpFamily): IpvsPersistence {
  const timeoutS = readU32(need(a, SvcAttr.TIMEOUT, 'SVC_TIMEOUT')) ?? fail('missing-attribute', 'SVC_TIMEOUT too short');
  const mask = need(a, SvcAttr.NETMASK, 'SVC_NETMASK');
  if (mask.length < 4) fail('bad-netmask', `${mask.length} bytes`);
  if (family === 6) {
    const prefix = readU32(mask) ?? 0;
    if (prefix < 1 || prefix > 128) fail('bad-netmask', `IPv6 prefix length ${prefix}`);
    return { timeoutS, netmaskPrefixLength: prefix };
  }
  const value = new DataView(mask.buffer, mask.byteOffset, 4).getUint32(0, false); // __be32
  // A contiguous mask is ones then zeros: its complement plus one is a power of two (2^(32-prefix)).
  const hostPart = (~value >>> 0) + 1;
  const prefix = 32 - Math.log2(hostPart);
  if (Number.isInteger(prefix)) return { timeoutS, netmaskPrefixLength: prefix };
  // A mask with holes (ipvsadm -M 255.0.255.0): the kernel takes any IPv4 mask, and so do we.
  return { timeoutS, netmaskPrefixLength: countIpv4MaskBits(value), ipv4Netmask: value };
}

function forwardingOf(a: AttrMap, method: number): IpvsForwarding {
  switch (method & Fwd.MASK) {
    case Fwd.MASQ:
      return { method: 'masq' };
    case Fwd.DROUTE:
      return { method: 'route' };
    case Fwd.TUNNEL:
      break;
    default:
      return fail('bad-forwarding-method', `forwarding ${method & Fwd.MASK}`);
  }
  const type = a.u8(DestAttr.TUN_TYPE) ?? TunType.IPIP; // before Linux 5.2: IPIP only
  if (type === TunType.IPIP) return { method: 'tunnel', tunnel: { type: 'ipip' } };
  const checksum = checksumOf(a.u16(DestAttr.TUN_FLAGS) ?? TunFlag.NOCSUM);
  if (type === TunType.GRE) return { method: 'tunnel', tunnel: { type: 'gre', checksum } };
  if (type !== TunType.GUE) return fail('bad-tunnel-type', `tunnel type ${type}`);
  const port = a.u16be(DestAttr.TUN_PORT) ?? fail('missing-attribute', 'DEST_TUN_PORT');
  return { method: 'tunnel', tunnel: { type: 'gue', port, checksum } };
}

function checksumOf(flags: number): IpvsTunnelChecksum {
  if (flags === TunFlag.NOCSUM) return 'nocsum';
  if (flags === TunFlag.CSUM) return 'csum';
  if (flags === TunFlag.REMCSUM) return 'remcsum';
  return fail('bad-tunnel-flags', `tunnel flags 0x${flags.toString(16)}`);
}

function groupOf(a: AttrMap): IpAddress | undefined {
  const v6 = a.get(DaemonAttr.MCAST_GROUP6);
  if (v6 !== undefined) return addressOf(v6, 6);
  const v4 = a.get(DaemonAttr.MCAST_GROUP);
  return v4 === undefined ? undefined : addressOf(v4, 4);
}

/**
 * STATS has u32 counters and u64 byte counts, STATS64 u64 everywhere: read each by its length.
 * All zero (a service or real server without traffic, common in big tables) is the shared ZERO_STATS.
 */
function statsOf(nest: Uint8Array | undefined): IpvsStats {
  if (nest === undefined) return ZERO_STATS;
  const a = attrsOf(nest, 'STATS');
  let isZero = true;
  const n = (type: number): bigint => {
    const length = a.length(type);
    if (length === undefined) return 0n;
    const u32 = length >= 8 ? undefined : (a.u32(type) ?? 0);
    const v = u32 === undefined ? (a.u64(type) ?? 0n) : u32 === 0 ? 0n : BigInt(u32);
    if (v !== 0n) isZero = false;
    return v;
  };
  const stats: IpvsStats = {
    connections: n(StatsAttr.CONNS),
    inPackets: n(StatsAttr.INPKTS),
    outPackets: n(StatsAttr.OUTPKTS),
    inBytes: n(StatsAttr.INBYTES),
    outBytes: n(StatsAttr.OUTBYTES),
    connectionsPerSecond: n(StatsAttr.CPS),
    inPacketsPerSecond: n(StatsAttr.INPPS),
    outPacketsPerSecond: n(StatsAttr.OUTPPS),
    inBytesPerSecond: n(StatsAttr.INBPS),
    outBytesPerSecond: n(StatsAttr.OUTBPS),
  };
  return isZero ? ZERO_STATS : stats;
}

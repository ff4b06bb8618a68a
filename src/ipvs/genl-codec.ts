/**
 * IPVS generic-netlink requests: model values in, the generic-netlink payload (struct genlmsghdr +
 * attributes) out. Pure; the adapter adds the nlmsghdr and sends it. Attribute order and the
 * NLA_F_NESTED flag follow libipvs (ipvsadm 1.31), so that our NEW_SERVICE/SET_SERVICE and DEST
 * bytes are identical to ipvsadm's (test/fixtures/ipvs/ipvsadm-capture.json holds its captures).
 * Where ipvsadm sends more than the kernel reads (a full service in destination commands, a full
 * daemon in DEL_DAEMON), we send only what identifies the object.
 *
 * Encoders expect valid values (see validate.ts); the client validates before encoding.
 */
import { assertNever } from '../core/errors.js';
import {
  AF_INET,
  AF_INET6,
  Cmd,
  CmdAttr,
  DaemonAttr,
  DestAttr,
  Fwd,
  GENL_HDRLEN,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPVS_GENL_VERSION,
  SvcAttr,
  SvcFlag,
  SyncState,
  TunFlag,
  TunType,
} from './genl-numbers.js';
import {
  type IpvsDestination,
  type IpvsDestinationKey,
  type IpvsProtocol,
  type IpvsService,
  type IpvsServiceKey,
  type IpvsSyncDaemon,
  type IpvsSyncState,
  type IpvsTimeouts,
  type IpvsTunnelChecksum,
  type IpvsTunnelType,
  fullNetmaskPrefixLength,
  ipFamilyOfServiceKey,
  schedulerFlagNames,
} from './model.js';
import { AttrWriter, IS_HOST_LITTLE_ENDIAN } from './nlattr.js';

/** Every request the client sends. `list-*` requests are dumps (NLM_F_DUMP). */
export type IpvsRequest =
  | { readonly command: 'get-info' }
  | { readonly command: 'list-services' }
  | { readonly command: 'get-service'; readonly service: IpvsServiceKey }
  | { readonly command: 'new-service'; readonly service: IpvsService }
  | { readonly command: 'set-service'; readonly service: IpvsService }
  | { readonly command: 'del-service'; readonly service: IpvsServiceKey }
  | { readonly command: 'list-dests'; readonly service: IpvsServiceKey }
  | { readonly command: 'new-dest'; readonly service: IpvsServiceKey; readonly destination: IpvsDestination }
  | { readonly command: 'set-dest'; readonly service: IpvsServiceKey; readonly destination: IpvsDestination }
  | { readonly command: 'del-dest'; readonly service: IpvsServiceKey; readonly destination: IpvsDestinationKey }
  | { readonly command: 'zero'; readonly service?: IpvsServiceKey }
  | { readonly command: 'flush' }
  | { readonly command: 'get-config' }
  | { readonly command: 'set-config'; readonly timeouts: Partial<IpvsTimeouts> }
  | { readonly command: 'list-daemons' }
  | { readonly command: 'new-daemon'; readonly daemon: IpvsSyncDaemon }
  | { readonly command: 'del-daemon'; readonly state: IpvsSyncState };

export type IpvsCommandName = IpvsRequest['command'];

export interface EncodedIpvsRequest {
  /** IPVS_CMD_* */
  readonly cmd: number;
  /** Send with NLM_F_DUMP: the reply is a multipart message ended by NLMSG_DONE. */
  readonly isDump: boolean;
  /** struct genlmsghdr followed by the attributes. */
  readonly payload: Uint8Array;
}

export function encodeIpvsRequest(request: IpvsRequest): EncodedIpvsRequest {
  const w = new AttrWriter().raw(new Uint8Array(GENL_HDRLEN)); // struct genlmsghdr, filled in below
  const { cmd, isDump } = writeRequest(w, request);
  const payload = w.toBytes();
  payload[0] = cmd;
  payload[1] = IPVS_GENL_VERSION;
  return { cmd, isDump, payload };
}

function writeRequest(w: AttrWriter, r: IpvsRequest): { cmd: number; isDump: boolean } {
  switch (r.command) {
    case 'get-info':
      return doit(Cmd.GET_INFO);
    case 'list-services':
      return dump(Cmd.GET_SERVICE);
    case 'get-service':
      w.nested(CmdAttr.SERVICE, (s) => writeServiceKey(s, r.service));
      return doit(Cmd.GET_SERVICE);
    case 'new-service':
      w.nested(CmdAttr.SERVICE, (s) => writeService(s, r.service));
      return doit(Cmd.NEW_SERVICE);
    case 'set-service':
      w.nested(CmdAttr.SERVICE, (s) => writeService(s, r.service));
      return doit(Cmd.SET_SERVICE);
    case 'del-service':
      w.nested(CmdAttr.SERVICE, (s) => writeServiceKey(s, r.service));
      return doit(Cmd.DEL_SERVICE);
    case 'list-dests':
      w.nested(CmdAttr.SERVICE, (s) => writeServiceKey(s, r.service));
      return dump(Cmd.GET_DEST);
    case 'new-dest':
      writeServiceAndDest(w, r.service, r.destination);
      return doit(Cmd.NEW_DEST);
    case 'set-dest':
      writeServiceAndDest(w, r.service, r.destination);
      return doit(Cmd.SET_DEST);
    case 'del-dest':
      w.nested(CmdAttr.SERVICE, (s) => writeServiceKey(s, r.service));
      w.nested(CmdAttr.DEST, (d) => writeDestKey(d, r.destination));
      return doit(Cmd.DEL_DEST);
    case 'zero':
      if (r.service !== undefined) {
        const key = r.service;
        w.nested(CmdAttr.SERVICE, (s) => writeServiceKey(s, key));
      }
      return doit(Cmd.ZERO);
    case 'flush':
      return doit(Cmd.FLUSH);
    case 'get-config':
      return doit(Cmd.GET_CONFIG);
    case 'set-config':
      // An absent attribute leaves that timeout unchanged (ip_vs_genl_set_config).
      if (r.timeouts.tcpS !== undefined) w.u32(CmdAttr.TIMEOUT_TCP, r.timeouts.tcpS);
      if (r.timeouts.tcpFinS !== undefined) w.u32(CmdAttr.TIMEOUT_TCP_FIN, r.timeouts.tcpFinS);
      if (r.timeouts.udpS !== undefined) w.u32(CmdAttr.TIMEOUT_UDP, r.timeouts.udpS);
      return doit(Cmd.SET_CONFIG);
    case 'list-daemons':
      return dump(Cmd.GET_DAEMON);
    case 'new-daemon':
      w.nested(CmdAttr.DAEMON, (d) => writeDaemon(d, r.daemon));
      return doit(Cmd.NEW_DAEMON);
    case 'del-daemon':
      w.nested(CmdAttr.DAEMON, (d) => d.u32(DaemonAttr.STATE, syncStateNumber(r.state)));
      return doit(Cmd.DEL_DAEMON);
    default:
      return assertNever(r, 'IPVS request');
  }
}

const doit = (cmd: number): { cmd: number; isDump: boolean } => ({ cmd, isDump: false });
const dump = (cmd: number): { cmd: number; isDump: boolean } => ({ cmd, isDump: true });

function writeServiceAndDest(w: AttrWriter, service: IpvsServiceKey, destination: IpvsDestination): void {
  w.nested(CmdAttr.SERVICE, (s) => writeServiceKey(s, service));
  w.nested(CmdAttr.DEST, (d) => writeDest(d, destination));
}

/** AF and either FWMARK or PROTOCOL + ADDR + PORT: what ip_vs_genl_parse_service needs to find a service. */
function writeServiceKey(w: AttrWriter, key: IpvsServiceKey): void {
  w.u16(SvcAttr.AF, afNumber(ipFamilyOfServiceKey(key)));
  if (key.kind === 'fwmark') {
    w.u32(SvcAttr.FWMARK, key.fwmark);
    return;
  }
  w.u16(SvcAttr.PROTOCOL, protocolNumber(key.protocol));
  w.zeroPadded(SvcAttr.ADDR, key.address.bytes, NF_INET_ADDR_SIZE);
  w.u16be(SvcAttr.PORT, key.port);
}

/** A full service: NEW/SET require SCHED_NAME, FLAGS, TIMEOUT and NETMASK. */
function writeService(w: AttrWriter, service: IpvsService): void {
  writeServiceKey(w, service.key);
  w.string(SvcAttr.SCHED_NAME, service.scheduler);
  if (service.persistenceEngine !== undefined) w.string(SvcAttr.PE_NAME, service.persistenceEngine);
  w.bytes(SvcAttr.FLAGS, ipVsFlags(serviceFlagBits(service)));
  const family = ipFamilyOfServiceKey(service.key);
  w.u32(SvcAttr.TIMEOUT, service.persistence?.timeoutS ?? 0);
  const prefix = service.persistence?.netmaskPrefixLength ?? fullNetmaskPrefixLength(family);
  const holes = service.persistence?.ipv4Netmask;
  if (family === 6) w.u32(SvcAttr.NETMASK, prefix);
  else w.bytes(SvcAttr.NETMASK, holes === undefined ? ipv4Netmask(prefix) : be32(holes)); // __be32 mask
}

/** struct ip_vs_flags { __u32 flags; __u32 mask; } in host order; the mask says every bit is set from `flags`. */
function ipVsFlags(bits: number): Uint8Array {
  const flags = new Uint8Array(8);
  const view = new DataView(flags.buffer);
  view.setUint32(0, bits, IS_HOST_LITTLE_ENDIAN);
  view.setUint32(4, 0xffffffff, IS_HOST_LITTLE_ENDIAN);
  return flags;
}

/** IP_VS_SVC_F_* bits of a service: PERSISTENT, ONEPACKET and the scheduler flags. */
export function serviceFlagBits(service: IpvsService): number {
  let bits = 0;
  if (service.persistence !== undefined) bits |= SvcFlag.PERSISTENT;
  if (service.isOnePacket) bits |= SvcFlag.ONEPACKET;
  const names = schedulerFlagNames(service.scheduler);
  const bitOf = [SvcFlag.SCHED1, SvcFlag.SCHED2, SvcFlag.SCHED3];
  for (const flag of service.schedulerFlags) {
    const index = names.indexOf(flag);
    if (index >= 0) bits |= bitOf[index] ?? 0;
  }
  return bits;
}

function writeDestKey(w: AttrWriter, key: IpvsDestinationKey): void {
  w.u16(DestAttr.ADDR_FAMILY, afNumber(key.address.family));
  w.zeroPadded(DestAttr.ADDR, key.address.bytes, NF_INET_ADDR_SIZE);
  w.u16be(DestAttr.PORT, key.port);
}

/** A full destination; tunnel attributes are always present (zero unless tunnelling), as in libipvs. */
function writeDest(w: AttrWriter, dest: IpvsDestination): void {
  writeDestKey(w, dest.key);
  w.u32(DestAttr.FWD_METHOD, forwardingNumber(dest));
  w.u32(DestAttr.WEIGHT, dest.weight);
  const tunnel = dest.forwarding.method === 'tunnel' ? dest.forwarding.tunnel : undefined;
  w.u8(DestAttr.TUN_TYPE, tunnel === undefined ? TunType.IPIP : tunnelTypeNumber(tunnel.type));
  w.u16be(DestAttr.TUN_PORT, tunnel?.type === 'gue' ? tunnel.port : 0);
  w.u16(DestAttr.TUN_FLAGS, tunnel === undefined || tunnel.type === 'ipip' ? TunFlag.NOCSUM : tunnelFlagBits(tunnel.checksum));
  w.u32(DestAttr.U_THRESH, dest.upperThreshold);
  w.u32(DestAttr.L_THRESH, dest.lowerThreshold);
}

function writeDaemon(w: AttrWriter, daemon: IpvsSyncDaemon): void {
  w.u32(DaemonAttr.STATE, syncStateNumber(daemon.state));
  w.string(DaemonAttr.MCAST_IFN, daemon.interfaceName);
  w.u32(DaemonAttr.SYNC_ID, daemon.syncId);
  if (daemon.maxLength !== undefined) w.u16(DaemonAttr.SYNC_MAXLEN, daemon.maxLength);
  if (daemon.port !== undefined) w.u16(DaemonAttr.MCAST_PORT, daemon.port); // host order: the kernel adds the thread index
  if (daemon.ttl !== undefined) w.u8(DaemonAttr.MCAST_TTL, daemon.ttl);
  if (daemon.group !== undefined) {
    if (daemon.group.family === 4) w.bytes(DaemonAttr.MCAST_GROUP, daemon.group.bytes); // __be32
    else w.bytes(DaemonAttr.MCAST_GROUP6, daemon.group.bytes);
  }
}

export function afNumber(family: 4 | 6): number {
  return family === 4 ? AF_INET : AF_INET6;
}

export function protocolNumber(protocol: IpvsProtocol): number {
  if (protocol === 'tcp') return IPPROTO_TCP;
  if (protocol === 'udp') return IPPROTO_UDP;
  return IPPROTO_SCTP;
}

function forwardingNumber(dest: IpvsDestination): number {
  switch (dest.forwarding.method) {
    case 'masq':
      return Fwd.MASQ;
    case 'route':
      return Fwd.DROUTE;
    case 'tunnel':
      return Fwd.TUNNEL;
    default:
      return assertNever(dest.forwarding, 'forwarding method');
  }
}

function tunnelTypeNumber(type: IpvsTunnelType): number {
  if (type === 'gue') return TunType.GUE;
  if (type === 'gre') return TunType.GRE;
  return TunType.IPIP;
}

function tunnelFlagBits(checksum: IpvsTunnelChecksum): number {
  if (checksum === 'csum') return TunFlag.CSUM;
  if (checksum === 'remcsum') return TunFlag.REMCSUM;
  return TunFlag.NOCSUM;
}

function syncStateNumber(state: IpvsSyncState): number {
  return state === 'master' ? SyncState.MASTER : SyncState.BACKUP;
}

/** union nf_inet_addr: 16 bytes, an IPv4 address in the first 4 (libipvs always sends 16). */
const NF_INET_ADDR_SIZE = 16;

/** An IPv4 netmask from a prefix length, in network byte order. */
function ipv4Netmask(prefixLength: number): Uint8Array {
  return be32(prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0);
}

function be32(value: number): Uint8Array {
  return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

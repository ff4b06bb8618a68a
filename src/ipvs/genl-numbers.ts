/**
 * Numbers of the IPVS generic-netlink family, from `<linux/ip_vs.h>` (Linux 6.1) and
 * `<linux/socket.h>`/`<linux/in.h>`. Private to src/ipvs: nothing outside the codec sees them.
 * test/unit/ipvs/genl-numbers.test.ts checks every value against the installed header.
 */

export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;

/** enum IPVS_CMD_* */
export const Cmd = {
  NEW_SERVICE: 1,
  SET_SERVICE: 2,
  DEL_SERVICE: 3,
  GET_SERVICE: 4,
  NEW_DEST: 5,
  SET_DEST: 6,
  DEL_DEST: 7,
  GET_DEST: 8,
  NEW_DAEMON: 9,
  DEL_DAEMON: 10,
  GET_DAEMON: 11,
  SET_CONFIG: 12,
  GET_CONFIG: 13,
  SET_INFO: 14,
  GET_INFO: 15,
  ZERO: 16,
  FLUSH: 17,
} as const;

/** enum IPVS_CMD_ATTR_* (top level) */
export const CmdAttr = {
  SERVICE: 1,
  DEST: 2,
  DAEMON: 3,
  TIMEOUT_TCP: 4,
  TIMEOUT_TCP_FIN: 5,
  TIMEOUT_UDP: 6,
} as const;

/** enum IPVS_SVC_ATTR_* (nested in SERVICE) */
export const SvcAttr = {
  AF: 1,
  PROTOCOL: 2,
  ADDR: 3,
  PORT: 4,
  FWMARK: 5,
  SCHED_NAME: 6,
  FLAGS: 7,
  TIMEOUT: 8,
  NETMASK: 9,
  STATS: 10,
  PE_NAME: 11,
  STATS64: 12,
} as const;

/** enum IPVS_DEST_ATTR_* (nested in DEST) */
export const DestAttr = {
  ADDR: 1,
  PORT: 2,
  FWD_METHOD: 3,
  WEIGHT: 4,
  U_THRESH: 5,
  L_THRESH: 6,
  ACTIVE_CONNS: 7,
  INACT_CONNS: 8,
  PERSIST_CONNS: 9,
  STATS: 10,
  ADDR_FAMILY: 11,
  STATS64: 12,
  TUN_TYPE: 13,
  TUN_PORT: 14,
  TUN_FLAGS: 15,
} as const;

/** enum IPVS_DAEMON_ATTR_* (nested in DAEMON) */
export const DaemonAttr = {
  STATE: 1,
  MCAST_IFN: 2,
  SYNC_ID: 3,
  SYNC_MAXLEN: 4,
  MCAST_GROUP: 5,
  MCAST_GROUP6: 6,
  MCAST_PORT: 7,
  MCAST_TTL: 8,
} as const;

/** enum IPVS_STATS_ATTR_* (nested in STATS and STATS64) */
export const StatsAttr = {
  CONNS: 1,
  INPKTS: 2,
  OUTPKTS: 3,
  INBYTES: 4,
  OUTBYTES: 5,
  CPS: 6,
  INPPS: 7,
  OUTPPS: 8,
  INBPS: 9,
  OUTBPS: 10,
  PAD: 11,
} as const;

/** enum IPVS_INFO_ATTR_* */
export const InfoAttr = {
  VERSION: 1,
  CONN_TAB_SIZE: 2,
} as const;

/** IP_VS_SVC_F_* */
export const SvcFlag = {
  PERSISTENT: 0x0001,
  HASHED: 0x0002,
  ONEPACKET: 0x0004,
  SCHED1: 0x0008,
  SCHED2: 0x0010,
  SCHED3: 0x0020,
} as const;

/** IP_VS_CONN_F_* forwarding methods, masked by IP_VS_CONN_F_FWD_MASK. */
export const Fwd = {
  MASK: 0x0007,
  MASQ: 0x0000,
  LOCALNODE: 0x0001,
  TUNNEL: 0x0002,
  DROUTE: 0x0003,
  BYPASS: 0x0004,
} as const;

/** IP_VS_CONN_F_TUNNEL_TYPE_* */
export const TunType = { IPIP: 0, GUE: 1, GRE: 2 } as const;

/** IP_VS_TUNNEL_ENCAP_FLAG_* */
export const TunFlag = { NOCSUM: 0, CSUM: 0x1, REMCSUM: 0x2 } as const;

/** IP_VS_STATE_* */
export const SyncState = { NONE: 0, MASTER: 1, BACKUP: 2 } as const;

/** IP_VS_SCHEDNAME_MAXLEN, IP_VS_PENAME_MAXLEN, IP_VS_IFNAME_MAXLEN (including the NUL). */
export const NAME_MAXLEN = 16;

export const AF_INET = 2;
export const AF_INET6 = 10;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_SCTP = 132;

/** <linux/netlink.h>: the socket protocol of generic netlink, and NLM_F_ROOT|NLM_F_MATCH. Here rather
 * than from the `netlink` package's constants module, which would be one more module to load. */
export const NETLINK_GENERIC = 16;
export const NLM_F_DUMP = 0x300;

/** struct genlmsghdr: u8 cmd, u8 version, u16 reserved. */
export const GENL_HDRLEN = 4;

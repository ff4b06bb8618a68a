/**
 * Typed IPVS errors (STYLE 13): callers branch on `code` (and `object`), never on the message.
 * Kernel errnos are translated per command, as libipvs's ipvs_strerror does; the messages are
 * ipvsadm 1.31's, so that `lvsd ipvsadm` can print what an ipvsadm user recognises.
 * The in-memory fake raises the same errors through `ipvsErrorFromErrno`.
 */
import type { IpvsCommandName } from './genl-codec.js';

export type IpvsErrorCode =
  /** The service, destination or sync daemon already exists (EEXIST). */
  | 'ERR_IPVS_EXISTS'
  /** The service, destination or sync daemon does not exist (ESRCH, ENOENT). */
  | 'ERR_IPVS_NOT_FOUND'
  /** The scheduler or persistence engine module is not available (ENOENT on NEW/SET_SERVICE). */
  | 'ERR_IPVS_NO_SUCH_SCHEDULER'
  /** The kernel has no IPVS: the generic-netlink family "IPVS" is not registered (modprobe ip_vs). */
  | 'ERR_IPVS_NOT_AVAILABLE'
  /** CAP_NET_ADMIN is missing (EPERM). */
  | 'ERR_IPVS_PERMISSION'
  /** The kernel refused the values (EINVAL, ERANGE), or validation refused them before sending. */
  | 'ERR_IPVS_INVALID'
  /** The sync daemon's interface does not exist (ENODEV). */
  | 'ERR_IPVS_NO_SUCH_DEVICE'
  /** Not supported by this kernel for this address family (EAFNOSUPPORT, EOPNOTSUPP). */
  | 'ERR_IPVS_UNSUPPORTED'
  /** Any other kernel errno; `errno` says which. */
  | 'ERR_IPVS_KERNEL'
  /** A reply could not be decoded; `details.reason` is the IpvsDecodeReason. */
  | 'ERR_IPVS_DECODE'
  /** The socket failed or a reply never came. */
  | 'ERR_IPVS_TRANSPORT'
  | 'ERR_IPVS_ABORTED'
  /** The client was closed. */
  | 'ERR_IPVS_CLOSED';

export type IpvsObject = 'service' | 'destination' | 'daemon';

export class IpvsError extends Error {
  readonly code: IpvsErrorCode;
  /** What EXISTS / NOT_FOUND refer to. */
  readonly object: IpvsObject | undefined;
  /** The kernel's errno (positive), when the kernel answered. */
  readonly errno: number | undefined;
  readonly command: IpvsCommandName | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: IpvsErrorCode,
    message: string,
    options: {
      object?: IpvsObject;
      errno?: number;
      command?: IpvsCommandName;
      cause?: unknown;
      details?: Record<string, unknown>;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IpvsError';
    this.code = code;
    this.object = options.object;
    this.errno = options.errno;
    this.command = options.command;
    this.details = options.details ?? {};
  }
}

export function isIpvsError(err: unknown, code?: IpvsErrorCode): err is IpvsError {
  return err instanceof IpvsError && (code === undefined || err.code === code);
}

/** Linux errno numbers (asm-generic/errno-base.h, errno.h). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  ENOMEM: 12,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ERANGE: 34,
  EMSGSIZE: 90,
  ENOPROTOOPT: 92,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  ENOBUFS: 105,
} as const;

type Entry = readonly [IpvsErrorCode, string, IpvsObject?];

const SERVICE_CMDS: readonly IpvsCommandName[] = ['new-service', 'set-service', 'del-service', 'get-service', 'zero'];
const DEST_CMDS: readonly IpvsCommandName[] = ['new-dest', 'set-dest', 'del-dest'];

/** libipvs ipvs_strerror's table, per command, then per errno for any command. */
function lookup(command: IpvsCommandName, errno: number): Entry | undefined {
  if (errno === Errno.EEXIST) {
    if (command === 'new-service') return ['ERR_IPVS_EXISTS', 'Service already exists', 'service'];
    if (command === 'new-dest') return ['ERR_IPVS_EXISTS', 'Destination already exists', 'destination'];
    if (command === 'new-daemon') return ['ERR_IPVS_EXISTS', 'Daemon has already run', 'daemon'];
  }
  if (errno === Errno.ENOENT) {
    if (command === 'new-service' || command === 'set-service') {
      return ['ERR_IPVS_NO_SUCH_SCHEDULER', 'Scheduler or persistence engine not found'];
    }
    if (command === 'set-dest' || command === 'del-dest') return ['ERR_IPVS_NOT_FOUND', 'No such destination', 'destination'];
  }
  if (errno === Errno.ESRCH) {
    if (SERVICE_CMDS.includes(command)) return ['ERR_IPVS_NOT_FOUND', 'No such service', 'service'];
    if (DEST_CMDS.includes(command)) return ['ERR_IPVS_NOT_FOUND', 'Service not defined', 'service'];
    if (command === 'del-daemon') return ['ERR_IPVS_NOT_FOUND', 'No daemon is running', 'daemon'];
  }
  if (errno === Errno.ENODEV && command === 'new-daemon') return ['ERR_IPVS_NO_SUCH_DEVICE', 'No such device'];
  switch (errno) {
    case Errno.EPERM:
      return ['ERR_IPVS_PERMISSION', 'Permission denied (you must be root)'];
    case Errno.EINVAL:
      return ['ERR_IPVS_INVALID', 'Invalid operation.  Possibly wrong module version, address not unicast, ...'];
    case Errno.ERANGE:
      return ['ERR_IPVS_INVALID', 'Numerical result out of range'];
    case Errno.ENOPROTOOPT:
      return ['ERR_IPVS_UNSUPPORTED', 'Protocol not available'];
    case Errno.ENOMEM:
      return ['ERR_IPVS_KERNEL', 'Memory allocation problem'];
    case Errno.EOPNOTSUPP:
      return ['ERR_IPVS_UNSUPPORTED', 'Operation not supported with IPv6'];
    case Errno.EAFNOSUPPORT:
      return ['ERR_IPVS_UNSUPPORTED', 'Operation not supported with specified address family'];
    case Errno.EMSGSIZE:
      return ['ERR_IPVS_KERNEL', 'Module is wrong version'];
    default:
      return undefined;
  }
}

/** The typed error for a kernel errno (positive) returned to `command`. */
export function ipvsErrorFromErrno(command: IpvsCommandName, errno: number, details: Record<string, unknown> = {}): IpvsError {
  const entry = lookup(command, errno);
  const [code, message, object] = entry ?? ['ERR_IPVS_KERNEL', `kernel error ${errno}`];
  return new IpvsError(code, message, {
    errno,
    command,
    details,
    ...(object === undefined ? {} : { object }),
  });
}

export const IPVS_NOT_AVAILABLE_MESSAGE =
  'IPVS is not available in this kernel: the generic netlink family "IPVS" is missing (try: modprobe ip_vs)';

/**
 * Typed errors of the VRRP adapters and driver (STYLE 13): callers branch on `code`, never on the
 * message. Adapters translate foreign errors (errno from the kernel, exceptions from native packages)
 * here and keep the original as `cause`.
 */
export type VrrpErrorCode =
  /** The settings of an instance are inconsistent; `details.problems` lists why. Nothing was started. */
  | 'ERR_VRRP_SETTINGS_INVALID'
  /** The native raw-socket package is missing or not built for this Node. */
  | 'ERR_VRRP_NATIVE_MODULE'
  /** A socket could not be opened or configured (permission, no such device). */
  | 'ERR_VRRP_SOCKET'
  /** The interface does not exist in this network namespace. */
  | 'ERR_VRRP_NO_SUCH_INTERFACE'
  /** The kernel refused an address change; `errno` says why. */
  | 'ERR_VRRP_ADDRESS'
  /** A netlink request failed or timed out. */
  | 'ERR_VRRP_NETLINK'
  /** The virtual MAC's macvlan could not be created or configured (virtual-mac.ts). */
  | 'ERR_VRRP_VIRTUAL_MAC'
  /** The operation was aborted through its AbortSignal. */
  | 'ERR_VRRP_ABORTED'
  /** The component was closed or stopped. */
  | 'ERR_VRRP_CLOSED';

export class VrrpError extends Error {
  readonly code: VrrpErrorCode;
  /** The kernel's errno (positive), when the kernel answered. */
  readonly errno: number | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: VrrpErrorCode, message: string, options: { cause?: unknown; errno?: number; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VrrpError';
    this.code = code;
    this.errno = options.errno;
    this.details = options.details ?? {};
  }
}

export function isVrrpError(err: unknown, code?: VrrpErrorCode): err is VrrpError {
  return err instanceof VrrpError && (code === undefined || err.code === code);
}

/** Rejects with ERR_VRRP_ABORTED when `signal` is aborted (for the top of async adapter calls). */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted === true) throw new VrrpError('ERR_VRRP_ABORTED', `${what}: aborted`, { cause: signal.reason });
}

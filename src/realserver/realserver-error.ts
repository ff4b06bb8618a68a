/**
 * Typed errors of the real-server preparation (STYLE 13): callers branch on `code`, never on the
 * message. The kernel adapter translates foreign errors (errno, the netlink package, a failed
 * modprobe) here and keeps the original as `cause`.
 */
export type RealServerErrorCode =
  /** The parameters are inconsistent (e.g. TUN with an IPv6 VIP). Nothing was changed. */
  | 'ERR_REALSERVER_INVALID'
  /** The interface named by --interface does not exist in this network namespace. Nothing was changed. */
  | 'ERR_REALSERVER_NO_SUCH_INTERFACE'
  /**
   * The host contradicts the request: the VIP was set up with the other method, or it already sits on
   * another interface (a real server that holds the VIP on eth0 answers ARP for it). Nothing was changed.
   */
  | 'ERR_REALSERVER_CONFLICT'
  /** The state file cannot be read, parsed or written. */
  | 'ERR_REALSERVER_STATE'
  /** The kernel refused a change (sysctl write, address, link, module); `details` say which. */
  | 'ERR_REALSERVER_KERNEL';

export class RealServerError extends Error {
  readonly code: RealServerErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: RealServerErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RealServerError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isRealServerError(err: unknown, code?: RealServerErrorCode): err is RealServerError {
  return err instanceof RealServerError && (code === undefined || err.code === code);
}

/**
 * Typed errors with stable codes (STYLE 13). Callers branch on `code`, never on the message.
 * Adapters translate foreign errors at the boundary and keep the original as `cause`.
 */
export type LvsdErrorCode =
  | 'ERR_CONFIG_INVALID'
  | 'ERR_CONFIG_READ'
  | 'ERR_CONFIG_SYNTAX'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_USAGE'
  | 'ERR_COMMAND_NOT_FOUND'
  | 'ERR_COMMAND_TIMEOUT'
  | 'ERR_COMMAND_ABORTED'
  | 'ERR_COMMAND_FAILED'
  | 'ERR_COMPONENT_START'
  | 'ERR_CONTROL_SOCKET'
  | 'ERR_LAB'
  | 'ERR_UML'
  | 'ERR_PREREQUISITE'
  /** lvsd's own N-API addon (native/) is not built or does not load. */
  | 'ERR_NATIVE_ADDON';

export class LvsdError extends Error {
  readonly code: LvsdErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: LvsdErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LvsdError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isLvsdError(err: unknown, code?: LvsdErrorCode): err is LvsdError {
  return err instanceof LvsdError && (code === undefined || err.code === code);
}

/** For exhaustive switches: the compiler proves this is unreachable. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** A short, single-line description of any thrown value, for log fields and CLI messages. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

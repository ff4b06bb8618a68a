/**
 * The control socket's protocol: one JSON object per line each way. A request names a command;
 * the reply carries `ok` and either `result` or a stable error `code` with a message.
 */
export type ControlCommand = 'status' | 'ping';

export interface ControlRequest {
  readonly command: ControlCommand;
}

export type ControlReply =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly code: string; readonly message: string };

export const CONTROL_COMMANDS: readonly ControlCommand[] = ['status', 'ping'];

/** Requests are small; anything longer is refused rather than buffered. */
export const MAX_REQUEST_BYTES = 64 * 1024;

export function parseControlRequest(line: string): ControlRequest | { readonly error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: 'request is not JSON' };
  }
  if (typeof value !== 'object' || value === null) return { error: 'request must be a JSON object' };
  const command = (value as { command?: unknown }).command;
  if (typeof command !== 'string' || !(CONTROL_COMMANDS as readonly string[]).includes(command)) {
    return { error: `unknown command ${JSON.stringify(command)}; known: ${CONTROL_COMMANDS.join(', ')}` };
  }
  return { command: command as ControlCommand };
}

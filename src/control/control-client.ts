/** Sends one request to a running daemon's control socket and returns its reply. */
import { connect } from 'node:net';
import { LvsdError } from '../core/errors.js';
import type { ControlCommand, ControlReply } from './protocol.js';

export function sendControlRequest(path: string, command: ControlCommand, timeoutMs = 5000): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buffered = '';
    const fail = (message: string, cause?: unknown): void => {
      socket.destroy();
      reject(new LvsdError('ERR_CONTROL_SOCKET', message, cause === undefined ? {} : { cause }));
    };
    socket.setTimeout(timeoutMs, () => fail(`no reply from ${path} within ${timeoutMs} ms`));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      const hint = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? ' (is lvsd running? see daemon.controlSocket)' : '';
      fail(`cannot reach lvsd at ${path}: ${e.code ?? e.message}${hint}`, e);
    });
    socket.on('connect', () => socket.write(`${JSON.stringify({ command })}\n`));
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      socket.end();
      try {
        resolve(JSON.parse(buffered.slice(0, nl)) as ControlReply);
      } catch (e) {
        fail(`malformed reply from ${path}`, e);
      }
    });
  });
}

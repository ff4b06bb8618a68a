/**
 * The control socket (a Unix socket, mode 0600): `lvsd status` and later commands talk to the
 * running daemon through it. A component; handlers are supplied by the composition root.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { connect } from 'node:net';
import { LvsdError, describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Component } from '../daemon/lifecycle.js';
import { MAX_REQUEST_BYTES, parseControlRequest, type ControlCommand, type ControlReply } from './protocol.js';

export type ControlHandlers = Readonly<Record<ControlCommand, () => unknown>>;

export function createControlServer(path: string, handlers: ControlHandlers, logger: Logger): Component {
  const log = logger.child({ component: 'control' });
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let requestCount = 0;

  function onConnection(socket: Socket): void {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(10_000, () => socket.destroy());
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      if (buffered.length > MAX_REQUEST_BYTES) {
        reply(socket, { ok: false, code: 'ERR_REQUEST_TOO_LARGE', message: `request over ${MAX_REQUEST_BYTES} bytes` });
        socket.end();
        return;
      }
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        requestCount++;
        reply(socket, handle(line));
      }
    });
  }

  function handle(line: string): ControlReply {
    const req = parseControlRequest(line);
    if ('error' in req) return { ok: false, code: 'ERR_BAD_REQUEST', message: req.error };
    try {
      return { ok: true, result: handlers[req.command]() };
    } catch (e) {
      log.error('control command failed', { command: req.command, err: describeError(e) });
      return { ok: false, code: 'ERR_INTERNAL', message: describeError(e) };
    }
  }

  return {
    name: 'control-socket',
    async start() {
      if (server !== undefined) return;
      await mkdir(dirname(path), { recursive: true });
      if (await isSocketLive(path)) {
        throw new LvsdError('ERR_CONTROL_SOCKET', `control socket ${path} is in use by another process`);
      }
      await rm(path, { force: true }); // a stale socket left by a crash
      const s = createServer(onConnection);
      await new Promise<void>((resolve, reject) => {
        s.once('error', (e) => reject(new LvsdError('ERR_CONTROL_SOCKET', `cannot listen on ${path}: ${describeError(e)}`, { cause: e })));
        s.listen(path, () => resolve());
      });
      await chmod(path, 0o600);
      server = s;
      log.info('control socket listening', { path });
    },
    async stop() {
      const s = server;
      if (s === undefined) return;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => s.close(() => resolve()));
      await rm(path, { force: true });
    },
    snapshot: () => ({ path, isListening: server !== undefined, requestCount }),
  };
}

function isSocketLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

function reply(socket: Socket, message: ControlReply): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
}

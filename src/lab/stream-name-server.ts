/**
 * The lab's long-lived-connection server on a real server: a TCP server that answers every line
 * with its own name and the line (stream-lines.ts), for as long as the client keeps the
 * connection, so a drain can be watched on one connection.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createLineSplitter, formatStreamReply } from './stream-lines.js';

export interface StreamNameServer {
  readonly server: Server;
  /** Open connections now. */
  connectionCount(): number;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

export function createStreamNameServer(name: string): StreamNameServer {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const split = createLineSplitter();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      for (const line of split(chunk)) socket.write(formatStreamReply(name, line));
    });
    socket.on('end', () => socket.end());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    server,
    connectionCount: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/**
 * The lab's real-server application: an HTTP server that answers every request with
 * 200 and its own name, so a client can see which real server served it.
 */
import { createServer, type Server } from 'node:http';
import { err, ok, type Result } from '../core/result.js';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** "ADDR:PORT", or "[IPv6]:PORT". */
export function parseListenAddress(text: string): Result<ListenAddress, string> {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    return err(`"${text}" is not ADDR:PORT (e.g. 0.0.0.0:80 or [::]:80)`);
  }
  return ok({ host, port });
}

/** Answers 200 "<name>\n" to any request, and closes each connection (one request per connection). */
export function createNameServer(name: string): Server {
  const body = `${name}\n`;
  return createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  });
}

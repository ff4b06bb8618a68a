/**
 * A stand-in for `bin/lvsd.js run --config <file> --foreground`, for lab tests written before the
 * real daemon exists: reads the generated config, listens on its control socket, logs JSON lines
 * on stderr, exits 0 on SIGTERM. It checks the contract the lab relies on, nothing more.
 */
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { parse } from 'yaml';

const [command, configFlag, configPath, foreground] = process.argv.slice(2);
if (command !== 'run' || configFlag !== '--config' || configPath === undefined || foreground !== '--foreground') {
  process.stderr.write(`fake-lvsd: usage: run --config <file> --foreground (got ${process.argv.slice(2).join(' ')})\n`);
  process.exit(2);
}
const config = parse(readFileSync(configPath, 'utf8')) as { global?: { routerId?: string }; daemon?: { controlSocket?: string } };
const socketPath = config.daemon?.controlSocket;
const routerId = config.global?.routerId;
if (socketPath === undefined || routerId === undefined) {
  process.stderr.write('fake-lvsd: config lacks daemon.controlSocket or global.routerId\n');
  process.exit(1);
}
const log = (message: string, fields: Record<string, unknown> = {}): void => {
  process.stderr.write(`${JSON.stringify({ level: 'info', message, routerId, ...fields })}\n`);
};
const server = createServer((socket) => socket.end('{"ok":true}\n'));
server.listen(socketPath, () => log('daemon started', { controlSocket: socketPath }));
process.once('SIGTERM', () => {
  log('daemon stopping');
  server.close(() => {
    rmSync(socketPath, { force: true });
    process.exit(0);
  });
});

/**
 * Entry point: `node http-name-server-main.js --name rs-1 --listen 0.0.0.0:80 [--exit-on-stdin-eof true]`.
 * Prints {"event":"ready",...} on stdout once listening; exits 0 on SIGTERM/SIGINT, and with
 * --exit-on-stdin-eof when its stdin closes (the lab keeps it open: if the lab process dies, so
 * does the server, even though it runs in its own process group).
 */
import { parseFlags } from './cli-flags.js';
import { createNameServer, parseListenAddress } from './http-name-server.js';

const flags = parseFlags(process.argv.slice(2), {
  name: { kind: 'string', isRequired: true },
  listen: { kind: 'string', isRequired: true },
  'exit-on-stdin-eof': { kind: 'string' },
});
const listen = flags.ok ? parseListenAddress(String(flags.value['listen'])) : flags;
if (!flags.ok || !listen.ok) {
  process.stderr.write(`http-name-server: ${!flags.ok ? flags.error : !listen.ok ? listen.error : ''}\n`);
  process.exit(2);
}
const name = String(flags.value['name']);
const server = createNameServer(name);
server.on('error', (e) => {
  process.stderr.write(`http-name-server ${name}: ${e.message}\n`);
  process.exit(1);
});
server.listen(listen.value.port, listen.value.host, () => {
  process.stdout.write(`${JSON.stringify({ event: 'ready', name, listen: `${listen.value.host}:${listen.value.port}`, pid: process.pid })}\n`);
});
let isStopping = false;
const stop = (): void => {
  if (isStopping) return;
  isStopping = true;
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
if (flags.value['exit-on-stdin-eof'] === 'true') {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

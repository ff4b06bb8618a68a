/**
 * Entry point: `node stream-name-server-main.js --name rs-1 --listen 0.0.0.0:7000 [--exit-on-stdin-eof true]`.
 * Prints {"event":"ready",...} on stdout once listening; exits 0 on SIGTERM/SIGINT, and with
 * --exit-on-stdin-eof when its stdin closes (as http-name-server-main).
 */
import { parseFlags } from './cli-flags.js';
import { parseListenAddress } from './http-name-server.js';
import { createStreamNameServer } from './stream-name-server.js';

const flags = parseFlags(process.argv.slice(2), {
  name: { kind: 'string', isRequired: true },
  listen: { kind: 'string', isRequired: true },
  'exit-on-stdin-eof': { kind: 'string' },
});
const listen = flags.ok ? parseListenAddress(String(flags.value['listen'])) : flags;
if (!flags.ok || !listen.ok) {
  process.stderr.write(`stream-name-server: ${!flags.ok ? flags.error : !listen.ok ? listen.error : ''}\n`);
  process.exit(2);
}
const name = String(flags.value['name']);
const stream = createStreamNameServer(name);
stream.server.on('error', (e) => {
  process.stderr.write(`stream-name-server ${name}: ${e.message}\n`);
  process.exit(1);
});
stream.server.listen(listen.value.port, listen.value.host, () => {
  process.stdout.write(`${JSON.stringify({ event: 'ready', name, listen: `${listen.value.host}:${listen.value.port}`, pid: process.pid })}\n`);
});
let isStopping = false;
const stop = (): void => {
  if (isStopping) return;
  isStopping = true;
  void stream.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
if (flags.value['exit-on-stdin-eof'] === 'true') {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

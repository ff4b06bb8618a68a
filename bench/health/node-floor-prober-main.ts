/**
 * The floor of any TCP check written on Node's sockets, for the health scale benchmark: every target
 * is connected to and closed again once per interval (first probes spread over one interval), with
 * nothing else: no timeout, no scheduler, no hysteresis, no logging. lvsd's CPU per check sits
 * between this and keepalived's.
 *
 *   node node-floor-prober-main.js '{"addressCount":40,"portsPerAddress":250,"basePort":20000}' 1000
 *
 * Prints {"event":"ready","targets":N}; exits when stdin ends or on SIGTERM.
 */
import net from 'node:net';
import { allTargets, planTargetGroups, type BenchTarget, type TargetGridSpec } from './health-bench-config.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as TargetGridSpec;
const intervalMs = Number(process.argv[3] ?? '1000');
const targets = allTargets(planTargetGroups(spec));

function probe(t: BenchTarget): void {
  const socket = net.connect({ host: t.address, port: t.port });
  const next = (): void => {
    socket.destroy();
    setTimeout(() => probe(t), intervalMs);
  };
  socket.once('connect', next);
  socket.once('error', next);
}

for (const t of targets) setTimeout(() => probe(t), Math.random() * intervalMs);
process.stdout.write(`${JSON.stringify({ event: 'ready', targets: targets.length })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

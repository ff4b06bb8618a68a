/**
 * CPU load for the VRRP bench: spins on one CPU until DURATION_MS have passed, then exits 0.
 *   node dist/bench/vrrp/busy-loop-main.js DURATION_MS
 * Bounded by its own deadline (at most 1 hour), so a lost process cannot spin for ever. Exit 2 on bad usage.
 */
const MAX_DURATION_MS = 3_600_000;
const durationMs = Number(process.argv[2]);
if (!Number.isFinite(durationMs) || durationMs <= 0 || durationMs > MAX_DURATION_MS) {
  process.stderr.write(`usage: busy-loop-main.js DURATION_MS (1-${MAX_DURATION_MS})\n`);
  process.exit(2);
}
const deadline = performance.now() + durationMs;
process.stdout.write(`${JSON.stringify({ event: 'ready', pid: process.pid, durationMs })}\n`);
let spins = 0;
while (performance.now() < deadline) spins++;
process.stdout.write(`${JSON.stringify({ event: 'done', spins })}\n`);

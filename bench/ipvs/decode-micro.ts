/**
 * `node dist/bench/ipvs/decode-micro.js [--rounds N]`: the decoding half of lvsd's whole-table dump,
 * on the host, on the kernel's own bytes (bench/ipvs/dump-sample.json, captured in UML by
 * dump-profile.ts): per round, 1,000 NEW_SERVICE and 10,000 NEW_DEST replies through
 * decodeServiceReply / decodeDestinationReply, as readIpvsTable does for the 1,000 x 10 bench table.
 * Two variants: the counters as captured (all zero: a table without traffic, as in `npm run bench`)
 * and every counter and rate set to a non-zero value (a busy table; u64 counters above 2^32).
 * Prints the median [min-max] per round of each, in CPU time (user + system: on a shared machine it
 * moves much less with the load than wall time) and in wall time.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { decodeDestinationReply, decodeServiceReply } from '../../src/ipvs/genl-decode.js';

const { values } = parseArgs({ options: { rounds: { type: 'string' } } });
const rounds = Number(values.rounds ?? '30');
const SERVICES = 1000;
/** IPVS_SVC_ATTR_STATS / IPVS_DEST_ATTR_STATS and the STATS64 twins: the same numbers in both nests. */
const STATS = 10;
const STATS64 = 12;

const PER_SERVICE = 10;

const sample = JSON.parse(readFileSync(new URL('../../../bench/ipvs/dump-sample.json', import.meta.url), 'utf8')) as { services: string[]; destinations: string[] };
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const zero = { services: sample.services.map(fromHex), destinations: sample.destinations.map(fromHex) };
const busy = { services: zero.services.map(withCounters), destinations: zero.destinations.map(withCounters) };
const check = decodeDestinationReply(busy.destinations[0] ?? new Uint8Array(), 4);
if (!check.ok || check.value.stats.inBytes !== 0x5_0102_0304n || check.value.stats.connections !== 0x5_0102_0304n) {
  throw new Error('the non-zero variant did not set the counters');
}

interface Took {
  readonly cpuMs: number;
  readonly wallMs: number;
}

function round(set: typeof zero): Took {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < SERVICES; i++) {
    const s = decodeServiceReply(set.services[i % set.services.length] ?? new Uint8Array());
    if (!s.ok) throw new Error(`service: ${s.reason} ${s.detail}`);
    for (let j = 0; j < PER_SERVICE; j++) {
      const d = decodeDestinationReply(set.destinations[j % set.destinations.length] ?? new Uint8Array(), 4);
      if (!d.ok) throw new Error(`destination: ${d.reason} ${d.detail}`);
      n += d.value.destination.weight > 0 ? 1 : 0;
    }
  }
  if (n !== SERVICES * PER_SERVICE) throw new Error(`${n} destinations with a weight`);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs };
}

const describe = (xs: readonly number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${(s[Math.floor(s.length / 2)] ?? 0).toFixed(1)} ms [${(s[0] ?? 0).toFixed(1)}-${(s.at(-1) ?? 0).toFixed(1)}]`;
};
const report = (name: string, set: typeof zero): string => {
  for (let i = 0; i < 5; i++) round(set); // warm-up: let the JIT settle
  const took = Array.from({ length: rounds }, () => round(set));
  return `${name.padEnd(20)} cpu ${describe(took.map((t) => t.cpuMs))}   wall ${describe(took.map((t) => t.wallMs))}`;
};
process.stdout.write(`decode of ${SERVICES} services x ${PER_SERVICE} destinations, ${rounds} rounds, node ${process.version}\n${report('counters zero', zero)}\n${report('counters non-zero', busy)}\n`);

/**
 * A copy of a reply whose STATS/STATS64 counters are all non-zero: every 4-byte payload inside a
 * nest of the service or destination attribute becomes 0x01020304 and every 8-byte one
 * 0x0000000501020304 (above 2^32), PAD attributes (empty) aside. Walks the TLVs directly.
 */
function withCounters(payload: Uint8Array): Uint8Array {
  const out = Uint8Array.from(payload);
  const view = new DataView(out.buffer);
  const walk = (from: number, to: number, depth: number): void => {
    for (let at = from; at + 4 <= to; ) {
      const len = view.getUint16(at, true);
      if (len < 4) return;
      const type = view.getUint16(at + 2, true) & 0x3fff;
      // depth 0: the command's attribute; 1: the service/destination; 2: inside STATS or STATS64.
      if (depth < 2 && len > 4 && (depth === 0 || type === STATS || type === STATS64)) walk(at + 4, at + len, depth + 1);
      else if (depth === 2 && len === 8) view.setUint32(at + 4, 0x01020304, true);
      else if (depth === 2 && len === 12) {
        view.setUint32(at + 4, 0x01020304, true);
        view.setUint32(at + 8, 5, true);
      }
      at += (len + 3) & ~3;
    }
  };
  walk(4, out.length, 0);
  return out;
}

/**
 * Guest side of bench/ipvs/dump-profile.ts (inside UML, real kernel IPVS): where the time of
 * lvsd's whole-table dump goes. Programs the bench table (1,000 x 10 by default) once, then per
 * repetition dumps it with readIpvsTable through a transport wrapper that times what is spent
 * inside the netlink socket requests (the rest is decoding and the client's own work), and runs
 * `ipvsadm -Sn` for reference. One more dump runs under the V8 CPU profiler (node:inspector); the
 * profile and the raw reply payloads of one list-services and one list-dests dump are written to
 * $LVSD_UML_OUTPUT_DIR, so the decoder can be measured on the host on the kernel's own bytes.
 * With `baselineDist` (another build's dist/ directory, e.g. of the commit before a change), each
 * repetition also dumps through that build's client on its own socket, next to this one's (before
 * it on even repetitions, after it on odd ones), so the two are compared under the same load.
 * Input ($LVSD_UML_INPUT): { services, perService, repeat, baselineDist? }; result: timings ($LVSD_UML_RESULT).
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { applyIpvsPlan } from '../../src/ipvs/apply-ipvs-plan.js';
import { GenlIpvsClient, resolveIpvsFamily } from '../../src/ipvs/genl-ipvs-client.js';
import { readIpvsTable } from '../../src/ipvs/ipvs-client.js';
import { createNetlinkTransport, type GenlReply, type GenlTransport } from '../../src/ipvs/netlink-transport.js';
import { EMPTY_PLAN_STATE, planIpvs } from '../../src/ipvs/plan.js';
import { buildBenchTable } from './big-table.js';

interface Input {
  readonly services: number;
  readonly perService: number;
  readonly repeat: number;
  readonly baselineDist?: string;
}

/** What this job needs of another build: its client factory and its table reader. */
interface BaselineBuild {
  createGenlIpvsClient(): Promise<{ close(): void }>;
  readIpvsTable(client: unknown): Promise<readonly { readonly destinations: readonly unknown[] }[]>;
}

export interface DumpProfileRun {
  /** readIpvsTable, untimed inside. */
  readonly lvsdMs: number;
  /** The second dump, with each request timed: its total and the summed time inside the socket requests. */
  readonly timedMs: number;
  readonly transportMs: number;
  readonly requests: number;
  readonly ipvsadmMs: number;
  /**
   * CPU time (user + system) of the first dump, and of `ipvsadm -Sn` (its process included, from
   * this process's children times, 10 ms ticks): on a loaded host these move much less than wall time.
   */
  readonly lvsdCpuMs: number;
  readonly ipvsadmCpuMs: number;
  /** The baseline build's dump, run just before this one's (when baselineDist is given). */
  readonly baselineMs?: number;
}

export interface DumpProfileResult {
  readonly services: number;
  readonly destinations: number;
  readonly runs: readonly DumpProfileRun[];
  /** Replies (payload hex) of the first list-services dump and of one list-dests dump. */
  readonly sample: { readonly services: readonly string[]; readonly destinations: readonly string[] };
}

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is unset: run me inside UML through dump-profile.ts`);
  return v;
};
const input = JSON.parse(await readFile(env('LVSD_UML_INPUT'), 'utf8')) as Input;
const outDir = env('LVSD_UML_OUTPUT_DIR');

/** Times each request; keeps the replies while `keep` is on. */
class TimingTransport implements GenlTransport {
  totalMs = 0;
  requests = 0;
  kept: GenlReply[][] = [];
  keep = false;
  isTiming = false;
  constructor(private readonly inner: GenlTransport) {}
  get recvBufferBytes(): number {
    return this.inner.recvBufferBytes;
  }
  async request(type: number, payload: Uint8Array, options: { readonly isDump: boolean; readonly timeoutMs: number }): Promise<GenlReply[]> {
    if (!this.isTiming) return this.keeping(await this.inner.request(type, payload, options));
    const t0 = performance.now();
    const replies = await this.inner.request(type, payload, options);
    this.totalMs += performance.now() - t0;
    this.requests++;
    return this.keeping(replies);
  }
  private keeping(replies: GenlReply[]): GenlReply[] {
    if (this.keep) this.kept.push(replies);
    return replies;
  }
  close(): void {
    this.inner.close();
  }
}

const transport = new TimingTransport(createNetlinkTransport({ recvBufferBytes: 4 << 20 }));
const client = new GenlIpvsClient(transport, await resolveIpvsFamily(transport, 10_000));
const table = buildBenchTable(input.services, input.perService);
await client.flush();
const plan = planIpvs(table.desired, [], EMPTY_PLAN_STATE, 0, { drainTimeoutMs: 0, isServiceRemovalImmediate: true });
const applied = await applyIpvsPlan(client, plan.ops);
if (applied.failed.length > 0) throw new Error(`apply: ${applied.failed.length} failed: ${applied.failed[0]?.error.message ?? ''}`);

const baseline = input.baselineDist === undefined ? undefined : await loadBaseline(input.baselineDist);
const runs: DumpProfileRun[] = [];
let destinations = 0;
/** utime + stime of the children this process waited for, in ms (/proc/self/stat fields 16 and 17). */
async function childrenCpuMs(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
}
const TICKS_PER_SECOND = 100;

for (let i = 0; i < input.repeat; i++) {
  let baselineMs: number | undefined;
  const runBaseline = async (): Promise<void> => {
    if (baseline === undefined) return;
    const tb = performance.now();
    const n = (await baseline.build.readIpvsTable(baseline.client)).reduce((sum, e) => sum + e.destinations.length, 0);
    baselineMs = performance.now() - tb;
    if (n !== input.services * input.perService) throw new Error(`baseline dump: ${n} destinations`);
  };
  // The baseline's dump runs right before this build's on even repetitions, right after on odd ones.
  if (i % 2 === 0) await runBaseline();
  transport.keep = i === 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const dumped = await readIpvsTable(client);
  const lvsdMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (i % 2 === 1) await runBaseline();
  transport.keep = false;
  destinations = dumped.reduce((n, e) => n + e.destinations.length, 0);
  transport.totalMs = 0;
  transport.requests = 0;
  transport.isTiming = true;
  const t1 = performance.now();
  await readIpvsTable(client);
  const timedMs = performance.now() - t1;
  transport.isTiming = false;
  const children0 = await childrenCpuMs();
  const t2 = performance.now();
  await promisify(execFile)('ipvsadm', ['-Sn'], { maxBuffer: 64 << 20 });
  const ipvsadmMs = performance.now() - t2;
  const ipvsadmCpuMs = (await childrenCpuMs()) - children0;
  runs.push({ lvsdMs, timedMs, transportMs: transport.totalMs, requests: transport.requests, ipvsadmMs, lvsdCpuMs: (cpu.user + cpu.system) / 1000, ipvsadmCpuMs, ...(baselineMs === undefined ? {} : { baselineMs }) });
  process.stderr.write(`dump ${i + 1}: lvsd ${lvsdMs.toFixed(1)} ms; timed ${timedMs.toFixed(1)} ms, socket ${transport.totalMs.toFixed(1)} ms, ${transport.requests} requests; ipvsadm -Sn ${runs.at(-1)?.ipvsadmMs.toFixed(1) ?? '?'} ms\n`);
}
const hex = (replies: readonly GenlReply[] | undefined): string[] => (replies ?? []).map((r) => Buffer.from(r.payload).toString('hex'));
const sample = { services: hex(transport.kept[0]), destinations: hex(transport.kept[1]) };

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
await readIpvsTable(client);
const { profile } = await session.post('Profiler.stop');
session.disconnect();
await writeFile(join(outDir, 'dump.cpuprofile'), JSON.stringify(profile));

await client.flush();
client.close();
baseline?.client.close();
const result: DumpProfileResult = { services: input.services, destinations, runs, sample };
await writeFile(env('LVSD_UML_RESULT'), JSON.stringify(result));

async function loadBaseline(dist: string): Promise<{ build: BaselineBuild; client: { close(): void } }> {
  const clientModule = (await import(join(dist, 'src/ipvs/genl-ipvs-client.js'))) as Pick<BaselineBuild, 'createGenlIpvsClient'>;
  const tableModule = (await import(join(dist, 'src/ipvs/ipvs-client.js'))) as Pick<BaselineBuild, 'readIpvsTable'>;
  const build: BaselineBuild = { createGenlIpvsClient: clientModule.createGenlIpvsClient, readIpvsTable: tableModule.readIpvsTable };
  return { build, client: await build.createGenlIpvsClient() };
}

/**
 * `node dist/bench/ipvs/dump-profile.js [--services N] [--per-service M] [--repeat R] [--baseline-dist DIR] [--save-sample FILE] [--save-profile FILE]`
 *
 * Boots UML once and runs dump-profile-main.ts: lvsd's whole-table dump next to `ipvsadm -Sn`,
 * with the share spent inside the netlink socket, and the functions with the most self time in a
 * V8 CPU profile of one more dump. --save-sample writes the kernel's reply payloads of one
 * list-services and one list-dests dump (JSON of hex strings), the input of decode-micro.ts.
 * --baseline-dist DIR (another build's dist/, outside /tmp and /run, e.g. a worktree of the commit
 * before a change, with node_modules reachable from it) dumps through that build too, alternating
 * with this one in the same guest, and prints the paired ratio.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { silentLogger } from '../../src/core/logger.js';
import { IPVS_MODULES } from '../../src/lab/uml-modules.js';
import { runInUml } from '../../src/lab/uml-runner.js';
import type { DumpProfileResult } from './dump-profile-main.js';

const { values } = parseArgs({
  options: {
    services: { type: 'string' },
    'per-service': { type: 'string' },
    repeat: { type: 'string' },
    'baseline-dist': { type: 'string' },
    'save-sample': { type: 'string' },
    'save-profile': { type: 'string' },
  },
});
const counts = { services: Number(values.services ?? '1000'), perService: Number(values['per-service'] ?? '10'), repeat: Number(values.repeat ?? '7') };
const baselineDist = values['baseline-dist'];
const input = { ...counts, ...(baselineDist === undefined ? {} : { baselineDist }) };
for (const [k, v] of Object.entries(counts)) {
  if (!Number.isInteger(v) || v < 1 || v > 100_000) {
    process.stderr.write(`dump-profile: --${k} must be a positive integer\n`);
    process.exit(2);
  }
}
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const run = await runInUml(
  { job: { kind: 'node', entry: fileURLToPath(new URL('./dump-profile-main.js', import.meta.url)) }, modules: IPVS_MODULES, input, timeoutMs: 300_000, memoryMb: 1024 },
  { runner: createProcessRunner(), logger: silentLogger, pathEnv: process.env['PATH'] ?? '', nodePath: process.execPath, cwd: repoRoot },
);
const result = run.result as DumpProfileResult | undefined;
if (result === undefined || run.exitCode !== 0) {
  process.stderr.write(`dump-profile: the guest job failed (exit ${run.exitCode}):\n${run.stderr.slice(-3000)}\n`);
  process.exit(1);
}
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const col = (f: (r: DumpProfileResult['runs'][number]) => number): string => `${median(result.runs.map(f)).toFixed(1)} [${Math.min(...result.runs.map(f)).toFixed(1)}-${Math.max(...result.runs.map(f)).toFixed(1)}]`;
const lines = [
  `dump of ${result.services} services, ${result.destinations} destinations, ${result.runs.length} runs (median [min-max] ms)`,
  `  lvsd readIpvsTable   ${col((r) => r.lvsdMs)}`,
  `  ipvsadm -Sn          ${col((r) => r.ipvsadmMs)}`,
  `  lvsd, requests timed ${col((r) => r.timedMs)}`,
  `    inside the socket  ${col((r) => r.transportMs)}  (${result.runs[0]?.requests ?? '?'} requests)`,
  `    decode and client  ${col((r) => r.timedMs - r.transportMs)}`,
  `  ratio lvsd / ipvsadm ${(median(result.runs.map((r) => r.lvsdMs)) / median(result.runs.map((r) => r.ipvsadmMs))).toFixed(2)}`,
  `  CPU time (user + system, in the guest)`,
  `    lvsd readIpvsTable ${col((r) => r.lvsdCpuMs)}`,
  `    ipvsadm -Sn        ${col((r) => r.ipvsadmCpuMs)}`,
  `    ratio              ${(median(result.runs.map((r) => r.lvsdCpuMs)) / median(result.runs.map((r) => r.ipvsadmCpuMs))).toFixed(2)}`,
];
const paired = result.runs.flatMap((r) => (r.baselineMs === undefined ? [] : [r.lvsdMs / r.baselineMs]));
if (paired.length > 0) {
  lines.push(
    `  baseline build       ${col((r) => r.baselineMs ?? Number.NaN)}  (${baselineDist ?? ''})`,
    `  paired ratio this / baseline: median ${median(paired).toFixed(2)} [${Math.min(...paired).toFixed(2)}-${Math.max(...paired).toFixed(2)}]`,
  );
}
const profileText = run.files['dump.cpuprofile'];
if (profileText !== undefined) lines.push('', 'self time in one profiled dump (top 25)', ...topSelfTime(JSON.parse(profileText) as CpuProfile, 25));
process.stdout.write(`${lines.join('\n')}\n`);
if (values['save-sample'] !== undefined) await writeFile(values['save-sample'], `${JSON.stringify(result.sample)}\n`);
if (values['save-profile'] !== undefined && profileText !== undefined) await writeFile(values['save-profile'], profileText);

interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }; readonly hitCount?: number }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time per function (summed over its nodes), from the samples and their time deltas. */
function topSelfTime(profile: CpuProfile, count: number): string[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id);
    const dt = profile.timeDeltas[i + 1] ?? 0;
    totalUs += dt;
    if (node === undefined) return;
    const f = node.callFrame;
    const where = f.url === '' ? '' : ` ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
    const key = `${f.functionName === '' ? '(anonymous)' : f.functionName}${where}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
  });
  return [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([k, us]) => `  ${(us / 1000).toFixed(1).padStart(7)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${k}`);
}

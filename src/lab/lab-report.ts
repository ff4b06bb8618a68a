/**
 * The printable report of a lab run: verdict, UML timings, timeline, probe summary, IPVS counters,
 * daemons and teardown. Pure: result in, text out.
 */
import type { ProbeSummary } from './probe-analysis.js';
import type { DrainOutcome } from './scenarios/drain-live-connection.js';
import type { TrafficThroughVipResult } from './scenarios/traffic-through-vip.js';

export interface LabUmlTimings {
  readonly exitCode: number;
  readonly durationMs: number;
  /** Guest uptime when the scenario started: boot, mounts, modprobe. */
  readonly bootMs?: number;
  /** Guest time spent in the scenario process. */
  readonly jobMs?: number;
}

export interface LabReportInput {
  readonly scenario: string;
  readonly result: TrafficThroughVipResult | undefined;
  readonly uml: LabUmlTimings;
  /** Last lines of the scenario's stderr, shown when there is no result. */
  readonly stderrTail: string;
}

export function formatLabReport(input: LabReportInput): string {
  const { result } = input;
  const isOk = result?.isOk === true && input.uml.exitCode === 0;
  const lines = [`lvsd lab: ${input.scenario}: ${isOk ? 'OK' : 'FAILED'}`, formatUml(input.uml)];
  if (result === undefined) {
    lines.push('', 'The scenario produced no result.', ...(input.stderrTail.trim() === '' ? [] : ['stderr (tail):', indent(input.stderrTail)]));
    return `${lines.join('\n')}\n`;
  }
  const roles = countRoles(result);
  lines.push(
    `Topology: ${roles.director} director(s), ${roles['real-server']} real server(s), ${roles.client} client; VIP ${result.vip}, scheduler ${result.scheduler}, forwarding ${result.forwarding}`,
    '',
    'Timeline',
    ...result.timeline.map((e) => `  ${String(e.atMs).padStart(7)} ms  ${e.step.padEnd(22)} ${e.detail}`),
    '',
    ...formatSummary(result.summary, result.expectedServers),
  );
  if (result.ipvsServices.length > 0) {
    lines.push('', 'IPVS (ipvsadm -Ln --stats)');
    for (const s of result.ipvsServices) {
      lines.push(`  ${s.protocol} ${s.address}  conns ${s.conns}  inPkts ${s.inPkts}  outPkts ${s.outPkts}`);
      for (const d of s.destinations) lines.push(`    -> ${d.address}  conns ${d.conns}  inPkts ${d.inPkts}`);
    }
  }
  if (result.drain !== undefined) lines.push('', ...formatDrain(result.drain));
  if (result.daemons.length > 0) {
    lines.push('', 'Daemons');
    for (const d of result.daemons) {
      lines.push(`  ${d.name}: ${d.exit}`);
      for (const note of d.notes) lines.push(`    ${note}`);
    }
  }
  if (result.teardown !== undefined) {
    const t = result.teardown;
    lines.push('', `Teardown: ${t.stoppedProcesses.length} process(es) stopped, ${t.remainingNamespaces.length} namespace(s) left`);
    for (const e of t.errors) lines.push(`  ${e}`);
  }
  if (result.error !== undefined) lines.push('', `Error (${result.error.code}): ${result.error.message}`);
  return `${lines.join('\n')}\n`;
}

export function formatSummary(summary: ProbeSummary, expectedServers: readonly string[]): string[] {
  const pct = (summary.successRatio * 100).toFixed(1);
  const servers = [...new Set([...expectedServers, ...Object.keys(summary.byServer)])];
  const gap = summary.longestFailureGap;
  const lat = summary.latencyMs;
  return [
    `Probes: ${summary.okCount}/${summary.total} ok (${pct}%) over ${Math.round(summary.spanMs)} ms`,
    `  outcomes: ${Object.entries(summary.outcomes).filter(([, n]) => n > 0).map(([o, n]) => `${o} ${n}`).join(', ') || 'none'}`,
    `  by server: ${servers.map((s) => `${s} ${summary.byServer[s] ?? 0}`).join(', ') || 'none'}`,
    `  longest failure gap: ${gap.count === 0 ? 'none' : `${gap.count} probe(s), ${Math.round(gap.durationMs)} ms (seq ${gap.fromSeq ?? '?'}-${gap.toSeq ?? '?'})`}`,
    `  latency ms: ${lat === undefined ? 'n/a' : `min ${fmt(lat.min)} p50 ${fmt(lat.p50)} p90 ${fmt(lat.p90)} p99 ${fmt(lat.p99)} max ${fmt(lat.max)}`}`,
  ];
}

function formatDrain(d: DrainOutcome): string[] {
  const at = (x: { weight: number; activeConns: number } | undefined): string => (x === undefined ? 'not listed' : `weight ${x.weight}, ActiveConn ${x.activeConns}`);
  return [
    `Drain of ${d.drainedServer} (${d.drainedDestination}), which held the client's connection`,
    `  after SIGHUP: ${at(d.whileDraining)} within ${d.weightZeroAfterMs} ms`,
    `  held connection: ${d.repliesWhileDraining} replies while draining, from ${d.heldConnectionServers.join(' ')}`,
    `  new connections: ${Object.entries(d.newConnections).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}; ${d.newConnectionErrors} failed`,
    `  before the close: ${at(d.beforeClose)}; closed: ${d.closed === undefined ? 'not cleanly' : `${d.closed.sent} sent, ${d.closed.received} answered`}`,
    `  deleted ${d.deletedAfterCloseMs} ms after the close; lvsd: ${d.daemonChanges.map((c) => `${c.op} ${c.reason}`).join(', ')}`,
  ];
}

function formatUml(uml: LabUmlTimings): string {
  const parts = [
    uml.bootMs === undefined ? undefined : `boot ${fmtSeconds(uml.bootMs)}`,
    uml.jobMs === undefined ? undefined : `scenario ${fmtSeconds(uml.jobMs)}`,
    `total ${fmtSeconds(uml.durationMs)}`,
  ].filter((p) => p !== undefined);
  return `UML: ${parts.join(', ')} (scenario exit code ${uml.exitCode})`;
}

function countRoles(result: TrafficThroughVipResult): Record<'director' | 'real-server' | 'client', number> {
  const counts = { director: 0, 'real-server': 0, client: 0 };
  for (const n of result.nodes) if (n.role in counts) counts[n.role as keyof typeof counts]++;
  return counts;
}

function fmt(ms: number): string {
  return ms.toFixed(1);
}

function fmtSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function indent(text: string): string {
  return text.trimEnd().split('\n').map((l) => `  ${l}`).join('\n');
}

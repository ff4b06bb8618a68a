/**
 * The prober's output protocol: one JSON object a line. A probe line is a ProbeRecord
 * ({seq, startMs, durationMs, outcome, server?, status?, detail?}); the last line is
 * {"summary": ProbeSummary, "stoppedBy": ..., "durationMs": ...}. Pure: format and parse.
 */
import type { ProbeSummary } from './probe-analysis.js';
import { PROBE_OUTCOMES, type ProberStopReason, type ProbeRecord } from './prober.js';

export interface ProberSummaryLine {
  readonly summary: ProbeSummary;
  readonly stoppedBy: ProberStopReason;
  readonly durationMs: number;
}

export interface ProberOutput {
  readonly records: readonly ProbeRecord[];
  readonly summary?: ProberSummaryLine;
  /** Lines that were neither (with their line number), kept for error messages. */
  readonly unparsed: readonly string[];
}

export function formatProbeLine(record: ProbeRecord): string {
  return JSON.stringify(record);
}

export function formatSummaryLine(line: ProberSummaryLine): string {
  return JSON.stringify(line);
}

export function parseProberOutput(text: string): ProberOutput {
  const records: ProbeRecord[] = [];
  const unparsed: string[] = [];
  let summary: ProberSummaryLine | undefined;
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      unparsed.push(`${i + 1}: ${line}`);
      return;
    }
    if (isRecord(value)) records.push(value);
    else if (typeof value === 'object' && value !== null && 'summary' in value) summary = value as ProberSummaryLine;
    else unparsed.push(`${i + 1}: ${line}`);
  });
  return { records, unparsed, ...(summary === undefined ? {} : { summary }) };
}

function isRecord(value: unknown): value is ProbeRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['seq'] === 'number' &&
    typeof v['startMs'] === 'number' &&
    typeof v['durationMs'] === 'number' &&
    PROBE_OUTCOMES.includes(v['outcome'] as ProbeRecord['outcome'])
  );
}

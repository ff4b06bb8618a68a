/**
 * HAProxy's agent-check reply (doc/configuration.txt, "agent-check"), pure: one line of words separated
 * by spaces, tabs or commas, case-insensitive; `#` starts a free-text reason running to the end of
 * the line. Words not named here are listed in `unknownWords` and otherwise ignored, as HAProxy does.
 *   N%  weight:N  weight:N%      the weight (percent of the configured one, or absolute)
 *   maxconn:N                    a connection limit (reported; IPVS calls it the upper threshold)
 *   ready | drain | maint        administrative state
 *   up | down | fail | stopped   operational state
 */
import type { AdminState, WeightReport } from './checker.js';

export type AgentOperationalState = 'up' | 'down' | 'fail' | 'stopped';

export interface AgentReport {
  readonly weight?: WeightReport;
  readonly maxconn?: number;
  readonly admin?: AdminState;
  readonly operational?: AgentOperationalState;
  /** The text after `#`. */
  readonly comment?: string;
  readonly unknownWords: readonly string[];
}

const ADMIN_WORDS: ReadonlySet<string> = new Set(['ready', 'drain', 'maint']);
const OPERATIONAL_WORDS: ReadonlySet<string> = new Set(['up', 'down', 'fail', 'stopped']);

export function parseAgentReply(line: string): AgentReport {
  const firstLine = line.split(/\r?\n/)[0] ?? '';
  const hash = firstLine.indexOf('#');
  const words = (hash < 0 ? firstLine : firstLine.slice(0, hash)).split(/[\s,]+/).filter((w) => w !== '');
  const comment = hash < 0 ? undefined : firstLine.slice(hash + 1).trim();
  let weight: WeightReport | undefined;
  let maxconn: number | undefined;
  let admin: AdminState | undefined;
  let operational: AgentOperationalState | undefined;
  const unknownWords: string[] = [];
  for (const raw of words) {
    const word = raw.toLowerCase();
    const percent = /^(?:weight:)?(\d{1,5})%$/.exec(word);
    const absolute = /^weight:(\d{1,5})$/.exec(word);
    const limit = /^maxconn:(\d{1,9})$/.exec(word);
    if (percent !== null) weight = { kind: 'percent', value: Number(percent[1]) };
    else if (absolute !== null) weight = { kind: 'absolute', value: Number(absolute[1]) };
    else if (limit !== null) maxconn = Number(limit[1]);
    else if (ADMIN_WORDS.has(word)) admin = word as AdminState;
    else if (OPERATIONAL_WORDS.has(word)) operational = word as AgentOperationalState;
    else unknownWords.push(raw);
  }
  return {
    ...(weight === undefined ? {} : { weight }),
    ...(maxconn === undefined ? {} : { maxconn }),
    ...(admin === undefined ? {} : { admin }),
    ...(operational === undefined ? {} : { operational }),
    ...(comment === undefined || comment === '' ? {} : { comment }),
    unknownWords,
  };
}

/**
 * What a lab run shows of each daemon's own log: warnings, errors and health changes, one short line
 * each, oldest first. Pure: JSON log lines in, text lines out. A line that is not a JSON log entry
 * (a crash trace, say) counts as notable and is kept as it is.
 */
const NOTABLE_MESSAGES = new Set(['real server health changed', 'health checks completed a first round']);
const OMITTED_FIELDS = new Set(['level', 'message', 'timestamp', 'component']);

export function notableDaemonLines(lines: readonly string[], limit: number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const note = noteOf(line);
    if (note !== undefined) out.push(note);
  }
  return out.length <= limit ? out : [`(${out.length - limit} earlier lines left out)`, ...out.slice(-limit)];
}

function noteOf(line: string): string | undefined {
  if (line.trim() === '') return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return line;
  const e = entry as Record<string, unknown>;
  const level = typeof e['level'] === 'string' ? e['level'] : '?';
  const message = typeof e['message'] === 'string' ? e['message'] : '';
  if (level !== 'warn' && level !== 'error' && !NOTABLE_MESSAGES.has(message)) return undefined;
  const time = typeof e['timestamp'] === 'string' ? e['timestamp'].slice(11, 23) : '';
  const fields = Object.entries(e)
    .filter(([k]) => !OMITTED_FIELDS.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [time, level, message, ...fields].filter((s) => s !== '').join(' ');
}

export interface IpvsChangeNote {
  readonly op: string;
  readonly reason: string;
  readonly weight?: number;
}

/** The daemon's "ipvs change" entries (and repaired drift) for one destination, e.g. rs "192.0.2.21:7000", in order. */
export function ipvsChangesFor(lines: readonly string[], vs: string, rs: string): IpvsChangeNote[] {
  const out: IpvsChangeNote[] = [];
  for (const line of lines) {
    if (!line.startsWith('{') || !line.includes('ipvs ')) continue;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if ((e['message'] !== 'ipvs change' && e['message'] !== 'ipvs drift repaired') || e['vs'] !== vs || e['rs'] !== rs) continue;
    const weight = e['weight'];
    out.push({ op: String(e['op']), reason: String(e['reason']), ...(typeof weight === 'number' ? { weight } : {}) });
  }
  return out;
}

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

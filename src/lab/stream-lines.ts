/**
 * The lab's long-lived-connection protocol, both ends and the report. Pure.
 *   wire:   the client sends "seq N\n" lines; the stream name server answers each with "<name> seq N\n",
 *           so every reply says which real server holds the connection;
 *   report: the client prints one JSON object a line (StreamEvent) for the lab to read.
 */

export type StreamEvent =
  /** The TCP connection is up (hold mode), or connection `seq` is (each mode). */
  | { readonly event: 'connected'; readonly seq: number; readonly atMs: number }
  /** A reply line came back on connection/line `seq` from real server `server`. */
  | { readonly event: 'reply'; readonly seq: number; readonly server: string; readonly atMs: number }
  /** Hold mode ended: the client closed (FIN) and the peer's close was seen, or the peer closed first. */
  | { readonly event: 'closed'; readonly sent: number; readonly received: number; readonly reason: StreamCloseReason; readonly atMs: number }
  | { readonly event: 'error'; readonly seq: number; readonly message: string; readonly atMs: number };

export type StreamCloseReason = 'stopped' | 'max-duration' | 'peer-closed';

export function formatStreamEvent(event: StreamEvent): string {
  return JSON.stringify(event);
}

/** Events of the client's stdout; other lines are ignored. */
export function parseStreamEvents(lines: readonly string[]): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (isStreamEvent(v)) out.push(v);
  }
  return out;
}

function isStreamEvent(v: unknown): v is StreamEvent {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  if (typeof e['atMs'] !== 'number') return false;
  switch (e['event']) {
    case 'connected':
      return typeof e['seq'] === 'number';
    case 'reply':
      return typeof e['seq'] === 'number' && typeof e['server'] === 'string';
    case 'closed':
      return typeof e['sent'] === 'number' && typeof e['received'] === 'number' && typeof e['reason'] === 'string';
    case 'error':
      return typeof e['message'] === 'string';
    default:
      return false;
  }
}

/** The request line of sequence number `seq`. */
export function formatStreamRequest(seq: number): string {
  return `seq ${seq}\n`;
}

/** The server's answer to one request line (without its newline). */
export function formatStreamReply(name: string, line: string): string {
  return `${name} ${line}\n`;
}

/** "rs-1 seq 5" -> { server: 'rs-1', seq: 5 }; undefined for anything else. */
export function parseStreamReply(line: string): { readonly server: string; readonly seq: number } | undefined {
  const m = /^(\S+) seq (\d+)$/.exec(line.trimEnd());
  return m === null ? undefined : { server: m[1] ?? '', seq: Number(m[2]) };
}

/** Splits a byte stream into lines across chunks: push text, get the complete lines. Bounded line length. */
export function createLineSplitter(maxLineChars = 4096): (chunk: string) => string[] {
  let partial = '';
  return (chunk) => {
    const parts = (partial + chunk).split('\n');
    partial = (parts.pop() ?? '').slice(-maxLineChars);
    return parts;
  };
}

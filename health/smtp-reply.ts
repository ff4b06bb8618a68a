/**
 * SMTP replies (RFC 5321 section 4.2), pure: a reply is one or more lines `NNN-text` ending with a
 * line `NNN text` (or a bare `NNN`). `parseSmtpReply` finds the first complete reply in what has
 * arrived, or says that more is needed, or that the bytes are not SMTP.
 */
export type SmtpReplyParse =
  | { readonly kind: 'complete'; readonly code: number; readonly text: string; readonly byteLength: number }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'malformed'; readonly line: string };

export function parseSmtpReply(data: string): SmtpReplyParse {
  let offset = 0;
  const texts: string[] = [];
  for (;;) {
    const end = data.indexOf('\n', offset);
    if (end < 0) return { kind: 'incomplete' };
    const line = data.slice(offset, end).replace(/\r$/, '');
    const m = /^(\d{3})([ -]|$)(.*)$/.exec(line);
    if (m === null) return { kind: 'malformed', line };
    texts.push(m[3] ?? '');
    offset = end + 1;
    if (m[2] !== '-') return { kind: 'complete', code: Number(m[1]), text: texts.join(' | '), byteLength: offset };
  }
}

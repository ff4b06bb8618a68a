/**
 * One line of keepalived.conf: where its comment starts, and its words. Pure.
 *
 * Rules (keepalived.conf(5), "Quoted strings", and keepalived's lib/parser.c):
 * - `#` and `!` start a comment anywhere outside double quotes; `\#` and `\!` are literal.
 * - Words are split at whitespace; `"..."` and `'...'` group text including whitespace, and quoted
 *   and unquoted parts that touch form one word (`ab"c d"e` is `abc de`).
 * - Escapes: `\a \b \E \f \n \r \t \v`, `\nnn` (octal), `\xXX` (hex), `\cC` (control C), and `\C`
 *   for any other C is C itself. keepalived applies them only for keywords that take a script or
 *   a string; every word keeps its `raw` text so a handler can use the unescaped form.
 * - `{` and `}` outside quotes are words of their own, wherever they appear on the line, except in
 *   a parameter reference left as written (`${NAME}`, undefined) and on `include` lines, whose
 *   braces are glob alternatives (keepalived handles includes before it splits at braces).
 * - A line whose last character is `\` continues a multi-line `$NAME=` definition.
 */

export interface ContentBounds {
  /** Index where the comment (or the line) ends, trailing whitespace and a final `\` removed. */
  readonly end: number;
  /** The line ended in `\`. */
  readonly isContinued: boolean;
}

const WHITESPACE = new Set([' ', '\t', '\f', '\v', '\r', '\n']);

export function isWhitespace(c: string | undefined): boolean {
  return c !== undefined && WHITESPACE.has(c);
}

/** The end of a physical line's content: before its comment, trimmed. */
export function findContentEnd(raw: string): ContentBounds {
  let isInDouble = false;
  let end = raw.length;
  let isContinued = false;
  let lastVisible = raw.length - 1;
  while (lastVisible >= 0 && isWhitespace(raw[lastVisible])) lastVisible--;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\') {
      if (i === lastVisible) {
        isContinued = true;
        end = i;
        break;
      }
      i++;
    } else if (c === '"') {
      isInDouble = !isInDouble;
    } else if (!isInDouble && (c === '#' || c === '!')) {
      end = i;
      break;
    }
  }
  while (end > 0 && isWhitespace(raw[end - 1])) end--;
  return { end, isContinued };
}

export type ScannedPiece =
  | { readonly kind: 'word'; readonly text: string; readonly raw: string; readonly offset: number; readonly isQuoted: boolean }
  | { readonly kind: 'open' | 'close'; readonly offset: number };

export type ScanResult =
  | { readonly ok: true; readonly pieces: readonly ScannedPiece[] }
  | { readonly ok: false; readonly offset: number; readonly message: string };

/** Splits a comment-free line into words and braces (or words only, when `areBracesText`). */
export function scanLine(text: string, areBracesText = false): ScanResult {
  const pieces: ScannedPiece[] = [];
  let i = 0;
  while (i < text.length) {
    while (isWhitespace(text[i])) i++;
    if (i >= text.length) break;
    const c = text[i];
    if ((c === '{' || c === '}') && !areBracesText) {
      pieces.push({ kind: c === '{' ? 'open' : 'close', offset: i });
      i++;
      continue;
    }
    const word = scanWord(text, i, areBracesText);
    if (!word.ok) return word;
    pieces.push({ kind: 'word', text: word.text, raw: text.slice(i, word.end), offset: i, isQuoted: word.isQuoted });
    i = word.end;
  }
  return { ok: true, pieces };
}

type WordResult =
  | { readonly ok: true; readonly text: string; readonly end: number; readonly isQuoted: boolean }
  | { readonly ok: false; readonly offset: number; readonly message: string };

function scanWord(text: string, start: number, areBracesText: boolean): WordResult {
  let out = '';
  let quote: string | undefined;
  let quoteAt = start;
  let isQuoted = false;
  let i = start;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '\\') {
      if (i + 1 >= text.length) return { ok: false, offset: i, message: 'a "\\" at the end of a line continues only a $NAME= definition' };
      const esc = readEscape(text, i + 1);
      out += esc.char;
      i = esc.end;
      continue;
    }
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else out += c;
      i++;
      continue;
    }
    if (c === '$' && text[i + 1] === '{') {
      const close = referenceEnd(text, i + 2);
      if (close !== undefined) {
        out += text.slice(i, close + 1);
        i = close + 1;
        continue;
      }
    }
    if (isWhitespace(c) || (!areBracesText && (c === '{' || c === '}'))) break;
    if (c === '"' || c === "'") {
      quote = c;
      quoteAt = i;
      isQuoted = true;
    } else {
      out += c;
    }
    i++;
  }
  if (quote !== undefined) return { ok: false, offset: quoteAt, message: `missing closing ${quote} for the string that starts here` };
  return { ok: true, text: out, end: i, isQuoted };
}

/** The `}` closing a `${NAME ...}` reference that starts at `from`, if the reference is well formed. */
function referenceEnd(text: string, from: number): number | undefined {
  const m = /^[A-Za-z_][A-Za-z0-9_]*[ 0-9]*\}/.exec(text.slice(from, from + 256));
  return m === null ? undefined : from + m[0].length - 1;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function readEscape(text: string, at: number): { char: string; end: number } {
  const c = text[at] ?? '';
  if (c === 'x' && isHex(text[at + 1])) {
    let end = at + 1;
    let value = 0;
    while (isHex(text[end])) value = (value * 16 + parseInt(text[end++] ?? '0', 16)) & 0xff;
    return { char: String.fromCharCode(value), end };
  }
  if (c === 'c' && at + 1 < text.length) {
    return { char: String.fromCharCode((text.charCodeAt(at + 1) & 0x1f) >>> 0), end: at + 2 };
  }
  if (c >= '0' && c <= '7') {
    let end = at;
    let value = 0;
    while (end < at + 3 && (text[end] ?? '') >= '0' && (text[end] ?? '') <= '7') value = value * 8 + Number(text[end++]);
    return { char: String.fromCharCode(value & 0xff), end };
  }
  return { char: SIMPLE_ESCAPES[c] ?? c, end: at + 1 };
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9A-Fa-f]$/.test(c);
}

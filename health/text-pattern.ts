/**
 * Patterns that replies are matched against (pure). A `TextPattern` is a JavaScript regular
 * expression given as data, so that check specs stay comparable and serialisable; a `HexPattern` is
 * keepalived's UDP_CHECK `require_reply`: hex digits, where `X` matches any nibble.
 */
import { LvsdError } from '../src/core/errors.js';

export interface TextPattern {
  readonly source: string;
  /** Any of `imsu`; `g` and `y` are refused (they make `test()` stateful). */
  readonly flags?: string;
}

export function compilePattern(pattern: TextPattern): RegExp {
  const flags = pattern.flags ?? '';
  if (!/^[imsu]*$/.test(flags)) {
    throw new LvsdError('ERR_INVALID_ARGUMENT', `pattern flags "${flags}": only i, m, s and u are allowed`);
  }
  try {
    return new RegExp(pattern.source, flags);
  } catch (e) {
    throw new LvsdError('ERR_INVALID_ARGUMENT', `pattern /${pattern.source}/ is not a valid regular expression`, { cause: e });
  }
}

/** `"HTTP/1.0 200 OK\r\n..." (312 bytes)` for a log line: at most 60 characters of the text. */
export function describeText(text: string, limit?: number): string {
  const shown = text.length > 60 ? `${JSON.stringify(text.slice(0, 60))}...` : JSON.stringify(text);
  const cut = limit !== undefined && text.length >= limit ? ', cut at the limit' : '';
  return `${shown} (${text.length} bytes${cut})`;
}

export interface HexPattern {
  /** Byte values; where `mask` has a 0 bit, the reply's bit may be anything. */
  readonly value: Uint8Array;
  readonly mask: Uint8Array;
}

/** Parses `"0a0bXX0c"` or `"0a 0b xx 0c"`: pairs of hex digits, `X` for a nibble that matches anything. */
export function parseHexPattern(text: string): { readonly ok: true; readonly value: HexPattern } | { readonly ok: false; readonly error: string } {
  const digits = text.replace(/\s+/g, '');
  if (digits.length % 2 !== 0) return { ok: false, error: `hex pattern "${text}" has an odd number of digits` };
  if (!/^[0-9a-fA-FxX]*$/.test(digits)) return { ok: false, error: `hex pattern "${text}" has a character that is neither a hex digit nor X` };
  const value = new Uint8Array(digits.length / 2);
  const mask = new Uint8Array(digits.length / 2);
  for (let i = 0; i < value.length; i++) {
    const high = nibble(digits[2 * i] ?? '0');
    const low = nibble(digits[2 * i + 1] ?? '0');
    value[i] = (high.value << 4) | low.value;
    mask[i] = (high.mask << 4) | low.mask;
  }
  return { ok: true, value: { value, mask } };
}

function nibble(c: string): { value: number; mask: number } {
  return c === 'x' || c === 'X' ? { value: 0, mask: 0 } : { value: parseInt(c, 16), mask: 0xf };
}

/** keepalived's rule: the reply must be at least as long as the pattern and agree on every unmasked bit. */
export function matchesHexPattern(reply: Uint8Array, pattern: HexPattern): boolean {
  if (reply.length < pattern.value.length) return false;
  for (let i = 0; i < pattern.value.length; i++) {
    const mask = pattern.mask[i] ?? 0;
    if (((reply[i] ?? 0) & mask) !== ((pattern.value[i] ?? 0) & mask)) return false;
  }
  return true;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

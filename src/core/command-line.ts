/**
 * Splits a command line as keepalived does for scripts: words separated by white space, double or
 * single quotes group words (quotes removed), a backslash escapes the next character. No shell
 * expansion of any kind happens: the result goes to CommandRunner as argv. Pure.
 */
import { err, ok, type Result } from './result.js';

export function splitCommandLine(text: string): Result<string[], string> {
  const words: string[] = [];
  let word = '';
  let hasWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\\' && quote !== "'" && i + 1 < text.length) {
      word += text.charAt(++i);
      hasWord = true;
    } else if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      hasWord = true;
    } else if (/\s/.test(c)) {
      if (hasWord) words.push(word);
      word = '';
      hasWord = false;
    } else {
      word += c;
      hasWord = true;
    }
  }
  if (quote !== undefined) return err(`unterminated ${quote} quote in: ${text}`);
  if (hasWord) words.push(word);
  if (words.length === 0) return err('empty command');
  return ok(words);
}

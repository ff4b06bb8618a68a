/**
 * The keepalived.conf front end: text to RawConfig (syntax 'keepalived'), translated into the one
 * native model and then validated by config/validate.ts exactly like YAML input (STYLE 12).
 * Pure: included files are read through the injected SourceReader.
 */
import { compareIssues } from '../issues.js';
import type { RawConfig } from '../raw-config.js';
import { KEEPALIVED_KEYWORDS } from './keywords.js';
import { lexKeepalived } from './lexer.js';
import { findContentEnd } from './line-scanner.js';
import { parseKeepalivedTokens } from './parser.js';
import type { SourceReader } from './source-reader.js';
import { translateKeepalived } from './translate.js';

export interface KeepalivedParseOptions {
  /** keepalived's `-i/--config-id`, selecting `@id` / `@^id` lines (see LexOptions). */
  readonly configId?: string;
}

export function parseKeepalivedConfig(text: string, file: string, reader: SourceReader, options: KeepalivedParseOptions = {}): RawConfig {
  const lexed = lexKeepalived(text, file, reader, options);
  const parsed = parseKeepalivedTokens(lexed.tokens);
  const translated = translateKeepalived(parsed.statements, file);
  const issues = [...lexed.issues, ...parsed.issues, ...translated.issues].sort(compareIssues);
  return {
    syntax: 'keepalived',
    file,
    data: translated.data,
    locate: (path) => translated.locations.locate(path),
    issues,
  };
}

const INCLUDES = new Set(['include', 'includer', 'includem', 'includew', 'includeb', 'includea']);

/**
 * Whether text is keepalived.conf rather than YAML, judged by its first meaningful line (comments
 * `#`/`!` and blank lines skipped): a conditional line (`@id`, which YAML reserves), a `$NAME=`
 * definition, `~SEQ`/`~LST`, `include FILE`, a keepalived top-level keyword, or `word ... {`.
 * A first word ending in ":" (a YAML key), `---` or `%` (YAML markers) means YAML.
 */
export function looksLikeKeepalived(text: string): boolean {
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    const line = raw.slice(0, findContentEnd(raw).end).trim();
    if (line === '') continue;
    if (line.startsWith('---') || line.startsWith('%')) return false;
    if (line.startsWith('@')) return true;
    if (/^\$[A-Za-z_][A-Za-z0-9_]*=/.test(line) || /^~(SEQ|LST)/.test(line)) return true;
    const first = /^[^\s{}]+/.exec(line)?.[0];
    if (first === undefined || first.endsWith(':') || first.startsWith('-')) return false;
    if (INCLUDES.has(first)) return /^\S+\s+\S/.test(line);
    if (KEEPALIVED_KEYWORDS.has(first)) return true;
    return /^[A-Za-z_][\w.-]*(\s+[^\s:{}]+)*\s*\{$/.test(line);
  }
  return false;
}

/**
 * keepalived.conf text to tokens, with keepalived's line-level config language applied on the way:
 * `include`, conditional lines (`@id` / `@^id`), `$NAME=value` definitions and substitution.
 * Pure: included files come through the injected `SourceReader`. Never throws on any input; every
 * problem is a `ConfigIssue` with the file and line it comes from.
 */
import { posix } from 'node:path';
import type { ConfigIssue, ConfigIssueCode, ConfigIssueSeverity, SourceLocation } from '../issues.js';
import { expandBraces, hasGlobMagic } from './glob.js';
import { findContentEnd, scanLine } from './line-scanner.js';
import { parseDefinition, substituteParameters, type Definition } from './parameters.js';
import type { SourceReader } from './source-reader.js';

export type KaTokenKind = 'word' | 'open' | 'close' | 'eol';

export interface KaToken {
  readonly kind: KaTokenKind;
  /** The word after quotes and escapes are removed; `{`, `}`, or `''` for the end of a line. */
  readonly text: string;
  /** The word as written (quotes and escapes kept); for a substituted line, as substituted. */
  readonly raw: string;
  readonly loc: SourceLocation;
  /** Some part of the word was quoted (so `""` is an empty word). */
  readonly isQuoted: boolean;
}

export interface LexOptions {
  /**
   * keepalived's `-i/--config-id`. A line `@ID rest` is kept (as `rest`) only when ID equals the
   * config id, a line `@^ID rest` only when it does not. keepalived defaults the config id to the
   * short host name; lvsd does not guess it: with no config id, every `@ID` line is dropped and
   * every `@^ID` line kept, which is what keepalived does for an id that matches no line.
   */
  readonly configId?: string;
}

export interface LexResult {
  readonly tokens: readonly KaToken[];
  readonly issues: readonly ConfigIssue[];
  /** Every file read, the main file first, in reading order. */
  readonly files: readonly string[];
}

export const MAX_INCLUDE_DEPTH = 16;
export const MAX_EXPANSION_DEPTH = 16;
/** Logical lines (after includes and multi-line expansion) one configuration may produce. */
export const MAX_LOGICAL_LINES = 250_000;

const INCLUDE_KEYWORDS = new Set(['include', 'includer', 'includem', 'includew', 'includeb', 'includea']);

/** A line ready for processing: text with a map from its offsets back to source columns. */
interface Line {
  readonly text: string;
  readonly file: string;
  readonly line: number;
  readonly columnAt: (offset: number) => number;
  /** The physical line ended in `\` (only physical lines can). */
  readonly isContinued: boolean;
}

export function lexKeepalived(text: string, file: string, reader: SourceReader, options: LexOptions = {}): LexResult {
  const lexer = new Lexer(reader, options.configId);
  lexer.readFile(text, file);
  return { tokens: lexer.tokens, issues: lexer.issues, files: lexer.files };
}

class Lexer {
  readonly tokens: KaToken[] = [];
  readonly issues: ConfigIssue[] = [];
  readonly files: string[] = [];
  private readonly defs = new Map<string, Definition>();
  private readonly includeStack: string[] = [];
  private linesLeft = MAX_LOGICAL_LINES;
  private pendingDefinition: { name: string; lines: string[] } | undefined;
  private hasReportedDepth = false;

  constructor(
    private readonly reader: SourceReader,
    private readonly configId: string | undefined,
  ) {}

  /** `file` as named (the main file) or as built from an include; loops are found on normalized paths. */
  readFile(text: string, file: string): void {
    this.files.push(file);
    this.includeStack.push(posix.normalize(file));
    const physical = text.split('\n');
    for (let i = 0; i < physical.length && this.linesLeft > 0; i++) {
      const raw = physical[i] ?? '';
      const bounds = findContentEnd(raw);
      const content = raw.slice(0, bounds.end);
      if (this.pendingDefinition !== undefined) {
        this.continueDefinition(content, bounds.isContinued);
        continue;
      }
      this.processLine({ text: content, file, line: i + 1, columnAt: (o) => o + 1, isContinued: bounds.isContinued }, 0);
    }
    this.finishDefinition();
    this.includeStack.pop();
  }

  /** A line of a multi-line definition. Blank and comment-only lines are skipped, as in the man page's examples. */
  private continueDefinition(content: string, isContinued: boolean): void {
    const def = this.pendingDefinition;
    if (def === undefined) return;
    const trimmed = content.trim();
    if (trimmed === '') return;
    def.lines.push(trimmed);
    if (!isContinued) this.finishDefinition();
  }

  private finishDefinition(): void {
    const def = this.pendingDefinition;
    if (def === undefined) return;
    this.defs.set(def.name, { lines: def.lines, isMultiline: true });
    this.pendingDefinition = undefined;
  }

  private processLine(line: Line, depth: number): void {
    if (this.linesLeft-- <= 0) {
      if (this.linesLeft === -1) this.report(line, 0, 'syntax', 'error', `the configuration expands to more than ${MAX_LOGICAL_LINES} lines; reading stopped here`);
      return;
    }
    if (depth > MAX_EXPANSION_DEPTH) {
      // Reported once: a definition that uses itself twice would otherwise repeat it exponentially.
      if (!this.hasReportedDepth) this.report(line, 0, 'syntax', 'error', `parameter expansion nested more than ${MAX_EXPANSION_DEPTH} deep (a definition that uses itself?)`);
      this.hasReportedDepth = true;
      return;
    }
    let current = skipLeadingSpace(line);
    if (current.text === '') return;
    if (current.text.startsWith('@')) {
      const kept = this.applyCondition(current);
      if (kept === undefined) return;
      current = kept;
    }
    if (current.text.startsWith('$') && this.defineParameter(current)) return;
    if (current.text.startsWith('~')) {
      const feature = /^~[A-Za-z]*/.exec(current.text)?.[0] ?? '~';
      this.report(current, 0, 'unsupported-keyword', 'warning', `keepalived config-language feature "${feature}" is not supported yet; line ignored`);
      return;
    }
    if (current.isContinued) {
      this.report(current, current.text.length, 'syntax', 'error', 'a "\\" at the end of a line continues only a $NAME= definition');
      return;
    }
    if (current.text.includes('$') && this.substitute(current, depth)) return;
    this.emitLine(current);
  }

  /** `@id rest` / `@^id rest`: the rest of the line, or undefined when the line is not for this config id. */
  private applyCondition(line: Line): Line | undefined {
    const isNegated = line.text.startsWith('@^');
    const idStart = isNegated ? 2 : 1;
    const idEnd = line.text.slice(idStart).search(/[ \t]/);
    if (idEnd < 0) return undefined; // keepalived drops a condition with nothing after it
    const id = line.text.slice(idStart, idStart + idEnd);
    const isMatch = this.configId !== undefined && id === this.configId;
    if (isMatch === isNegated) return undefined;
    return skipLeadingSpace(sliceLine(line, idStart + idEnd));
  }

  private defineParameter(line: Line): boolean {
    const def = parseDefinition(line.text);
    if (def === undefined) return false;
    if (line.isContinued) {
      this.finishDefinition();
      this.pendingDefinition = { name: def.name, lines: def.value === '' ? [] : [def.value] };
    } else {
      this.defs.set(def.name, { lines: [def.value], isMultiline: false });
    }
    return true;
  }

  /** Returns true when the line was consumed (replaced by its substituted form, or refused). */
  private substitute(line: Line, depth: number): boolean {
    const builtins = { pwd: posix.dirname(line.file), configId: this.configId };
    const { result, unsupported } = substituteParameters(line.text, this.defs, builtins);
    for (const u of unsupported) {
      const why = u.name === '_INSTANCE' ? ' without a config id' : '';
      this.report(line, u.offset, 'unsupported-keyword', 'warning', `keepalived parameter "\${${u.name}}" is not supported${why}; left as written`);
    }
    switch (result.kind) {
      case 'unchanged':
        return false;
      case 'runaway':
        this.report(line, result.at, 'syntax', 'error', 'parameter substitution does not end (a definition that uses itself?)');
        return true;
      case 'line': {
        const from = result.firstChangeAt;
        const columnAt = (o: number): number => line.columnAt(Math.min(o, from));
        this.processLine({ text: result.text, file: line.file, line: line.line, columnAt, isContinued: false }, depth + 1);
        return true;
      }
      case 'lines': {
        const column = line.columnAt(0);
        for (const text of result.lines) {
          this.processLine({ text, file: line.file, line: line.line, columnAt: () => column, isContinued: false }, depth + 1);
        }
        return true;
      }
    }
  }

  private emitLine(line: Line): void {
    const isInclude = INCLUDE_KEYWORDS.has(/^\S*/.exec(line.text)?.[0] ?? '');
    const scanned = scanLine(line.text, isInclude);
    if (!scanned.ok) {
      this.report(line, scanned.offset, 'syntax', 'error', scanned.message);
      return;
    }
    const [first, second, ...rest] = scanned.pieces;
    if (first?.kind === 'word' && INCLUDE_KEYWORDS.has(first.text)) {
      if (second?.kind === 'word' && rest.length === 0) this.include(second.text, line, second.offset);
      else this.report(line, 0, 'syntax', 'error', `"${first.text}" takes exactly one file name or pattern`);
      return;
    }
    for (const piece of scanned.pieces) {
      const loc = this.locate(line, piece.offset);
      if (piece.kind === 'word') this.tokens.push({ kind: 'word', text: piece.text, raw: piece.raw, loc, isQuoted: piece.isQuoted });
      else this.tokens.push({ kind: piece.kind, text: piece.kind === 'open' ? '{' : '}', raw: piece.kind === 'open' ? '{' : '}', loc, isQuoted: false });
    }
    this.tokens.push({ kind: 'eol', text: '', raw: '', loc: this.locate(line, line.text.length), isQuoted: false });
  }

  /** `include PATTERN`, relative to the directory of the file that contains it. */
  private include(pattern: string, line: Line, offset: number): void {
    if (this.includeStack.length >= MAX_INCLUDE_DEPTH) {
      this.report(line, offset, 'include-failed', 'error', `includes are nested more than ${MAX_INCLUDE_DEPTH} deep; "${pattern}" not read`);
      return;
    }
    const full = posix.isAbsolute(pattern) ? posix.normalize(pattern) : posix.join(posix.dirname(line.file), pattern);
    const alternatives = expandBraces(full);
    if (alternatives === undefined) {
      this.report(line, offset, 'include-failed', 'error', `include pattern "${pattern}" expands to too many alternatives`);
      return;
    }
    const isPattern = alternatives.length > 1 || alternatives.some(hasGlobMagic);
    const paths = isPattern ? alternatives.flatMap((alt) => (hasGlobMagic(alt) ? this.reader.glob(alt) : [alt])).map((p) => posix.normalize(p)) : [full];
    let readCount = 0;
    let hasLoop = false;
    for (const path of [...new Set(paths)]) {
      if (this.includeStack.includes(path)) {
        const chain = [...this.includeStack.slice(this.includeStack.indexOf(path)), path].join(' -> ');
        this.report(line, offset, 'include-failed', 'error', `include loop: ${chain}`);
        hasLoop = true;
        continue;
      }
      const text = this.reader.read(path);
      if (text === undefined) {
        // A brace alternative that names no file is skipped, as glob(3) does; a plain file name must exist.
        if (!isPattern) this.report(line, offset, 'include-failed', 'error', `cannot read included file "${path}"`);
        continue;
      }
      readCount++;
      this.readFile(text, path);
    }
    if (isPattern && readCount === 0 && !hasLoop) {
      this.report(line, offset, 'include-failed', 'warning', `no file matches include pattern "${pattern}"`);
    }
  }

  private locate(line: Line, offset: number): SourceLocation {
    return { file: line.file, line: line.line, column: line.columnAt(offset) };
  }

  private report(line: Line, offset: number, code: ConfigIssueCode, severity: ConfigIssueSeverity, message: string): void {
    this.issues.push({ ...this.locate(line, offset), path: '', code, severity, message });
  }
}

function sliceLine(line: Line, from: number): Line {
  return { ...line, text: line.text.slice(from), columnAt: (o) => line.columnAt(o + from) };
}

function skipLeadingSpace(line: Line): Line {
  const from = line.text.search(/[^ \t\f\v\r]/);
  if (from < 0) return { ...line, text: '' };
  return from === 0 ? line : sliceLine(line, from);
}

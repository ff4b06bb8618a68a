/**
 * keepalived statements to data in the native model's input shape (STYLE 12): one walker over the
 * keyword tree of keywords.ts. A keyword with a handler is translated; a known keyword without one
 * gives an `unsupported-keyword` warning at its line, and so does every keyword nested inside it;
 * a keyword keepalived does not know gives `unknown-keyword`. Every model path written is recorded
 * in a LocationIndex, so validation errors point at the keepalived line. Pure; never throws.
 */
import { type ConfigIssue, type ConfigIssueCode, type ConfigIssueSeverity, type SourceLocation } from '../issues.js';
import { LocationIndex, type ConfigPath } from '../raw-config.js';
import { closestKey } from '../validate.js';
import { allKeywordNames, KEEPALIVED_KEYWORDS, type KeywordSpec, type KeywordTable } from './keywords.js';
import type { KaStatement } from './parser.js';
import type { TranslateContext } from './translate-context.js';

export interface TranslateResult {
  /** Plain data in the native model's input shape (only what the configuration set). */
  readonly data: Record<string, unknown>;
  readonly locations: LocationIndex;
  readonly issues: readonly ConfigIssue[];
}

export function translateKeepalived(statements: readonly KaStatement[], file: string, keywords: KeywordTable = KEEPALIVED_KEYWORDS): TranslateResult {
  const walker = new Walker(file, keywords);
  walker.walk(statements, keywords, '', true, []);
  return { data: walker.model.data, locations: walker.model.locations, issues: walker.issues };
}

/** The data being built, with where each path came from. */
class ModelBuilder {
  readonly data: Record<string, unknown> = {};
  readonly locations: LocationIndex;
  private readonly recorded = new Set<string>();
  private readonly assigned = new Map<string, SourceLocation>();
  /** Paths holding a keepalived default, which an explicit keyword replaces silently. */
  private readonly defaulted = new Set<string>();

  constructor(file: string) {
    this.locations = new LocationIndex({ file, line: 1, column: 1 });
  }

  /** The previous location when the path already had a value (a default does not count). */
  set(path: ConfigPath, value: unknown, at: SourceLocation): SourceLocation | undefined {
    const key = pathKey(path);
    const previous = this.defaulted.delete(key) ? undefined : this.assigned.get(key);
    const parent = this.containerFor(path, at);
    const last = path[path.length - 1];
    if (parent === undefined || last === undefined) return previous;
    parent[last as string] = value;
    this.assigned.set(key, at);
    this.record(path, at, true);
    return previous;
  }

  has(path: ConfigPath): boolean {
    return this.assigned.has(pathKey(path));
  }

  get(path: ConfigPath): unknown {
    let node: unknown = this.data;
    for (const step of path) {
      if (typeof node !== 'object' || node === null) return undefined;
      node = (node as Record<string, unknown>)[step as string];
    }
    return node;
  }

  /** Sets a keepalived default unless the path has a value already. */
  setDefault(path: ConfigPath, value: unknown, at: SourceLocation): void {
    const key = pathKey(path);
    if (this.assigned.has(key)) return;
    this.set(path, value, at);
    this.defaulted.add(key);
  }

  /** Sets `path` unless a keyword set it explicitly; the value stays a default (replaceable silently). */
  inheritDefault(path: ConfigPath, value: unknown, at: SourceLocation): void {
    const key = pathKey(path);
    if (this.assigned.has(key) && !this.defaulted.has(key)) return;
    this.defaulted.delete(key);
    this.set(path, value, at);
    this.defaulted.add(key);
  }

  /** Returns the new item's index. */
  append(path: ConfigPath, value: unknown, at: SourceLocation): number {
    const parent = this.containerFor(path, at);
    const last = path[path.length - 1];
    if (parent === undefined || last === undefined) return -1;
    const existing = parent[last as string];
    const array = Array.isArray(existing) ? (existing as unknown[]) : [];
    parent[last as string] = array;
    this.record(path, at, false);
    this.record([...path, array.length], at, true);
    array.push(value);
    return array.length - 1;
  }

  record(path: ConfigPath, at: SourceLocation, isOverwrite: boolean): void {
    const key = pathKey(path);
    if (!isOverwrite && this.recorded.has(key)) return;
    this.recorded.add(key);
    this.locations.set(path, at);
  }

  /** The object that holds the last step of `path`, created (and located at `at`) as needed. */
  private containerFor(path: ConfigPath, at: SourceLocation): Record<string, unknown> | undefined {
    let node: Record<string, unknown> = this.data;
    for (let i = 0; i < path.length - 1; i++) {
      const step = path[i] as string;
      const next = node[step];
      // Arrays are containers too: ['vrrp', 'instances', 0, 'name'] walks into the first instance.
      if (typeof next === 'object' && next !== null) {
        node = next as Record<string, unknown>;
        continue;
      }
      const created: Record<string, unknown> = {};
      node[step] = created;
      this.record(path.slice(0, i + 1), at, false);
      node = created;
    }
    return node;
  }
}

function pathKey(path: ConfigPath): string {
  return path.map(String).join('\u0000');
}

class Walker {
  readonly model: ModelBuilder;
  readonly issues: ConfigIssue[] = [];
  private readonly knownAnywhere: Set<string>;

  constructor(
    private readonly file: string,
    keywords: KeywordTable,
  ) {
    this.model = new ModelBuilder(file);
    this.knownAnywhere = allKeywordNames(keywords);
  }

  /**
   * `isTranslating` is false inside a block that is itself not supported: everything there is reported.
   * `scope` is the model path the enclosing block's handler declared for its children.
   */
  walk(statements: readonly KaStatement[], table: KeywordTable, parentPath: string, isTranslating: boolean, scope: ConfigPath): void {
    for (const statement of statements) {
      const keywordPath = parentPath === '' ? statement.keyword : `${parentPath}.${statement.keyword}`;
      const spec = table.get(statement.keyword);
      if (spec === undefined) {
        this.reportUnknown(statement, table, parentPath, keywordPath);
        continue;
      }
      if (isTranslating && spec.handler !== undefined) {
        this.translate(statement, spec, keywordPath, scope);
        continue;
      }
      const message = `keepalived keyword "${statement.keyword}" is not supported yet; ignored`;
      this.push(statement.loc, keywordPath, 'unsupported-keyword', 'warning', message);
      if (spec.kind === 'block' && spec.children !== undefined && statement.block !== undefined) {
        this.walk(statement.block, spec.children, keywordPath, false, scope);
      }
    }
  }

  private translate(statement: KaStatement, spec: KeywordSpec, keywordPath: string, scope: ConfigPath): void {
    const handler = spec.handler;
    if (handler === undefined) return;
    if (spec.kind === 'value' && statement.block !== undefined) {
      this.push(statement.loc, keywordPath, 'invalid-value', 'error', `"${statement.keyword}" takes no "{ ... }" block`);
      return;
    }
    if (spec.kind !== 'value' && statement.block === undefined) {
      this.push(statement.loc, keywordPath, 'invalid-value', 'error', `"${statement.keyword}" needs a "{ ... }" block`);
      return;
    }
    const outcome = handler(statement, this.contextFor(keywordPath, scope));
    if (spec.kind === 'block' && spec.children !== undefined && statement.block !== undefined) {
      // A handler that could not place its block (a bad name, say) returns false: its contents are not translated.
      if (outcome === false) return;
      this.walk(statement.block, spec.children, keywordPath, true, outcome?.childScope ?? scope);
    }
  }

  private reportUnknown(statement: KaStatement, table: KeywordTable, parentPath: string, keywordPath: string): void {
    const where = parentPath === '' ? 'at the top level' : `inside "${parentPath.split('.').pop() ?? parentPath}"`;
    let message: string;
    if (this.knownAnywhere.has(statement.keyword)) {
      message = `keepalived keyword "${statement.keyword}" does not belong ${where}; ignored`;
    } else {
      const suggestion = closestKey(statement.keyword, [...table.keys()]);
      const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
      message = `unknown keepalived keyword "${statement.keyword}" ${where}; ignored${hint}`;
    }
    this.push(statement.loc, keywordPath, 'unknown-keyword', 'warning', message);
  }

  private contextFor(keywordPath: string, scope: ConfigPath): TranslateContext {
    return {
      keywordPath,
      scope,
      set: (path, value, at) => {
        const previous = this.model.set(path, value, at);
        if (previous !== undefined) {
          const where = previous.file === at.file ? `line ${previous.line}` : `${previous.file}:${previous.line}`;
          this.push(at, keywordPath, 'conflict', 'warning', `"${keywordPath.split('.').pop() ?? keywordPath}" is set again; this value replaces the one from ${where}, as in keepalived`);
        }
      },
      append: (path, value, at) => this.model.append(path, value, at),
      setDefault: (path, value, at) => this.model.setDefault(path, value, at),
      inheritDefault: (path, value, at) => this.model.inheritDefault(path, value, at),
      has: (path) => this.model.has(path),
      get: (path) => this.model.get(path),
      mark: (path, at) => this.model.record(path, at, false),
      error: (at, message, code = 'invalid-value') => this.push(at, keywordPath, code, 'error', message),
      warn: (at, message, code = 'invalid-value') => this.push(at, keywordPath, code, 'warning', message),
    };
  }

  private push(at: SourceLocation, path: string, code: ConfigIssueCode, severity: ConfigIssueSeverity, message: string): void {
    this.issues.push({ file: at.file === '' ? this.file : at.file, line: at.line, column: at.column, path, code, severity, message });
  }
}

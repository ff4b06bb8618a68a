/**
 * What a keyword handler may do while translating keepalived statements into the native model:
 * write values at model paths (recording where each came from), and report issues. Handlers see
 * well-shaped statements only (the walker checks block / no block); argument checks are theirs.
 */
import type { ConfigIssueCode, SourceLocation } from '../issues.js';
import type { ConfigPath } from '../raw-config.js';
import type { KaStatement } from './parser.js';

export interface TranslateContext {
  /** The statement's keyword path, such as `global_defs.router_id`, for issue paths. */
  readonly keywordPath: string;
  /** The model path declared by the enclosing block's handler (`['vrrp', 'instances', 0]`); [] at the top. */
  readonly scope: ConfigPath;
  /** Sets the model value at `path`; a second value for the same path replaces the first, with a warning. */
  set(path: ConfigPath, value: unknown, at: SourceLocation): void;
  /** Whether a value was written at `path` (a keepalived default counts). */
  has(path: ConfigPath): boolean;
  /** The value written so far at `path` (keepalived resolves names such as a track_file's when it reads them). */
  get(path: ConfigPath): unknown;
  /** Sets keepalived's default for `path` unless it has a value; a later `set` replaces it without a warning. */
  setDefault(path: ConfigPath, value: unknown, at: SourceLocation): void;
  /**
   * Sets `path` unless a keyword set it explicitly, replacing a default; the value stays a default.
   * For keepalived's inheritance (a checker takes retry, connect_timeout... from its real server or service).
   */
  inheritDefault(path: ConfigPath, value: unknown, at: SourceLocation): void;
  /** Appends to the array at `path` (created on first use); returns the new item's index. */
  append(path: ConfigPath, value: unknown, at: SourceLocation): number;
  /** Records where a model object (such as `global`) was opened, if nothing was recorded there yet. */
  mark(path: ConfigPath, at: SourceLocation): void;
  error(at: SourceLocation, message: string, code?: ConfigIssueCode): void;
  warn(at: SourceLocation, message: string, code?: ConfigIssueCode): void;
}

/**
 * Translates one statement. For a block keyword, the walker visits the block's statements afterwards,
 * in the scope the handler returns (default: the enclosing scope); `false` skips the block's contents.
 */
export type KeywordHandler = (statement: KaStatement, ctx: TranslateContext) => void | false | { readonly childScope: ConfigPath };

/**
 * Checks that a statement has between `min` and `max` arguments; reports an `invalid-value` error at
 * the keyword otherwise. `usage` is the keepalived syntax, as in the man page.
 */
export function expectArgs(statement: KaStatement, ctx: TranslateContext, min: number, max: number, usage: string): boolean {
  const n = statement.args.length;
  if (n >= min && n <= max) return true;
  const wanted = min === max ? `${min}` : `${min} to ${max}`;
  const extra = statement.args[max];
  const at = n > max && extra !== undefined ? extra.loc : statement.loc;
  ctx.error(at, `"${statement.keyword}" takes ${wanted} value${max === 1 ? '' : 's'} (${usage}), got ${n}`);
  return false;
}

/**
 * Config problems as values (STYLE 9, 10): every issue names the file, line, column and key.
 */
export interface SourceLocation {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export type ConfigIssueCode =
  | 'syntax'
  | 'invalid-value'
  | 'missing-key'
  | 'unknown-key'
  | 'unsupported-keyword'
  | 'unknown-keyword'
  | 'include-failed'
  | 'conflict';

export type ConfigIssueSeverity = 'error' | 'warning';

export interface ConfigIssue {
  /** Dotted key path in the native model (`global.routerId`), or the keepalived keyword. */
  readonly path: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: ConfigIssueCode;
  readonly severity: ConfigIssueSeverity;
  readonly message: string;
}

/** `file:line:column: severity: message (path)`, the form compilers use, so editors can jump to it. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  const key = issue.path === '' ? '' : ` [${issue.path}]`;
  return `${where}: ${issue.severity}: ${issue.message}${key}`;
}

export function hasErrors(issues: readonly ConfigIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

/** `--strict`: every warning becomes an error. */
export function toStrict(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues.map((i) => (i.severity === 'warning' ? { ...i, severity: 'error' } : i));
}

export function pathToString(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

export function compareIssues(a: ConfigIssue, b: ConfigIssue): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}

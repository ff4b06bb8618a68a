/**
 * The keepalived.conf reader's only window on files (STYLE 1, 5): the lexer asks this interface for
 * the text of included files and for the names a shell glob matches. The real implementation is
 * `fs-source-reader.ts`; `memory-source-reader.ts` is a working in-memory one for tests and tools.
 *
 * Paths are POSIX paths built by joining the including file's directory with the include pattern:
 * absolute when the main file was named by an absolute path, otherwise relative to the caller's
 * working directory (which only the adapter knows).
 */
export interface SourceReader {
  /** The text of the regular file at `path`, or `undefined` when it cannot be read. */
  read(path: string): string | undefined;
  /**
   * The regular files matching a shell glob (`*`, `?`, `[...]` within one path segment; braces are
   * expanded by the caller), sorted, without directories. An empty array when nothing matches.
   */
  glob(pattern: string): string[];
}

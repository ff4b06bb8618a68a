/**
 * A working in-memory `SourceReader` (STYLE 5): files are given as a path -> text map. Directories
 * exist implicitly as the parents of the given files. Used by tests and by tools that already hold
 * the text (a config pushed over the control socket, for example).
 */
import { globWith, type GlobEntry } from './glob.js';
import type { SourceReader } from './source-reader.js';

export function createMemorySourceReader(files: Readonly<Record<string, string>>): SourceReader {
  const byPath = new Map<string, string>();
  for (const [path, text] of Object.entries(files)) byPath.set(normalize(path), text);

  const list = (dir: string): GlobEntry[] | undefined => {
    const prefix = dir === '' ? '' : dir.endsWith('/') ? dir : `${dir}/`;
    const entries = new Map<string, boolean>();
    for (const path of byPath.keys()) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      if (rest === '' || (prefix === '' && rest.startsWith('/'))) continue;
      const slash = rest.indexOf('/');
      const name = slash < 0 ? rest : rest.slice(0, slash);
      entries.set(name, (entries.get(name) ?? false) || slash >= 0);
    }
    if (entries.size === 0) return undefined;
    return [...entries].map(([name, isDirectory]) => ({ name, isDirectory }));
  };

  return {
    read: (path) => byPath.get(normalize(path)),
    glob: (pattern) => globWith(pattern, { list, isFile: (path) => byPath.has(normalize(path)) }),
  };
}

/** `a//b/./c` to `a/b/c`; `..` is resolved lexically, as the kernel would for existing directories. */
function normalize(path: string): string {
  const isAbsolute = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (part !== '..' || !isAbsolute) parts.push(part);
  }
  return (isAbsolute ? '/' : '') + parts.join('/');
}

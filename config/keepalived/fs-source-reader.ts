/**
 * The `SourceReader` adapter over node:fs (STYLE 5): the only keepalived-reader file that touches
 * the file system. Node 20 has no fs.glob, so the walk is `globWith` over readdirSync, sorted.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { globWith, type GlobEntry } from './glob.js';
import type { SourceReader } from './source-reader.js';

export function createFsSourceReader(): SourceReader {
  return {
    read(path) {
      if (!isRegularFile(path)) return undefined;
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    glob(pattern) {
      return globWith(pattern, { list: listDirectory, isFile: isRegularFile });
    },
  };
}

function listDirectory(dir: string): GlobEntry[] | undefined {
  try {
    return readdirSync(dir === '' ? '.' : dir, { withFileTypes: true }).map((entry) => ({
      name: entry.name,
      // A symlink to a directory counts as a directory, as glob(3) follows links.
      isDirectory: entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(`${dir === '' ? '.' : dir}/${entry.name}`)),
    }));
  } catch {
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

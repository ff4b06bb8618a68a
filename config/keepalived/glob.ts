/**
 * Shell globs as keepalived's `include` uses them (glob(3) with GLOB_BRACE): `*`, `?` and `[...]`
 * match within one path segment, `{a,b}` expands to alternatives. Pure: the directory listing is
 * passed in, so the same walk serves the fs adapter and the in-memory reader.
 */

export interface GlobEntry {
  readonly name: string;
  readonly isDirectory: boolean;
}

/** What a glob walk needs to see of a file tree. */
export interface GlobTreeView {
  /** Entries of a directory (`''` is the working directory), or `undefined` if it cannot be listed. */
  list(dir: string): readonly GlobEntry[] | undefined;
  isFile(path: string): boolean;
}

/** More alternatives than this from one pattern is refused (a brace bomb, not a config). */
export const MAX_BRACE_EXPANSIONS = 1024;

export function hasGlobMagic(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

/**
 * csh-style brace expansion, `a{b,c{d,e}}f` to `abf acdf acef`, left to right. A brace group without
 * a top-level comma is kept literally. Returns `undefined` past `MAX_BRACE_EXPANSIONS` results.
 */
export function expandBraces(pattern: string): string[] | undefined {
  const out: string[] = [];
  const work: string[] = [pattern];
  while (work.length > 0) {
    const p = work.pop() ?? '';
    const group = findBraceGroup(p);
    if (group === undefined) {
      out.push(p);
      if (out.length > MAX_BRACE_EXPANSIONS) return undefined;
      continue;
    }
    const head = p.slice(0, group.open);
    const tail = p.slice(group.close + 1);
    const alternatives = group.parts.map((alt) => head + alt + tail).reverse();
    work.push(...alternatives);
    if (work.length > MAX_BRACE_EXPANSIONS) return undefined;
  }
  return out;
}

interface BraceGroup {
  readonly open: number;
  readonly close: number;
  readonly parts: readonly string[];
}

function findBraceGroup(p: string): BraceGroup | undefined {
  for (let open = 0; open < p.length; open++) {
    if (p[open] === '\\') {
      open++;
      continue;
    }
    if (p[open] !== '{') continue;
    let depth = 0;
    const commas: number[] = [];
    for (let i = open; i < p.length; i++) {
      const c = p[i];
      if (c === '\\') i++;
      else if (c === '{') depth++;
      else if (c === ',' && depth === 1) commas.push(i);
      else if (c === '}' && --depth === 0) {
        if (commas.length === 0) break;
        const cuts = [open, ...commas, i];
        const parts = cuts.slice(0, -1).map((from, k) => p.slice(from + 1, cuts[k + 1]));
        return { open, close: i, parts };
      }
    }
  }
  return undefined;
}

/** A matcher for one path segment: `*`, `?`, `[abc]`, `[a-z]`, `[!x]`/`[^x]`, `\` escapes. */
export function segmentMatcher(segment: string): (name: string) => boolean {
  let re = '^';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] ?? '';
    if (c === '\\' && i + 1 < segment.length) {
      re += escapeRegExp(segment[++i] ?? '');
    } else if (c === '*') {
      re += '.*';
    } else if (c === '?') {
      re += '.';
    } else if (c === '[') {
      const cls = readClass(segment, i);
      if (cls === undefined) re += '\\[';
      else {
        re += cls.source;
        i = cls.end;
      }
    } else {
      re += escapeRegExp(c);
    }
  }
  let regexp: RegExp;
  try {
    regexp = new RegExp(`${re}$`, 's');
  } catch {
    return () => false; // a class such as [z-a] matches nothing, as in glob(3)
  }
  // As in the shell, a wildcard never matches a leading "." (hidden files) unless written.
  const isDotExplicit = segment.startsWith('.');
  return (name) => (isDotExplicit || !name.startsWith('.')) && regexp.test(name);
}

function readClass(segment: string, start: number): { source: string; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (segment[i] === '!' || segment[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  let first = true;
  for (; i < segment.length; i++) {
    const c = segment[i] ?? '';
    if (c === ']' && !first) return { source: `[${negate ? '^' : ''}${body}]`, end: i };
    first = false;
    if (c === '-' && body !== '' && segment[i + 1] !== ']') body += '-';
    else body += c === '\\' ? escapeRegExp(segment[++i] ?? '\\') : escapeRegExp(c);
  }
  return undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function unescapeSegment(segment: string): string {
  return segment.replace(/\\(.)/gs, '$1');
}

function joinPath(dir: string, name: string): string {
  if (dir === '') return name;
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** The regular files matching `pattern` (braces already expanded), sorted. */
export function globWith(pattern: string, tree: GlobTreeView): string[] {
  const isAbsolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s) => s !== '');
  let candidates: string[] = [isAbsolute ? '/' : ''];
  segments.forEach((segment, index) => {
    const isLast = index === segments.length - 1;
    if (!hasGlobMagic(segment)) {
      const literal = unescapeSegment(segment);
      candidates = candidates.map((dir) => joinPath(dir, literal));
      return;
    }
    const matches = segmentMatcher(segment);
    const next: string[] = [];
    for (const dir of candidates) {
      const entries = tree.list(dir) ?? [];
      for (const entry of entries) {
        if ((isLast || entry.isDirectory) && matches(entry.name)) next.push(joinPath(dir, entry.name));
      }
    }
    candidates = next;
  });
  return [...new Set(candidates)].filter((p) => p !== '' && p !== '/' && tree.isFile(p)).sort(compareCodeUnits);
}

/** glob(3) sorts by strcoll; in the C locale keepalived runs in, that is byte order. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

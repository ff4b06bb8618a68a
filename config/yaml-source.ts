/**
 * The native syntax: YAML read with source positions, so that every issue names its line and column.
 * Pure: text in, RawConfig out.
 */
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigIssue, SourceLocation } from './issues.js';
import type { ConfigPath, RawConfig } from './raw-config.js';

export function parseYamlConfig(text: string, file: string): RawConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const issues: ConfigIssue[] = [];
  for (const e of doc.errors) {
    issues.push({ ...at(e.pos[0]), path: '', code: 'syntax', severity: 'error', message: firstLine(e.message) });
  }
  for (const w of doc.warnings) {
    issues.push({ ...at(w.pos[0]), path: '', code: 'syntax', severity: 'warning', message: firstLine(w.message) });
  }
  const data = issues.some((i) => i.severity === 'error') ? undefined : doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) {
    issues.push({ ...at(0), path: '', code: 'syntax', severity: 'error', message: 'the top level must be a mapping of keys to values' });
  }
  return {
    syntax: 'yaml',
    file,
    data: data ?? {},
    locate: (path) => locateInDocument(doc, path, at, file),
    issues,
  };
}

function locateInDocument(doc: Document, path: ConfigPath, at: (offset: number) => SourceLocation, file: string): SourceLocation {
  let node: unknown = doc.contents;
  let best: SourceLocation = { file, line: 1, column: 1 };
  if (isNode(node) && node.range) best = at(node.range[0]);
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === step);
      if (pair === undefined) return best;
      const keyNode = pair.key as Node;
      if (keyNode.range) best = at(keyNode.range[0]);
      node = pair.value;
      continue;
    }
    if (isSeq(node) && typeof step === 'number') {
      const item: unknown = node.items[step];
      if (!isNode(item)) return best;
      if (item.range) best = at(item.range[0]);
      node = item;
      continue;
    }
    return best;
  }
  return best;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

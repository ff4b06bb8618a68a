/**
 * Validation, phase one of applying a config (STYLE 11): schema, then cross-field rules. Pure: it
 * touches nothing, and a failed validation changes nothing anywhere.
 */
import type { z } from 'zod';
import { configSchema, type LvsdConfig } from './schema.js';
import { compareIssues, pathToString, type ConfigIssue, type ConfigIssueCode } from './issues.js';
import type { ConfigPath, RawConfig } from './raw-config.js';
import { checkCrossFieldRules } from './rules.js';

export interface ValidationResult {
  /** Present when there is no error (warnings allowed). */
  readonly config: LvsdConfig | undefined;
  /** Every problem found, reading and validation alike, in file order. */
  readonly issues: readonly ConfigIssue[];
}

export function validateConfig(raw: RawConfig): ValidationResult {
  const readErrors = raw.issues.some((i) => i.severity === 'error' && i.code === 'syntax');
  if (readErrors) return { config: undefined, issues: [...raw.issues].sort(compareIssues) };

  const parsed = configSchema.safeParse(raw.data, { reportInput: true });
  const issues: ConfigIssue[] = [...raw.issues];
  if (!parsed.success) {
    for (const zi of parsed.error.issues) issues.push(...fromZodIssue(zi, raw));
    return { config: undefined, issues: issues.sort(compareIssues) };
  }
  for (const rule of checkCrossFieldRules(parsed.data)) {
    const at = raw.locate(rule.path);
    issues.push({ ...at, path: pathToString(rule.path), code: rule.code, severity: rule.severity, message: rule.message });
  }
  const isValid = !issues.some((i) => i.severity === 'error');
  return { config: isValid ? parsed.data : undefined, issues: issues.sort(compareIssues) };
}

function fromZodIssue(zi: z.core.$ZodIssue, raw: RawConfig): ConfigIssue[] {
  const path: ConfigPath = zi.path;
  if (zi.code === 'unrecognized_keys') {
    return zi.keys.map((k) => {
      const keyPath = [...path, k];
      const suggestion = closestKey(k, knownKeysAt(path));
      const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
      return issue(raw, keyPath, 'unknown-key', `unknown key "${k}"${hint}`);
    });
  }
  if (zi.code === 'invalid_type' && zi.input === undefined) {
    return [issue(raw, path, 'missing-key', `"${pathToString(path)}" is required`)];
  }
  if (zi.code === 'invalid_union') {
    // Report the alternative that took the input's type (a string VIP that does not parse, say):
    // its message says what is wrong; zod's own says only "Invalid input".
    const branch = zi.errors.find((issues) => issues.length > 0 && issues.every((i) => i.code !== 'invalid_type' && i.code !== 'invalid_union'));
    if (branch !== undefined) return branch.flatMap((inner) => fromZodIssue({ ...inner, path: [...path, ...inner.path], input: inner.input ?? zi.input } as z.core.$ZodIssue, raw));
  }
  if (zi.code === 'invalid_union' || zi.code === 'invalid_value' || zi.code === 'invalid_type') {
    return [issue(raw, path, 'invalid-value', `${zi.message}${describeInput(zi.input)}`)];
  }
  return [issue(raw, path, 'invalid-value', `${zi.message}${zi.code === 'custom' ? '' : describeInput(zi.input)}`)];
}

function issue(raw: RawConfig, path: ConfigPath, code: ConfigIssueCode, message: string): ConfigIssue {
  return { ...raw.locate(path), path: pathToString(path), code, severity: 'error', message };
}

function describeInput(input: unknown): string {
  if (input === undefined || typeof input === 'object') return '';
  return ` (got ${JSON.stringify(input)})`;
}

/** Keys the schema accepts at `path`, for did-you-mean hints. */
export function knownKeysAt(path: ConfigPath): string[] {
  let node: unknown = configSchema;
  for (const step of path) {
    node = unwrap(node);
    const def = defOf(node);
    if (def?.type === 'object' && typeof step === 'string') node = (def.shape as Record<string, unknown>)[step];
    else if (def?.type === 'array') node = def.element;
    else if (def?.type === 'record') node = def.valueType;
    else return [];
  }
  const def = defOf(unwrap(node));
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}

interface AnyDef {
  type: string;
  [k: string]: unknown;
}

function defOf(schema: unknown): AnyDef | undefined {
  return (schema as { _zod?: { def?: AnyDef } } | undefined)?._zod?.def;
}

function unwrap(schema: unknown): unknown {
  let node = schema;
  for (let i = 0; i < 16; i++) {
    const def = defOf(node);
    if (def === undefined) return node;
    if (['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch'].includes(def.type)) node = def.innerType;
    else if (def.type === 'pipe') node = def.in;
    else return node;
  }
  return node;
}

/** The known key within edit distance 2 (or differing only in case and separators), if any. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[_-]/g, '');
  const exactish = known.find((k) => norm(k) === norm(key));
  if (exactish !== undefined) return exactish;
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * keepalived's parameter substitution (keepalived.conf(5), "Parameter substitution"): `$NAME=VALUE`
 * defines, `$NAME` (followed by whitespace, `,`, `)` or the line end) and `${NAME}` use. Replacement
 * is recursive and happens when the line is read, not when the parameter is defined; an undefined
 * parameter is left as written. Pure.
 */

export interface Definition {
  /** One line, or several for a multi-line definition (`$NAME= \` continued by trailing `\`). */
  readonly lines: readonly string[];
  readonly isMultiline: boolean;
}

/** Values keepalived predefines; the ones that would need the host, the clock or randomness are refused. */
export interface BuiltinParameters {
  /** `${_PWD}`: the directory of the file being read. */
  readonly pwd: string;
  /** `${_INSTANCE}`: the config id (keepalived's default, the host name, is not known here). */
  readonly configId: string | undefined;
}

export type Substitution =
  | { readonly kind: 'unchanged' }
  /** The line with every known parameter replaced; text before `firstChangeAt` is as written. */
  | { readonly kind: 'line'; readonly text: string; readonly firstChangeAt: number }
  /** A multi-line definition used alone on its line: these lines replace it. */
  | { readonly kind: 'lines'; readonly lines: readonly string[] }
  /** Replacement did not settle within the bounds (a definition that refers to itself). */
  | { readonly kind: 'runaway'; readonly at: number };

export interface SubstituteOutcome {
  readonly result: Substitution;
  /** Predefined parameters lvsd cannot provide (`_RANDOM`, `_ENV`, `_INSTANCE` without a config id). */
  readonly unsupported: readonly { readonly name: string; readonly offset: number }[];
}

export const MAX_SUBSTITUTIONS_PER_LINE = 1000;
export const MAX_LINE_LENGTH = 65_536;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const DEFINITION = /^\$([A-Za-z_][A-Za-z0-9_]*)=/;

/** `$NAME=VALUE` (no space before `=`, as keepalived requires); the value is trimmed. */
export function parseDefinition(text: string): { readonly name: string; readonly value: string } | undefined {
  const m = DEFINITION.exec(text);
  if (m === null) return undefined;
  return { name: m[1] ?? '', value: text.slice(m[0].length).trim() };
}

interface Reference {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** The parameter reference starting at `text[at] === '$'`, if it is one. */
function readReference(text: string, at: number): Reference | undefined {
  if (text[at + 1] === '{') {
    const m = NAME.exec(text.slice(at + 2));
    if (m === null) return undefined;
    let end = at + 2 + m[0].length;
    // `${_RANDOM 1 10}`: keepalived lets predefined parameters take numeric arguments.
    while (text[end] === ' ' || isDigit(text[end])) end++;
    if (text[end] !== '}') return undefined;
    return { name: m[0], start: at, end: end + 1 };
  }
  const m = NAME.exec(text.slice(at + 1));
  if (m === null) return undefined;
  const end = at + 1 + m[0].length;
  const next = text[end];
  if (next !== undefined && !/[\s,)]/.test(next)) return undefined;
  return { name: m[0], start: at, end };
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

type Lookup = { readonly kind: 'value'; readonly value: string } | { readonly kind: 'lines'; readonly lines: readonly string[] } | { readonly kind: 'unsupported' } | { readonly kind: 'none' };

function lookup(name: string, defs: ReadonlyMap<string, Definition>, builtins: BuiltinParameters): Lookup {
  const def = defs.get(name);
  if (def !== undefined) return def.isMultiline ? { kind: 'lines', lines: def.lines } : { kind: 'value', value: def.lines[0] ?? '' };
  switch (name) {
    case '_PWD':
      return { kind: 'value', value: builtins.pwd };
    case '_HASH':
      return { kind: 'value', value: '#' };
    case '_BANG':
      return { kind: 'value', value: '!' };
    case '_INSTANCE':
      return builtins.configId === undefined ? { kind: 'unsupported' } : { kind: 'value', value: builtins.configId };
    case '_RANDOM':
    case '_ENV':
      return { kind: 'unsupported' };
    default:
      return { kind: 'none' };
  }
}

/**
 * Replaces parameters in one line. As in keepalived, scanning resumes at the start of each
 * replacement, so a value that names another parameter is expanded in turn.
 */
export function substituteParameters(text: string, defs: ReadonlyMap<string, Definition>, builtins: BuiltinParameters): SubstituteOutcome {
  const unsupported: { name: string; offset: number }[] = [];
  let out = text;
  let pos = 0;
  let count = 0;
  let firstChangeAt = -1;
  for (;;) {
    const at = out.indexOf('$', pos);
    if (at < 0 || at + 1 >= out.length) break;
    const ref = readReference(out, at);
    if (ref === undefined) {
      pos = at + 1;
      continue;
    }
    const found = lookup(ref.name, defs, builtins);
    if (found.kind === 'none') {
      pos = at + 1;
      continue;
    }
    if (found.kind === 'unsupported') {
      if (!unsupported.some((u) => u.name === ref.name)) unsupported.push({ name: ref.name, offset: at });
      pos = at + 1;
      continue;
    }
    if (found.kind === 'lines') {
      // Only a use alone on its line expands a multi-line definition; elsewhere it stays as written.
      if (out.slice(0, ref.start).trim() === '' && out.slice(ref.end).trim() === '') {
        return { result: { kind: 'lines', lines: found.lines }, unsupported };
      }
      pos = at + 1;
      continue;
    }
    out = out.slice(0, ref.start) + found.value + out.slice(ref.end);
    if (firstChangeAt < 0) firstChangeAt = ref.start;
    count++;
    if (count > MAX_SUBSTITUTIONS_PER_LINE || out.length > MAX_LINE_LENGTH) {
      return { result: { kind: 'runaway', at: firstChangeAt }, unsupported };
    }
    pos = ref.start;
  }
  if (firstChangeAt < 0) return { result: { kind: 'unchanged' }, unsupported };
  return { result: { kind: 'line', text: out, firstChangeAt }, unsupported };
}

/** Small argument readers shared by keyword handlers: keepalived's syntax is checked here, values by the schema. */
import type { SourceLocation } from '../issues.js';
import type { KaStatement } from './parser.js';
import { expectArgs, type TranslateContext } from './translate-context.js';
import type { ConfigPath } from '../raw-config.js';

/** The statement's only argument as an integer, or undefined after reporting an error. */
export function intArg(statement: KaStatement, ctx: TranslateContext, usage: string): { value: number; at: SourceLocation } | undefined {
  if (!expectArgs(statement, ctx, 1, 1, usage)) return undefined;
  const arg = statement.args[0];
  if (arg === undefined) return undefined;
  if (!/^-?\d{1,9}$/.test(arg.text)) {
    ctx.error(arg.loc, `"${statement.keyword}" takes a whole number (${usage}), got "${arg.text}"`);
    return undefined;
  }
  return { value: Number(arg.text), at: arg.loc };
}

/** keepalived writes durations as (decimal) seconds; the model takes a duration string with its unit. */
export function secondsToDuration(text: string): string | undefined {
  if (!/^\d{1,7}(\.\d{1,6})?$/.test(text)) return undefined;
  const ms = Math.round(Number(text) * 1000);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** `KEYWORD SECONDS` to a duration at `path`. */
export function setSeconds(path: ConfigPath, usage: string) {
  return (statement: KaStatement, ctx: TranslateContext): void => {
    if (!expectArgs(statement, ctx, 1, 1, usage)) return;
    const arg = statement.args[0];
    if (arg === undefined) return;
    const d = secondsToDuration(arg.text);
    if (d === undefined) ctx.error(arg.loc, `"${statement.keyword}" takes a number of seconds (${usage}), got "${arg.text}"`);
    else ctx.set(path, d, arg.loc);
  };
}

/** `KEYWORD N` to a number at `path`. */
export function setInt(path: ConfigPath, usage: string) {
  return (statement: KaStatement, ctx: TranslateContext): void => {
    const n = intArg(statement, ctx, usage);
    if (n !== undefined) ctx.set(path, n.value, n.at);
  };
}

/** `KEYWORD VALUE` to a string at `path`. */
export function setText(path: ConfigPath, usage: string) {
  return (statement: KaStatement, ctx: TranslateContext): void => {
    if (!expectArgs(statement, ctx, 1, 1, usage)) return;
    const arg = statement.args[0];
    if (arg !== undefined) ctx.set(path, arg.text, arg.loc);
  };
}

/**
 * keepalived's optional boolean argument (`alpha`, `alpha true`, `alpha off`): absent means true.
 * Undefined after reporting an error.
 */
export function boolArg(statement: KaStatement, ctx: TranslateContext, usage: string): { value: boolean; at: SourceLocation } | undefined {
  if (!expectArgs(statement, ctx, 0, 1, usage)) return undefined;
  const arg = statement.args[0];
  if (arg === undefined) return { value: true, at: statement.loc };
  const word = arg.text; // keepalived's check_true_false is case-sensitive
  if (word === 'true' || word === 'on' || word === 'yes') return { value: true, at: arg.loc };
  if (word === 'false' || word === 'off' || word === 'no') return { value: false, at: arg.loc };
  ctx.error(arg.loc, `"${statement.keyword}" takes true or false (${usage}), got "${arg.text}"`);
  return undefined;
}

/** `KEYWORD [true|false]` to a boolean at `path`. */
export function setBool(path: ConfigPath, usage: string) {
  return (statement: KaStatement, ctx: TranslateContext): void => {
    const on = boolArg(statement, ctx, usage);
    if (on !== undefined) ctx.set(path, on.value, on.at);
  };
}

/** A keyword without a value that sets `value` at `path`. */
export function setFlag(path: ConfigPath, value: unknown, usage: string) {
  return (statement: KaStatement, ctx: TranslateContext): void => {
    if (expectArgs(statement, ctx, 0, 0, usage)) ctx.set(path, value, statement.loc);
  };
}

/** The `weight N [reverse]` tail of a tracker line, from word `from` on; reports what it does not understand. */
export function readWeight(line: KaStatement, ctx: TranslateContext, from: number): { weight?: number; isReversed: boolean } {
  const words = [line.keywordToken, ...line.args].slice(from);
  let weight: number | undefined;
  let isReversed = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === undefined) continue;
    if (w.text === 'weight') {
      const n = words[i + 1];
      if (n === undefined || !/^-?\d{1,4}$/.test(n.text)) {
        ctx.error(w.loc, '"weight" takes a whole number');
        return { isReversed };
      }
      weight = Number(n.text);
      i++;
    } else if (w.text === 'reverse') {
      isReversed = true;
    } else {
      ctx.error(w.loc, `unexpected "${w.text}" (expected weight N or reverse)`);
    }
  }
  return { ...(weight === undefined ? {} : { weight }), isReversed };
}

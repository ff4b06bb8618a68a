/**
 * Splits a command line into options and arguments the way libpopt does for ipvsadm: bundled short
 * options (`-Ln`, `-Lnt ADDR`), a short option's argument glued on (`-t192.0.2.1:80`) or in the next
 * word, `--long ARG` and `--long=ARG`, an optional argument taken only when the next word does not
 * start with '-', words that are not options kept aside in order (popt lets them sit anywhere),
 * and `--` ending the options. Pure.
 */
import { OPTION_SPECS, type OptionId, type OptionSpec } from './ipvsadm-options.js';

export type PoptItem =
  | { readonly kind: 'option'; readonly id: OptionId; readonly value: string | undefined; readonly token: string }
  /** popt's own errors, as ipvsadm prints them: `${token}: ${reason}`. */
  | { readonly kind: 'error'; readonly token: string; readonly reason: 'unknown option' | 'missing argument' | 'option does not take an argument' };

export interface PoptScan {
  /** Options in order; scanning stops at the first error, which ends the list. */
  readonly items: readonly PoptItem[];
  /** The words that are not options, in order. */
  readonly args: readonly string[];
}

const BY_LONG = new Map(OPTION_SPECS.map((s) => [s.long, s]));
const BY_SHORT = new Map(OPTION_SPECS.filter((s) => s.short !== undefined).map((s) => [s.short ?? '', s]));

export function scanPopt(argv: readonly string[]): PoptScan {
  const items: PoptItem[] = [];
  const args: string[] = [];
  let i = 0;
  const next = (): string | undefined => argv[i++];
  const peekTakesOptional = (): boolean => i < argv.length && !(argv[i] ?? '').startsWith('-');
  while (i < argv.length) {
    const word = next() ?? '';
    if (word === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      args.push(word);
      continue;
    }
    const found = word.startsWith('--') ? scanLong(word, next, peekTakesOptional) : scanBundle(word, next, peekTakesOptional);
    items.push(...found);
    if (found.some((f) => f.kind === 'error')) break;
  }
  return { items, args };
}

function scanLong(word: string, next: () => string | undefined, canTakeOptional: () => boolean): PoptItem[] {
  const eq = word.indexOf('=');
  const name = word.slice(2, eq < 0 ? undefined : eq);
  const s = BY_LONG.get(name);
  if (s === undefined) return [{ kind: 'error', token: word, reason: 'unknown option' }];
  const glued = eq < 0 ? undefined : word.slice(eq + 1);
  if (s.argument === 'none') {
    return glued === undefined ? [option(s, undefined, word)] : [{ kind: 'error', token: word, reason: 'option does not take an argument' }];
  }
  if (glued !== undefined) return [option(s, glued, word)];
  return [takeArgument(s, word, next, canTakeOptional)];
}

function scanBundle(word: string, next: () => string | undefined, canTakeOptional: () => boolean): PoptItem[] {
  const out: PoptItem[] = [];
  for (let k = 1; k < word.length; k++) {
    const s = BY_SHORT.get(word[k] ?? '');
    if (s === undefined) return [...out, { kind: 'error', token: word, reason: 'unknown option' }];
    if (s.argument === 'none') {
      out.push(option(s, undefined, word));
      continue;
    }
    const rest = word.slice(k + 1);
    out.push(rest === '' ? takeArgument(s, word, next, canTakeOptional) : option(s, rest, word));
    break;
  }
  return out;
}

function takeArgument(s: OptionSpec, token: string, next: () => string | undefined, canTakeOptional: () => boolean): PoptItem {
  if (s.argument === 'optional') return option(s, canTakeOptional() ? next() : undefined, token);
  const value = next();
  return value === undefined ? { kind: 'error', token, reason: 'missing argument' } : option(s, value, token);
}

function option(s: OptionSpec, value: string | undefined, token: string): PoptItem {
  return { kind: 'option', id: s.id, value, token };
}

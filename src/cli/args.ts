/** Argument parsing shared by the commands: node's util.parseArgs, with errors an operator can act on. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LvsdError } from '../core/errors.js';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

export function parseCommandArgs(command: string, args: readonly string[], options: OptionsConfig, maxPositionals: number): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    const message = e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, '') : String(e);
    throw new LvsdError('ERR_USAGE', `${command}: ${message}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new LvsdError('ERR_USAGE', `${command}: unexpected argument '${parsed.positionals[maxPositionals] ?? ''}'`);
  }
  return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals };
}

export function stringOption(parsed: ParsedArgs, name: string): string | undefined {
  const v = parsed.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function isFlagSet(parsed: ParsedArgs, name: string): boolean {
  return parsed.values[name] === true;
}

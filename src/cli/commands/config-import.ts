/** `lvsd config import FILE`: prints the lvsd YAML equivalent of a keepalived.conf; problems go to stderr. */
import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { parseConfigText, validateRaw } from '../../../config/loader.js';
import { formatIssue } from '../../../config/issues.js';
import { LvsdError } from '../../core/errors.js';
import { isFlagSet, parseCommandArgs, stringOption } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, writeLine, type CliIo } from '../io.js';

export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('config import', args, { strict: { type: 'boolean' }, 'config-id': { type: 'string' } }, 1);
  const file = parsed.positionals[0];
  if (file === undefined) throw new LvsdError('ERR_USAGE', 'config import: which keepalived.conf? (lvsd config import FILE)');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new LvsdError('ERR_CONFIG_READ', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
  }
  const configId = stringOption(parsed, 'config-id');
  const options = { isStrict: isFlagSet(parsed, 'strict'), ...(configId === undefined ? {} : { configId }) };
  const raw = parseConfigText(text, file, options);
  if (raw.syntax !== 'keepalived') {
    throw new LvsdError('ERR_INVALID_ARGUMENT', `${file} is not a keepalived.conf (it reads as lvsd YAML already)`);
  }
  const loaded = validateRaw(raw, options);
  for (const issue of loaded.issues) writeLine(io.stderr, formatIssue(issue));
  if (loaded.config === undefined) {
    writeLine(io.stderr, `${file}: not translated: fix the errors above`);
    return EXIT_FAILURE;
  }
  const skipped = loaded.issues.filter((i) => i.code === 'unsupported-keyword').length;
  const header = [
    `# Translated from ${file} by lvsd config import.`,
    ...(skipped > 0 ? [`# ${skipped} keepalived keyword${skipped === 1 ? ' was' : 's were'} not translated: see the warnings.`] : []),
  ].join('\n');
  io.stdout.write(`${header}\n${stringify(raw.data, { lineWidth: 0 })}`);
  return EXIT_OK;
}

/** `lvsd check-config FILE`: exit 0 when valid, 1 when invalid, every problem listed with its line. */
import { loadConfigFile } from '../../../config/loader.js';
import { formatIssue } from '../../../config/issues.js';
import { LvsdError } from '../../core/errors.js';
import { isFlagSet, parseCommandArgs, stringOption } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, writeLine, type CliIo } from '../io.js';

export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('check-config', args, {
    strict: { type: 'boolean' },
    'config-id': { type: 'string' },
    json: { type: 'boolean' },
  }, 1);
  const file = parsed.positionals[0];
  if (file === undefined) throw new LvsdError('ERR_USAGE', 'check-config: which file? (lvsd check-config FILE)');
  const configId = stringOption(parsed, 'config-id');
  const loaded = await loadConfigFile(file, { isStrict: isFlagSet(parsed, 'strict'), ...(configId === undefined ? {} : { configId }) });
  const errors = loaded.issues.filter((i) => i.severity === 'error').length;
  const warnings = loaded.issues.length - errors;
  const isValid = loaded.config !== undefined;
  if (isFlagSet(parsed, 'json')) {
    writeLine(io.stdout, JSON.stringify({ file, syntax: loaded.raw.syntax, isValid, errors, warnings, issues: loaded.issues }, null, 2));
  } else {
    for (const issue of loaded.issues) writeLine(io.stdout, formatIssue(issue));
    const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
    writeLine(io.stdout, `${file}: ${isValid ? 'valid' : 'invalid'} ${loaded.raw.syntax} config (${counts})`);
  }
  return isValid ? EXIT_OK : EXIT_FAILURE;
}

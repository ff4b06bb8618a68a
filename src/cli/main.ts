/**
 * The CLI entry: dispatches to a command. It is handed argv and env by bin/lvsd.js (the only place
 * that reads process.argv and sets the exit code) and returns the exit code.
 */
import { describeError, isLvsdError } from '../core/errors.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, writeLine, type CliIo } from './io.js';
import { COMMANDS, findCommand, formatCommandHelp, formatMainHelp } from './registry.js';
import { LVSD_VERSION } from '../daemon/version.js';

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, streams?: Partial<CliIo>): Promise<number> {
  const io: CliIo = {
    stdout: streams?.stdout ?? process.stdout,
    stderr: streams?.stderr ?? process.stderr,
    env: streams?.env ?? env,
    // process.stdin opens a stream on fd 0 when first read (tens of ms inside UML): only for
    // the commands that read it (`lvsd ipvsadm -R`).
    get stdin() {
      return streams?.stdin ?? process.stdin;
    },
  };
  const [first] = argv;
  if (first === undefined || first === '-h' || first === '--help') {
    writeLine(io.stdout, formatMainHelp());
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === 'version' || first === '--version' || first === '-V') {
    writeLine(io.stdout, `lvsd ${LVSD_VERSION}`);
    return EXIT_OK;
  }
  if (first === 'help') {
    const found = findCommand(argv.slice(1));
    if (argv.length > 1 && found === undefined) return usageError(io, `unknown command '${argv.slice(1).join(' ')}'`);
    writeLine(io.stdout, found === undefined ? formatMainHelp() : formatCommandHelp(found.spec));
    return EXIT_OK;
  }
  const found = findCommand(argv);
  if (found === undefined) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
    if (group.length > 0) return usageError(io, `'${first}' needs a subcommand: ${group.map((c) => c.name).join(', ')}`);
    return usageError(io, `unknown command '${first}'`);
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    writeLine(io.stdout, formatCommandHelp(found.spec));
    return EXIT_OK;
  }
  try {
    const module = await found.spec.load();
    return await module.run(found.rest, io);
  } catch (e) {
    if (isLvsdError(e, 'ERR_USAGE')) return usageError(io, e.message, found.spec.name);
    // Expected failures carry a code and a message an operator can act on; never a stack trace.
    const code = isLvsdError(e) ? ` (${e.code})` : '';
    writeLine(io.stderr, `lvsd ${found.spec.name}: ${describeError(e)}${code}`);
    if (!isLvsdError(e) && env['LVSD_DEBUG'] === '1' && e instanceof Error) writeLine(io.stderr, e.stack ?? '');
    return EXIT_FAILURE;
  }
}

function usageError(io: CliIo, message: string, command?: string): number {
  writeLine(io.stderr, `lvsd: ${message}`);
  writeLine(io.stderr, `Run 'lvsd ${command === undefined ? '' : `${command} `}--help' for usage.`);
  return EXIT_USAGE;
}

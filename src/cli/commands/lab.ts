/**
 * `lvsd lab`: boots the disposable lab in user-mode Linux, runs lvsd on each director with a
 * generated config, drives client traffic through the scenario, prints a timeline and a summary,
 * and exits by itself (0 when the scenario's own checks held).
 */
import { createProcessRunner } from '../../core/command-runner.js';
import { LvsdError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { LAB_SCENARIOS, runLab, type LabDirectorCount } from '../../lab/lab.js';
import { LAB_FORWARDINGS, type LabForwarding } from '../../lab/scenarios/traffic-through-vip-options.js';
import { isFlagSet, parseCommandArgs, stringOption } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, writeLine, type CliIo } from '../io.js';

const DEFAULT_TIMEOUT_S = 240;

export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('lab', args, {
    directors: { type: 'string' },
    scenario: { type: 'string' },
    timeout: { type: 'string' },
    forwarding: { type: 'string' },
    json: { type: 'boolean' },
  }, 0);
  const scenario = stringOption(parsed, 'scenario') ?? 'traffic-through-vip';
  if (scenario === 'list') {
    for (const s of LAB_SCENARIOS) writeLine(io.stdout, `${s.name}: ${s.description}`);
    return EXIT_OK;
  }
  const directors = parseDirectors(stringOption(parsed, 'directors') ?? '2');
  const timeoutS = parseTimeout(stringOption(parsed, 'timeout') ?? String(DEFAULT_TIMEOUT_S));
  const forwarding = parseForwarding(stringOption(parsed, 'forwarding') ?? 'dr');
  const abort = new AbortController();
  const onSignal = (): void => abort.abort(new LvsdError('ERR_COMMAND_ABORTED', 'lab interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    writeLine(io.stderr, `lvsd lab: booting user-mode Linux with ${directors} directors, scenario ${scenario}, forwarding ${forwarding} (timeout ${timeoutS} s)`);
    const report = await runLab(
      { directors, scenario, forwarding, timeoutMs: timeoutS * 1000, withDaemons: true, signal: abort.signal },
      {
        runner: createProcessRunner(),
        logger: createLogger({ level: 'info', stream: io.stderr }),
        pathEnv: io.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        nodePath: process.execPath,
      },
    );
    if (isFlagSet(parsed, 'json')) {
      writeLine(io.stdout, JSON.stringify({ isOk: report.isOk, scenario: report.scenario, uml: report.uml, result: report.result }, null, 2));
    } else {
      writeLine(io.stdout, report.text);
    }
    return report.isOk ? EXIT_OK : EXIT_FAILURE;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function parseDirectors(text: string): LabDirectorCount {
  if (text === '2' || text === '3') return Number(text) as LabDirectorCount;
  throw new LvsdError('ERR_USAGE', `lab: --directors takes 2 or 3, not '${text}'`);
}

function parseForwarding(text: string): LabForwarding {
  const found = LAB_FORWARDINGS.find((f) => f === text);
  if (found === undefined) throw new LvsdError('ERR_USAGE', `lab: --forwarding takes ${LAB_FORWARDINGS.join(', ')}, not '${text}'`);
  return found;
}

function parseTimeout(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 10 || n > 3600) throw new LvsdError('ERR_USAGE', `lab: --timeout takes whole seconds from 10 to 3600, not '${text}'`);
  return n;
}

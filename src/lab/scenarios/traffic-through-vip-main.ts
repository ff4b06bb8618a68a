/**
 * Entry point of the traffic-through-vip scenario, normally run inside UML by runInUml/runLab:
 *   options: JSON file named by --input or $LVSD_UML_INPUT (defaults apply; {} is fine)
 *   result:  JSON written to --result or $LVSD_UML_RESULT, and a one-line verdict on stdout
 * Exit 0 when the scenario is ok, 1 when it ran but failed, 2 on bad usage.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { systemClock } from '../../core/clock.js';
import { createProcessRunner } from '../../core/command-runner.js';
import { createLogger } from '../../core/logger.js';
import { parseFlags } from '../cli-flags.js';
import { createChildProcessSpawner } from '../lab-process.js';
import { parseTrafficThroughVipOptions } from './traffic-through-vip-options.js';
import { runTrafficThroughVip } from './traffic-through-vip.js';

const flags = parseFlags(process.argv.slice(2), { input: { kind: 'string' }, result: { kind: 'string' } });
if (!flags.ok) {
  process.stderr.write(`traffic-through-vip: ${flags.error}\n`);
  process.exit(2);
}
const inputPath = (flags.value['input'] as string | undefined) ?? process.env['LVSD_UML_INPUT'];
const resultPath = (flags.value['result'] as string | undefined) ?? process.env['LVSD_UML_RESULT'];
let raw: unknown = {};
if (inputPath !== undefined) {
  try {
    raw = JSON.parse(await readFile(inputPath, 'utf8')) as unknown;
  } catch (e) {
    process.stderr.write(`traffic-through-vip: cannot read options ${inputPath}: ${(e as Error).message}\n`);
    process.exit(2);
  }
}
const options = parseTrafficThroughVipOptions(raw);
if (!options.ok) {
  process.stderr.write(`traffic-through-vip: invalid options: ${options.error}\n`);
  process.exit(2);
}
const logger = createLogger({ level: 'info', format: 'json', stream: process.stderr });
const result = await runTrafficThroughVip(options.value, {
  runner: createProcessRunner(),
  spawner: createChildProcessSpawner(systemClock),
  clock: systemClock,
  logger,
  nodePath: process.execPath,
});
if (resultPath !== undefined) await writeFile(resultPath, JSON.stringify(result));
process.stdout.write(`${JSON.stringify({ scenario: result.scenario, isOk: result.isOk, error: result.error, byServer: result.summary.byServer })}\n`);
process.exitCode = result.isOk ? 0 : 1;

/**
 * Entry point of the real-server lab scenario (realserver-lab-scenario.ts), run inside UML by the
 * integration test: options as JSON in $LVSD_UML_INPUT ({} is fine), the result as JSON to
 * $LVSD_UML_RESULT and a one-line verdict on stdout. Exit 0 when no step failed, 1 otherwise.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { systemClock } from '../core/clock.js';
import { createProcessRunner } from '../core/command-runner.js';
import { createLogger } from '../core/logger.js';
import { createChildProcessSpawner } from '../lab/lab-process.js';
import { DEFAULT_LVSD_BIN, runRealServerLab } from './realserver-lab-scenario.js';

const inputPath = process.env['LVSD_UML_INPUT'];
const resultPath = process.env['LVSD_UML_RESULT'];
const raw = (inputPath === undefined ? {} : JSON.parse(await readFile(inputPath, 'utf8'))) as { probeCount?: unknown; runId?: unknown };
const result = await runRealServerLab(
  {
    probeCount: typeof raw.probeCount === 'number' && Number.isInteger(raw.probeCount) && raw.probeCount > 0 && raw.probeCount <= 200 ? raw.probeCount : 20,
    lvsdBin: DEFAULT_LVSD_BIN,
    ...(typeof raw.runId === 'string' ? { runId: raw.runId } : {}),
  },
  {
    runner: createProcessRunner(),
    spawner: createChildProcessSpawner(systemClock),
    clock: systemClock,
    logger: createLogger({ level: 'info', format: 'json', stream: process.stderr }),
    nodePath: process.execPath,
  },
);
if (resultPath !== undefined) await writeFile(resultPath, JSON.stringify(result));
process.stdout.write(`${JSON.stringify({ scenario: 'realserver', error: result.error, probes: result.probes })}\n`);
process.exitCode = result.error === undefined ? 0 : 1;

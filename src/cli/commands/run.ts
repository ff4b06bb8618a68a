/**
 * `lvsd run`: loads and validates the config, starts the daemon's components in order, stops them in
 * reverse on SIGTERM or SIGINT, and re-validates the config on SIGHUP. Refuses to start with an invalid
 * config, and says why.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadConfigFile, type LoadOptions } from '../../../config/loader.js';
import type { ConfigSyntax } from '../../../config/raw-config.js';
import { formatIssue } from '../../../config/issues.js';
import type { LvsdConfig } from '../../../config/schema.js';
import { systemClock } from '../../core/clock.js';
import { createProcessRunner } from '../../core/command-runner.js';
import { describeError, LvsdError } from '../../core/errors.js';
import { createLogger, type Logger } from '../../core/logger.js';
import { createDaemon, type Daemon } from '../../daemon/daemon.js';
import { useFixedHeapGrowth } from '../../daemon/heap-growth.js';
import { createProcSysctl } from '../../ipvs/proc-sysctl.js';
import { isFlagSet, parseCommandArgs, stringOption } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, writeLine, type CliIo } from '../io.js';

const BIN_PATH = fileURLToPath(new URL('../../../../bin/lvsd.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

type ReadyMessage = { readonly type: 'ready'; readonly pid: number } | { readonly type: 'failed'; readonly message: string };

export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('run', args, {
    config: { type: 'string', short: 'c' },
    foreground: { type: 'boolean', short: 'f' },
    strict: { type: 'boolean' },
    'config-id': { type: 'string' },
    'pid-file': { type: 'string' },
    'control-socket': { type: 'string' },
  }, 0);
  const file = stringOption(parsed, 'config');
  if (file === undefined) throw new LvsdError('ERR_USAGE', 'run: --config FILE is required');
  const configId = stringOption(parsed, 'config-id');
  const options: LoadOptions = { isStrict: isFlagSet(parsed, 'strict'), ...(configId === undefined ? {} : { configId }) };

  // Before the config is read: the main thread's heap limit is set at the collections during loading.
  useFixedHeapGrowth();
  const loaded = await loadForRun(file, options, io);
  if (loaded === undefined) return EXIT_FAILURE;
  const config = withDaemonOverrides(loaded.config, stringOption(parsed, 'pid-file'), stringOption(parsed, 'control-socket'));
  if (!isFlagSet(parsed, 'foreground')) return startInBackground(args, config, io);
  return runForeground(file, loaded.syntax, config, options, io);
}

/**
 * Loads, reports the issues, and returns the config and its syntax only: the LoadedConfig keeps the
 * parsed YAML document (26 MB at 10,000 real servers), which a local of run() would keep alive as
 * long as the daemon runs (a suspended async function keeps its locals).
 */
async function loadForRun(file: string, options: LoadOptions, io: CliIo): Promise<{ readonly config: LvsdConfig; readonly syntax: ConfigSyntax } | undefined> {
  const loaded = await loadConfigFile(file, options);
  for (const issue of loaded.issues) writeLine(io.stderr, formatIssue(issue));
  if (loaded.config !== undefined) return { config: loaded.config, syntax: loaded.raw.syntax };
  const n = loaded.issues.filter((i) => i.severity === 'error').length;
  writeLine(io.stderr, `lvsd run: refusing to start: ${n} error${n === 1 ? '' : 's'} in ${file}`);
  return undefined;
}

/** keepalived.conf has no place for lvsd's own paths: the command line may set them (keepalived's -p). */
function withDaemonOverrides(config: LvsdConfig, pidFile: string | undefined, controlSocket: string | undefined): LvsdConfig {
  for (const [flag, value] of [['--pid-file', pidFile], ['--control-socket', controlSocket]] as const) {
    if (value !== undefined && !value.startsWith('/')) throw new LvsdError('ERR_USAGE', `run: ${flag} takes an absolute path, not '${value}'`);
  }
  return {
    ...config,
    daemon: { ...config.daemon, ...(pidFile === undefined ? {} : { pidFile }), ...(controlSocket === undefined ? {} : { controlSocket }) },
  };
}

async function runForeground(file: string, syntax: ConfigSyntax, config: LvsdConfig, options: LoadOptions, io: CliIo): Promise<number> {
  const logger = createLogger({
    level: config.log.level,
    stream: io.stderr,
    ...(config.log.format === 'auto' ? {} : { format: config.log.format }),
    ...(config.log.file === undefined ? {} : { file: config.log.file }),
  });
  const daemon = createDaemon(config, { file, syntax }, {
    logger,
    clock: systemClock,
    pid: process.pid,
    hostname: hostname(),
    wallNow: () => new Date(),
    // The netlink binding loads only when the config has virtual servers.
    openIpvsClient: async (signal) => (await import('../../ipvs/genl-ipvs-client.js')).createGenlIpvsClient({}, signal),
    sysctl: createProcSysctl(),
    runner: createProcessRunner(),
  });
  const abort = new AbortController();
  let stopRequested: ((signal: string) => void) | undefined;
  const stopped = new Promise<string>((resolve) => {
    stopRequested = resolve;
  });
  const onStop = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) {
      logger.warn('stop already in progress', { signal });
      return;
    }
    logger.info('stop requested', { signal });
    abort.abort(new LvsdError('ERR_COMMAND_ABORTED', `stopped by ${signal}`));
    stopRequested?.(signal);
  };
  const onHup = (): void => void reload(daemon, file, options, logger);
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', onHup);
  try {
    try {
      await daemon.start(abort.signal);
    } catch (e) {
      logger.error('lvsd failed to start', { err: describeError(e) });
      reportToParent({ type: 'failed', message: describeError(e) });
      return EXIT_FAILURE;
    }
    reportToParent({ type: 'ready', pid: process.pid });
    if (!abort.signal.aborted) await stopped;
    await daemon.stop();
    return EXIT_OK;
  } finally {
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onHup);
  }
}

/** SIGHUP: load and validate first; an invalid file is reported and nothing running changes. */
async function reload(daemon: Daemon, file: string, options: LoadOptions, logger: Logger): Promise<void> {
  const log = logger.child({ component: 'reload' });
  log.info('reload requested', { file });
  try {
    const next = await loadConfigFile(file, options);
    for (const issue of next.issues) log.warn('config issue', { issue: formatIssue(issue) });
    if (next.config === undefined) {
      log.error('reload refused: config invalid, keeping the running config', { file });
      return;
    }
    const outcome = await daemon.reload(next.config, { file, syntax: next.raw.syntax });
    log.info('reload done', { changed: outcome.changedSections });
    if (outcome.appliedAtRestart.length > 0) {
      log.warn('changed settings take effect at the next restart', { sections: outcome.appliedAtRestart });
    }
  } catch (e) {
    log.error('reload failed, keeping the running config', { err: describeError(e) });
  }
}

function reportToParent(message: ReadyMessage): void {
  if (typeof process.send !== 'function') return;
  process.send(message);
  process.disconnect?.();
}

/** Without --foreground: start a detached copy of itself and wait until it is up (or says why not). */
async function startInBackground(args: readonly string[], config: LvsdConfig, io: CliIo): Promise<number> {
  const logFd = config.log.file === undefined ? undefined : openSync(config.log.file, 'a');
  if (logFd === undefined) {
    writeLine(io.stderr, 'lvsd run: no log.file configured: the background daemon logs nowhere (set log.file, or use --foreground under systemd)');
  }
  const child = spawn(process.execPath, [BIN_PATH, 'run', '--foreground', ...args], {
    detached: true,
    stdio: ['ignore', logFd ?? 'ignore', logFd ?? 'ignore', 'ipc'],
    env: io.env,
  });
  if (logFd !== undefined) closeSync(logFd);
  const outcome = await new Promise<ReadyMessage>((resolve) => {
    const timer = setTimeout(() => resolve({ type: 'failed', message: `not up within ${READY_TIMEOUT_MS} ms` }), READY_TIMEOUT_MS);
    child.once('message', (m: ReadyMessage) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ type: 'failed', message: `exited with code ${code ?? 'null'} while starting` });
    });
  });
  child.removeAllListeners();
  if (child.connected) child.disconnect();
  child.unref();
  if (outcome.type === 'failed') {
    writeLine(io.stderr, `lvsd run: the daemon did not start: ${outcome.message}`);
    return EXIT_FAILURE;
  }
  writeLine(io.stdout, `lvsd started in the background (pid ${outcome.pid})`);
  return EXIT_OK;
}

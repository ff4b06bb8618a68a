/**
 * Structured logging (STYLE 15): a constant message plus fields. Domains depend on the `Logger`
 * interface only; `createLogger` backs it with winston, `createMemoryLogger` records for tests.
 */
import winston from 'winston';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every entry (bind identity once: component, vrid, vs...). */
  child(fields: LogFields): Logger;
}

export type LogFormat = 'json' | 'text';

export interface LoggerOptions {
  readonly level: LogLevel;
  /** 'json': one JSON object a line. 'text': readable lines. Default: text on a terminal, else json. */
  readonly format?: LogFormat;
  readonly stream?: NodeJS.WritableStream;
  /** Also append JSON lines to this file. */
  readonly file?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  const stream = options.stream ?? process.stderr;
  const isTerminal = 'isTTY' in stream && stream.isTTY === true;
  const format = options.format ?? (isTerminal ? 'text' : 'json');
  const jsonFormat = winston.format.combine(
    winston.format.timestamp(),
    winston.format.errors({ stack: false }),
    winston.format((info) => serializeErrors(info))(),
    winston.format.json(),
  );
  const textFormat = winston.format.combine(
    winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
    winston.format((info) => serializeErrors(info))(),
    winston.format.printf((info) => formatTextLine(info)),
  );
  const transports: winston.transport[] = [
    new winston.transports.Stream({ stream, format: format === 'json' ? jsonFormat : textFormat }),
  ];
  if (options.file !== undefined) transports.push(new winston.transports.File({ filename: options.file, format: jsonFormat }));
  return wrap(winston.createLogger({ level: options.level, transports }));
}

function wrap(w: winston.Logger): Logger {
  return {
    error: (message, fields) => w.error(message, fields ?? {}),
    warn: (message, fields) => w.warn(message, fields ?? {}),
    info: (message, fields) => w.info(message, fields ?? {}),
    debug: (message, fields) => w.debug(message, fields ?? {}),
    child: (fields) => wrap(w.child(fields)),
  };
}

/** Winston drops an Error's message in JSON; turn `err` fields into plain data with code and message. */
function serializeErrors(info: winston.Logform.TransformableInfo): winston.Logform.TransformableInfo {
  for (const [key, value] of Object.entries(info)) {
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      info[key] = { message: value.message, ...(code === undefined ? {} : { code }), name: value.name };
    }
  }
  return info;
}

const TEXT_SKIP = new Set(['level', 'message', 'timestamp']);

function formatTextLine(info: Record<string, unknown>): string {
  const fields = Object.entries(info)
    .filter(([k]) => !TEXT_SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join(' ');
  const level = String(info['level']).toUpperCase().padEnd(5);
  return `${String(info['timestamp'])} ${level} ${String(info['message'])}${fields ? `  ${fields}` : ''}`;
}

export interface LogEntry {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

/** A working logger that keeps entries in memory, for tests that assert what was logged. */
export function createMemoryLogger(entries: LogEntry[] = [], bound: LogFields = {}): Logger & { entries: LogEntry[] } {
  const log = (level: LogLevel) => (message: string, fields?: LogFields) => {
    entries.push({ level, message, fields: { ...bound, ...fields } });
  };
  return {
    entries,
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: (fields) => createMemoryLogger(entries, { ...bound, ...fields }),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => silentLogger,
};

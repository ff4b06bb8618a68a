/**
 * Reads a config file from disk in either syntax (detected by content), then validates it.
 * The only module of config/ that touches the file system, together with the keepalived
 * include reader it hands to the pure keepalived front end.
 */
import { readFile } from 'node:fs/promises';
import { LvsdError } from '../src/core/errors.js';
import type { ConfigIssue } from './issues.js';
import { toStrict } from './issues.js';
import type { RawConfig } from './raw-config.js';
import { parseYamlConfig } from './yaml-source.js';
import { validateConfig, type ValidationResult } from './validate.js';
import { looksLikeKeepalived, parseKeepalivedConfig } from './keepalived/keepalived-source.js';
import { createFsSourceReader } from './keepalived/fs-source-reader.js';

export interface LoadOptions {
  /** Turn every warning (such as an unsupported keepalived keyword) into an error. */
  readonly isStrict?: boolean;
  /** keepalived's `-i`: selects `@id` conditional lines. */
  readonly configId?: string;
}

export interface LoadedConfig extends ValidationResult {
  readonly raw: RawConfig;
}

/** Parses text that came from `file` (used for the path in messages and for relative includes). */
export function parseConfigText(text: string, file: string, options: LoadOptions = {}): RawConfig {
  if (looksLikeKeepalived(text)) {
    return parseKeepalivedConfig(text, file, createFsSourceReader(), {
      ...(options.configId === undefined ? {} : { configId: options.configId }),
    });
  }
  return parseYamlConfig(text, file);
}

export function validateRaw(raw: RawConfig, options: LoadOptions = {}): LoadedConfig {
  const result = validateConfig(raw);
  if (options.isStrict !== true) return { ...result, raw };
  const issues: ConfigIssue[] = toStrict(result.issues);
  const isValid = !issues.some((i) => i.severity === 'error');
  return { raw, issues, config: isValid ? result.config : undefined };
}

/** Throws ERR_CONFIG_READ when the file cannot be read; invalid content is reported in `issues`. */
export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new LvsdError('ERR_CONFIG_READ', `cannot read config file ${file}: ${code}`, { cause: e, details: { file } });
  }
  return validateRaw(parseConfigText(text, file, options), options);
}

/**
 * Reads the HMAC key of a VRRP instance with `authentication: { type: hmac-sha256, keyFile }` at start
 * (hexadecimal, at least 16 bytes; ha/vrrp-hmac.ts parses it). A key file that others can read is
 * allowed but warned about, as ssh does for private keys.
 */
import { readFile, stat } from 'node:fs/promises';
import { describeError, LvsdError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { VrrpInstanceConfig } from '../../config/schema-vrrp.js';
import { parseHmacKey } from '../../ha/vrrp-hmac.js';

/** The key from the instance's keyFile; undefined when it has none. Throws LvsdError ERR_COMPONENT_START. */
export async function loadHmacKeyFile(instance: VrrpInstanceConfig, logger: Logger): Promise<Uint8Array | undefined> {
  const auth = instance.authentication;
  if (auth?.type !== 'hmac-sha256' || auth.keyFile === undefined) return undefined;
  const path = auth.keyFile;
  let text: string;
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) logger.warn('vrrp hmac key file is readable by others', { instance: instance.name, path, mode: (info.mode & 0o777).toString(8) });
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new LvsdError('ERR_COMPONENT_START', `vrrp instance ${instance.name}: cannot read the HMAC key file ${path}: ${describeError(e)}`, { cause: e });
  }
  const key = parseHmacKey(text);
  if (!key.ok) throw new LvsdError('ERR_COMPONENT_START', `vrrp instance ${instance.name}: HMAC key file ${path}: ${key.error}`);
  return key.value;
}

/** The HMAC key file of a VRRP instance (src/vrrp/hmac-key-file.ts), on real files in a temporary directory. */
import test from 'ava';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLvsdError } from '../../../src/core/errors.js';
import { createMemoryLogger, type LogEntry } from '../../../src/core/logger.js';
import { loadHmacKeyFile } from '../../../src/vrrp/hmac-key-file.js';
import type { VrrpInstanceConfig } from '../../../config/schema-vrrp.js';

const KEY_HEX = '8c1f0b6e4a2d9935c7e1f00a5b3d6e7f8c1f0b6e4a2d9935c7e1f00a5b3d6e7f';

function instance(keyFile: string | undefined): VrrpInstanceConfig {
  return { name: 'VI_1', authentication: keyFile === undefined ? undefined : { type: 'hmac-sha256', keyFile } } as unknown as VrrpInstanceConfig;
}

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lvsd-key-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a 0600 key file is read as hexadecimal, without a warning', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'vrrp.key');
  await writeFile(path, `${KEY_HEX}\n`, { mode: 0o600 });
  const logs: LogEntry[] = [];
  const key = await loadHmacKeyFile(instance(path), createMemoryLogger(logs));
  t.deepEqual(key, Uint8Array.from(Buffer.from(KEY_HEX, 'hex')));
  t.deepEqual(logs, []);
});

test('a key file others can read works, with a warning naming its mode', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'vrrp.key');
  await writeFile(path, KEY_HEX);
  await chmod(path, 0o644);
  const logs: LogEntry[] = [];
  t.is((await loadHmacKeyFile(instance(path), createMemoryLogger(logs)))?.length, 32);
  t.deepEqual(logs.map((l) => [l.level, l.message, l.fields['mode']]), [['warn', 'vrrp hmac key file is readable by others', '644']]);
});

test('a missing file or a key that is not hexadecimal stops the start with ERR_COMPONENT_START', async (t) => {
  const dir = await tempDir(t);
  const missing = await t.throwsAsync(loadHmacKeyFile(instance(join(dir, 'none')), createMemoryLogger()));
  t.true(isLvsdError(missing, 'ERR_COMPONENT_START'));
  t.regex(missing?.message ?? '', /vrrp instance VI_1: cannot read the HMAC key file .*none: ENOENT/);
  const path = join(dir, 'bad.key');
  await writeFile(path, 'not a key', { mode: 0o600 });
  const bad = await t.throwsAsync(loadHmacKeyFile(instance(path), createMemoryLogger()));
  t.is(bad?.message, `vrrp instance VI_1: HMAC key file ${path}: the key is not hexadecimal (an even number of 0-9, a-f)`);
});

test('an instance without a key file has nothing to load', async (t) => {
  t.is(await loadHmacKeyFile(instance(undefined), createMemoryLogger()), undefined);
});

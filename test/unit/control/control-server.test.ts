import test from 'ava';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createControlServer } from '../../../src/control/control-server.js';
import { sendControlRequest } from '../../../src/control/control-client.js';
import { silentLogger } from '../../../src/core/logger.js';
import { isLvsdError } from '../../../src/core/errors.js';

async function withServer(t: { teardown(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'lvsd-ctl-'));
  const path = join(dir, 'sub', 'lvsd.sock');
  let statusCalls = 0;
  const server = createControlServer(path, { status: () => ({ calls: ++statusCalls }), ping: () => ({ pong: true }) }, silentLogger);
  t.teardown(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await server.start(new AbortController().signal);
  return { path, server };
}

function rawExchange(path: string, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(path, () => s.write(payload));
    let out = '';
    s.on('data', (d) => {
      out += d.toString();
      if (out.endsWith('\n')) {
        s.end();
        resolve(out.trim());
      }
    });
    s.on('error', reject);
  });
}

test('answers status and ping; the socket is private (0600)', async (t) => {
  const { path } = await withServer(t);
  t.deepEqual(await sendControlRequest(path, 'status'), { ok: true, result: { calls: 1 } });
  t.deepEqual(await sendControlRequest(path, 'ping'), { ok: true, result: { pong: true } });
  t.is((await stat(path)).mode & 0o777, 0o600);
});

test('bad requests get a typed error reply, not a dropped connection', async (t) => {
  const { path } = await withServer(t);
  t.deepEqual(JSON.parse(await rawExchange(path, 'not json\n')), { ok: false, code: 'ERR_BAD_REQUEST', message: 'request is not JSON' });
  const unknown = JSON.parse(await rawExchange(path, '{"command":"selfdestruct"}\n')) as { code: string; message: string };
  t.is(unknown.code, 'ERR_BAD_REQUEST');
  t.regex(unknown.message, /unknown command "selfdestruct"; known: status, ping/);
});

test('a second server on a live socket refuses; stop removes the socket', async (t) => {
  const { path, server } = await withServer(t);
  const second = createControlServer(path, { status: () => 0, ping: () => 0 }, silentLogger);
  const e = await t.throwsAsync(second.start(new AbortController().signal));
  t.true(isLvsdError(e, 'ERR_CONTROL_SOCKET'));
  t.deepEqual(await sendControlRequest(path, 'ping'), { ok: true, result: { pong: true } }, 'the first server is undisturbed');
  await server.stop();
  await t.throwsAsync(stat(path));
  const gone = await t.throwsAsync(sendControlRequest(path, 'ping'));
  t.regex(gone?.message ?? '', /is lvsd running\?/);
});

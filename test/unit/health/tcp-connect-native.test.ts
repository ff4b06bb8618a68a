/**
 * The plain TCP check's connect in lvsd's addon (native/tcp-connect.c), on loopback: its results, and
 * that nothing stays open. Node's handle list cannot see the addon's sockets, so the file descriptors of
 * the process are counted instead, before and after hundreds of attempts of each kind.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import test from 'ava';
import { loadNativeAddon } from '../../../src/core/native-addon.js';

const addon = loadNativeAddon();
const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

function connect(address: string, port: number, bindAddress: string | null = null): Promise<0 | string> {
  return new Promise((resolve) => {
    const attempt = addon.tcpConnect(address, port, bindAddress, resolve);
    if (typeof attempt === 'string') resolve(attempt);
  });
}

async function listen(): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, accepted: () => accepted, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function closedPort(): Promise<number> {
  const server = await listen();
  await server.close();
  return server.port;
}

test.serial('connected, refused (IPv4 and IPv6), and a source address the host does not have', async (t) => {
  const server = await listen();
  t.teardown(() => server.close());
  t.is(await connect('127.0.0.1', server.port), 0);
  t.is(await connect('127.0.0.1', server.port, '127.0.0.2'), 0, 'bound to another loopback address');
  const refused = await closedPort();
  t.is(await connect('127.0.0.1', refused), 'ECONNREFUSED');
  t.is(await connect('::1', refused), 'ECONNREFUSED');
  t.is(await connect('127.0.0.1', server.port, '192.0.2.77'), 'EADDRNOTAVAIL', 'bind fails at once');
});

test.serial('bad arguments throw with a code, before any socket exists', (t) => {
  const before = openDescriptors();
  t.throws(() => addon.tcpConnect('not an address', 80, null, () => undefined), { code: 'ERR_INVALID_ARG_VALUE' });
  t.throws(() => addon.tcpConnect('::1', 80, '127.0.0.1', () => undefined), { code: 'ERR_INVALID_ARG_VALUE', message: /same family/ });
  t.throws(() => addon.tcpConnect('127.0.0.1', 0, null, () => undefined), { code: 'ERR_INVALID_ARG_TYPE' });
  t.throws(() => addon.tcpCancel({} as never), { code: 'ERR_INVALID_ARG_TYPE', message: /tcpCancel/ });
  t.is(openDescriptors(), before);
});

test.serial('a connect attempt is no handle for the other parts of the addon (refused, not read as their structure)', async (t) => {
  const server = await listen();
  t.teardown(() => server.close());
  const attempt = addon.tcpConnect('127.0.0.1', server.port, null, () => undefined);
  if (typeof attempt === 'string') throw new Error(attempt);
  t.throws(() => addon.packetClose(attempt), { code: 'ERR_INVALID_ARG_TYPE', message: /packetClose/ });
  t.throws(() => addon.close(attempt), { code: 'ERR_INVALID_ARG_TYPE', message: /close/ });
  addon.tcpCancel(attempt);
});

test.serial('hundreds of connected, refused and cancelled attempts leave no descriptor open; a cancelled one never calls back', async (t) => {
  const server = await listen();
  t.teardown(() => server.close());
  const refused = await closedPort();
  const before = openDescriptors();
  const rounds = 300;
  const results = await Promise.all(Array.from({ length: rounds }, () => connect('127.0.0.1', server.port)));
  t.deepEqual(new Set(results), new Set([0]));
  const refusals = await Promise.all(Array.from({ length: rounds }, () => connect('127.0.0.1', refused)));
  t.deepEqual(new Set(refusals), new Set(['ECONNREFUSED']));
  let lateCallbacks = 0;
  for (let i = 0; i < rounds; i++) {
    const attempt = addon.tcpConnect('127.0.0.1', server.port, null, () => {
      lateCallbacks += 1;
    });
    if (typeof attempt === 'string') throw new Error(attempt);
    addon.tcpCancel(attempt);
    addon.tcpCancel(attempt);
  }
  await new Promise((r) => setTimeout(r, 100));
  t.is(lateCallbacks, 0);
  t.is(openDescriptors(), before);
});

test.serial('works on a worker thread’s event loop (the health checks run on one)', async (t) => {
  const server = await listen();
  t.teardown(() => server.close());
  const addonUrl = new URL('../../../src/core/native-addon.js', import.meta.url).href;
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(${JSON.stringify(addonUrl)}).then(({ loadNativeAddon }) => {
      loadNativeAddon().tcpConnect('127.0.0.1', workerData, null, (r) => parentPort.postMessage(r));
    });`;
  const worker = new Worker(code, { eval: true, workerData: server.port });
  const result = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  t.is(result, 0);
  t.true(server.accepted() >= 1);
});

/** A listener that never accepts: a child process listens with a backlog of 1 (0 would mean Node's default, 511), then blocks its own loop for at most 10 s, so connects beyond the first stay pending. */
async function stuckListener(): Promise<{ port: number; stop: () => void }> {
  const code = `const s = require('node:net').createServer();
    s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(String(s.address().port) + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10000);
    });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('error', reject);
  });
  return { port, stop: () => child.kill('SIGKILL') };
}

test.serial('a worker terminated with connects still pending ends cleanly (Node aborts the process if a handle is left on its loop)', async (t) => {
  const listener = await stuckListener();
  t.teardown(() => listener.stop());
  const addonUrl = new URL('../../../src/core/native-addon.js', import.meta.url).href;
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(${JSON.stringify(addonUrl)}).then(({ loadNativeAddon }) => {
      const addon = loadNativeAddon();
      let calledBack = 0;
      for (let i = 0; i < 50; i++) addon.tcpConnect('127.0.0.1', workerData, null, () => { calledBack += 1; });
      setTimeout(() => parentPort.postMessage(calledBack), 300);
      setTimeout(() => undefined, 60000);
    });`;
  const worker = new Worker(code, { eval: true, workerData: listener.port });
  const calledBack = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  t.true(calledBack < 50, `some connects are still pending (${calledBack} of 50 called back)`);
  // Without the addon's teardown hook the process aborts here ("uv_loop_close() while having open handles").
  t.is(await worker.terminate(), 1);
});

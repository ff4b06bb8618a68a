import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { classifySocketError } from '../../../src/lab/http-probe.js';
import { createNameServer, parseListenAddress } from '../../../src/lab/http-name-server.js';

test('parseListenAddress: IPv4, IPv6 in brackets, and refusals', (t) => {
  t.deepEqual(parseListenAddress('0.0.0.0:80'), { ok: true, value: { host: '0.0.0.0', port: 80 } });
  t.deepEqual(parseListenAddress('[::]:8080'), { ok: true, value: { host: '::', port: 8080 } });
  for (const bad of ['0.0.0.0', ':80', '1.2.3.4:0', '1.2.3.4:70000', '::1:80']) t.false(parseListenAddress(bad).ok, bad);
});

test('the name server answers any path with 200 and its name, and closes the connection', async (t) => {
  const server = createNameServer('rs-7');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const { port } = server.address() as AddressInfo;
  const answer = await new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/any/path', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
    })
      .on('error', reject)
      .end();
  });
  t.deepEqual(answer, { status: 200, body: 'rs-7\n', connection: 'close' });
});

test('socket error codes map to probe outcomes', (t) => {
  t.is(classifySocketError('ECONNREFUSED'), 'refused');
  t.is(classifySocketError('ECONNRESET'), 'reset');
  t.is(classifySocketError('EPIPE'), 'reset');
  t.is(classifySocketError('ETIMEDOUT'), 'timeout');
  t.is(classifySocketError('EHOSTUNREACH'), 'error');
  t.is(classifySocketError(undefined), 'error');
});

import test from 'ava';
import { PassThrough } from 'node:stream';
import { createLogger, createMemoryLogger } from '../../../src/core/logger.js';
import { LvsdError } from '../../../src/core/errors.js';

function capture(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, lines: () => text.trim().split('\n') };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

test('JSON lines: constant message, bound child fields, errors as code and message', async (t) => {
  const out = capture();
  const log = createLogger({ level: 'info', format: 'json', stream: out.stream }).child({ component: 'vrrp', vrid: 51 });
  log.info('state change', { from: 'backup', to: 'master' });
  log.error('send failed', { err: new LvsdError('ERR_COMMAND_FAILED', 'boom') });
  log.debug('not shown at info');
  await flush();
  const [first, second, third] = out.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
  t.like(first, { level: 'info', message: 'state change', component: 'vrrp', vrid: 51, from: 'backup', to: 'master' });
  t.is(typeof first?.['timestamp'], 'string');
  t.like(second, { level: 'error', message: 'send failed', err: { code: 'ERR_COMMAND_FAILED', message: 'boom', name: 'LvsdError' } });
  t.is(third, undefined);
});

test('text lines for a terminal: time, level, message, then key=value fields', async (t) => {
  const out = capture();
  createLogger({ level: 'debug', format: 'text', stream: out.stream }).child({ component: 'daemon' }).warn('config issue', { file: '/etc/lvsd.yaml', detail: 'two words' });
  await flush();
  t.regex(out.lines()[0] ?? '', /^\d\d:\d\d:\d\d\.\d{3} WARN {2}config issue {2}component=daemon file=\/etc\/lvsd\.yaml detail="two words"$/);
});

test('format defaults to text on a TTY and JSON elsewhere', async (t) => {
  const tty = capture();
  Object.assign(tty.stream, { isTTY: true });
  createLogger({ level: 'info', stream: tty.stream }).info('hello');
  const pipe = capture();
  createLogger({ level: 'info', stream: pipe.stream }).info('hello');
  await flush();
  t.regex(tty.lines()[0] ?? '', /INFO {2}hello$/);
  t.like(JSON.parse(pipe.lines()[0] ?? '{}') as object, { message: 'hello' });
});

test('the memory logger records entries with bound fields', (t) => {
  const log = createMemoryLogger();
  log.child({ component: 'x' }).child({ vs: 'a' }).warn('m', { n: 1 });
  t.deepEqual(log.entries, [{ level: 'warn', message: 'm', fields: { component: 'x', vs: 'a', n: 1 } }]);
});

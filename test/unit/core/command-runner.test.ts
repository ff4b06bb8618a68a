import test from 'ava';
import { createProcessRunner, runChecked } from '../../../src/core/command-runner.js';
import { isLvsdError } from '../../../src/core/errors.js';
import { waitForExit } from '../../support/process-state.js';

const runner = createProcessRunner();

test('runs argv without a shell: metacharacters arrive literally', async (t) => {
  const r = await runner.run({ file: '/bin/echo', args: ['$HOME', '; ls', '`id`'], timeoutMs: 5000 });
  t.is(r.exitCode, 0);
  t.is(r.stdout, '$HOME ; ls `id`\n');
});

test('reports exit code and stderr, and feeds stdin', async (t) => {
  const r = await runner.run({ file: '/bin/sh', args: ['-c', 'cat; echo oops >&2; exit 3'], input: 'hello', timeoutMs: 5000 });
  t.is(r.exitCode, 3);
  t.is(r.stdout, 'hello');
  t.is(r.stderr, 'oops\n');
  t.false(r.isTimedOut);
});

test('a timeout kills the whole process group, grandchildren included', async (t) => {
  // The script starts a grandchild that would outlive a plain kill of the leader.
  const r = await runner.run({
    file: '/bin/sh',
    args: ['-c', 'sleep 30 & echo $!; wait'],
    timeoutMs: 300,
  });
  t.true(r.isTimedOut);
  t.not(r.exitCode, 0);
  const grandchild = Number(r.stdout.trim());
  t.true(grandchild > 0);
  t.true(await waitForExit(grandchild, 1000), `grandchild ${grandchild} survived the timeout`);
});

test('abort ends the program and is reported', async (t) => {
  const ac = new AbortController();
  const pending = runner.run({ file: '/bin/sleep', args: ['30'], timeoutMs: 10_000, signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  const r = await pending;
  t.true(r.isAborted);
  t.false(r.isTimedOut);
});

test('output beyond the limit is cut and flagged', async (t) => {
  const r = await runner.run({ file: '/bin/sh', args: ['-c', 'head -c 100000 /dev/zero'], timeoutMs: 5000, maxOutputBytes: 1000 });
  t.is(r.stdout.length, 1000);
  t.true(r.isOutputTruncated);
});

test('a missing program is a typed error; runChecked turns failure into a typed error', async (t) => {
  const missing = await t.throwsAsync(runner.run({ file: '/nonexistent/prog', args: [], timeoutMs: 1000 }));
  t.true(isLvsdError(missing, 'ERR_COMMAND_NOT_FOUND'));
  const failed = await t.throwsAsync(runChecked(runner, { file: '/bin/false', args: [], timeoutMs: 1000 }));
  t.true(isLvsdError(failed, 'ERR_COMMAND_FAILED'));
});

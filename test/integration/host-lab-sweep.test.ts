/** A lab whose owner was killed (SIGKILL, no teardown) is removed by the next sweep; live labs stay. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { claimLab, sweepStaleLabs } from '../../src/lab/lab-owners.js';
import { requirePrereqs } from '../support/prereqs.js';

const gate = requirePrereqs(['root', 'netns', 'ip']);

gate.test('sweepStaleLabs removes the namespaces of a dead owner and leaves a live one alone', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lvsd-owners-'));
  const suffix = String(process.pid % 100000);
  const dead = `lvzd${suffix}-`;
  const live = `lvzl${suffix}-`;
  const names = [`${dead}a`, `${dead}b`, `${live}a`];
  t.teardown(async () => {
    for (const n of names) spawnSync('ip', ['netns', 'del', n]);
    await rm(dir, { recursive: true, force: true });
  });
  for (const n of names) t.is(spawnSync('ip', ['netns', 'add', n]).status, 0);
  const exited = spawnSync('/bin/true');
  t.is(exited.status, 0);
  await claimLab(dead, exited.pid ?? 0, dir); // a pid that has exited
  await claimLab(live, process.pid, dir);
  const logger = createMemoryLogger();
  const removed = await sweepStaleLabs({ runner: createProcessRunner(), logger }, dir);
  t.deepEqual(removed.sort(), [`${dead}a`, `${dead}b`]);
  const left = spawnSync('ip', ['netns', 'list']).stdout.toString();
  t.false(left.includes(dead));
  t.true(left.includes(`${live}a`));
  t.deepEqual(await readdir(dir), [live]);
  t.true(logger.entries.some((e) => e.message === 'removed a lab left by a dead process' && e.fields['prefix'] === dead));
});

import test from 'ava';
import { findStaleOwners } from '../../../src/lab/lab-owners.js';

test('findStaleOwners keeps only owners whose process is gone', (t) => {
  const running = new Set([100, 300]);
  t.deepEqual(
    findStaleOwners([{ prefix: 'lva-', pid: 100 }, { prefix: 'lvb-', pid: 200 }, { prefix: 'lvc-', pid: 300 }], (pid) => running.has(pid)),
    [{ prefix: 'lvb-', pid: 200 }],
  );
});

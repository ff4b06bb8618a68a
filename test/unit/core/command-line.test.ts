import test from 'ava';
import { splitCommandLine } from '../../../src/core/command-line.js';

const rows: [string, string[] | string][] = [
  ['/usr/bin/killall -0 haproxy', ['/usr/bin/killall', '-0', 'haproxy']],
  ['  /bin/check   "a b"  c ', ['/bin/check', 'a b', 'c']],
  ["/bin/check 'it''s' x", ['/bin/check', 'its', 'x']],
  ['/bin/check a\\ b', ['/bin/check', 'a b']],
  ['/bin/check ""', ['/bin/check', '']],
  ['/bin/check $HOME `id` ;rm', ['/bin/check', '$HOME', '`id`', ';rm']],
  ['/bin/check "open', 'unterminated " quote in: /bin/check "open'],
  ['   ', 'empty command'],
];

for (const [input, expected] of rows) {
  test(`splitCommandLine(${JSON.stringify(input)})`, (t) => {
    const r = splitCommandLine(input);
    if (typeof expected === 'string') t.deepEqual(r, { ok: false, error: expected });
    else t.deepEqual(r, { ok: true, value: expected });
  });
}

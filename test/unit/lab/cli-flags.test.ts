import test from 'ava';
import { parseFlags, type FlagSpec } from '../../../src/lab/cli-flags.js';

const SPEC: FlagSpec = { url: { kind: 'string', isRequired: true }, count: { kind: 'integer', min: 1 } };

test('parses strings and integers', (t) => {
  t.deepEqual(parseFlags(['--url', 'http://x/', '--count', '5'], SPEC), { ok: true, value: { url: 'http://x/', count: 5 } });
});

test('rejects, with a reason: unknown, missing value, not an integer, below min, missing required, stray word', (t) => {
  const cases: [string[], RegExp][] = [
    [['--url', 'u', '--nope', '1'], /unknown option --nope/],
    [['--url'], /needs a value/],
    [['--url', 'u', '--count', '1.5'], /not an integer/],
    [['--url', 'u', '--count', '0'], /below 1/],
    [['--count', '3'], /--url is required/],
    [['url', 'u'], /unexpected argument/],
  ];
  for (const [argv, why] of cases) {
    const r = parseFlags(argv, SPEC);
    t.false(r.ok, argv.join(' '));
    if (!r.ok) t.regex(r.error, why);
  }
});

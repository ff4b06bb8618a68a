import test from 'ava';
import { expandBraces, hasGlobMagic, MAX_BRACE_EXPANSIONS, segmentMatcher } from '../../../config/keepalived/glob.js';
import { createMemorySourceReader } from '../../../config/keepalived/memory-source-reader.js';

const braceCases: ReadonlyArray<readonly [string, string[]]> = [
  ['plain.conf', ['plain.conf']],
  ['{a,b}.conf', ['a.conf', 'b.conf']],
  ['x{a,b{c,d}}y', ['xay', 'xbcy', 'xbdy']],
  ['{,cat,dog}', ['', 'cat', 'dog']],
  ['{foo/{,cat,dog},bar}', ['foo/', 'foo/cat', 'foo/dog', 'bar']],
  ['{single}', ['{single}']],
  ['\\{a,b}', ['\\{a,b}']],
];

for (const [pattern, expected] of braceCases) {
  test(`expandBraces ${pattern}`, (t) => {
    t.deepEqual(expandBraces(pattern), expected);
  });
}

test('expandBraces refuses a brace bomb', (t) => {
  t.true(2 ** 11 > MAX_BRACE_EXPANSIONS);
  t.is(expandBraces('{a,b}'.repeat(11)), undefined);
});

const matchCases: ReadonlyArray<readonly [string, string, boolean]> = [
  ['*.conf', 'vs.conf', true],
  ['*.conf', 'vs.conf.bak', false],
  ['*.conf', '.hidden.conf', false],
  ['.*.conf', '.hidden.conf', true],
  ['?s.conf', 'vs.conf', true],
  ['?s.conf', 'rvs.conf', false],
  ['[a-c]*', 'b1', true],
  ['[a-c]*', 'd1', false],
  ['[!a-c]*', 'd1', true],
  ['[^a-c]*', 'a1', false],
  ['\\*', '*', true],
  ['\\*', 'x', false],
  ['[z-a]', 'q', false],
  ['a[', 'a[', true],
];

for (const [pattern, name, expected] of matchCases) {
  test(`segmentMatcher ${pattern} ${expected ? 'matches' : 'does not match'} ${name}`, (t) => {
    t.is(segmentMatcher(pattern)(name), expected);
  });
}

test('hasGlobMagic ignores escaped characters', (t) => {
  t.deepEqual(['a*', 'a?', 'a[1]', 'a\\*', 'plain'].map(hasGlobMagic), [true, true, true, false, false]);
});

test('the in-memory reader globs across directory levels, files only, sorted by byte order', (t) => {
  const reader = createMemorySourceReader({
    '/k/conf.d/b.conf': '',
    '/k/conf.d/B.conf': '',
    '/k/conf.d/a.conf': '',
    '/k/other.d/c.conf': '',
    '/k/other.d/deeper/d.conf': '',
  });
  t.deepEqual(reader.glob('/k/*.d/*.conf'), ['/k/conf.d/B.conf', '/k/conf.d/a.conf', '/k/conf.d/b.conf', '/k/other.d/c.conf']);
  t.deepEqual(reader.glob('/k/*'), []);
  t.deepEqual(reader.glob('/nowhere/*'), []);
  t.is(reader.read('/k/./conf.d/../conf.d/a.conf'), '');
  t.is(reader.read('/k/conf.d'), undefined);
});

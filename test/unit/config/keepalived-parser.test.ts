import test from 'ava';
import { lexKeepalived } from '../../../config/keepalived/lexer.js';
import { createMemorySourceReader } from '../../../config/keepalived/memory-source-reader.js';
import { parseKeepalivedTokens, type KaStatement } from '../../../config/keepalived/parser.js';

/** `line:keyword args...` with the block's statements nested after it. */
type Shape = string | [string, Shape[]];

function shape(statements: readonly KaStatement[]): Shape[] {
  return statements.map((s) => {
    const head = [`${s.loc.line}:${s.keyword}`, ...s.args.map((a) => a.text)].join(' ');
    return s.block === undefined ? head : [head, shape(s.block)];
  });
}

function parse(text: string) {
  const lexed = lexKeepalived(text, 'k.conf', createMemorySourceReader({}));
  return parseKeepalivedTokens(lexed.tokens);
}

const treeCases: ReadonlyArray<readonly [string, string, Shape[]]> = [
  ['statements without blocks', 'a 1\nb 2 3\nc\n', ['1:a 1', '2:b 2 3', '3:c']],
  [
    'a block opened on the keyword line',
    'global_defs {\n  router_id x\n  notification_email {\n    a@b\n  }\n}\n',
    [['1:global_defs', ['2:router_id x', ['3:notification_email', ['4:a@b']]]]],
  ],
  ['a block opened on the next line, after a blank line', 'vrrp_instance VI_1\n\n{\n  state MASTER\n}\n', [['1:vrrp_instance VI_1', ['4:state MASTER']]]],
  ['a whole block on one line', 'notification_email { a@b c@d }\nnext\n', [['1:notification_email', ['1:a@b c@d']], '2:next']],
  ['statements separated by braces on one line', 'a { b } c { d }\n', [['1:a', ['1:b']], ['1:c', ['1:d']]]],
  ['the closing brace after a value on the same line', 'x {\n  v1\n  v2 }\n', [['1:x', ['2:v1', '3:v2']]]],
  ['an empty block', 'x {}\n', [['1:x', []]]],
];

for (const [title, text, expected] of treeCases) {
  test(`tree: ${title}`, (t) => {
    const r = parse(text);
    t.deepEqual(r.issues, []);
    t.deepEqual(shape(r.statements), expected);
  });
}

test('statements know their keyword token and location', (t) => {
  const [s] = parse('  virtual_server 10.0.0.1 80 {\n}\n').statements;
  t.is(s?.keyword, 'virtual_server');
  t.deepEqual(s?.loc, { file: 'k.conf', line: 1, column: 3 });
  t.deepEqual(
    s?.args.map((a) => [a.text, a.loc.column]),
    [
      ['10.0.0.1', 18],
      ['80', 27],
    ],
  );
});

const errorCases: ReadonlyArray<readonly [string, string, ReadonlyArray<readonly [number, number]>, Shape[]]> = [
  ['an extra "}"', 'a {\n  b\n}\n}\nc\n', [[4, 1]], [['1:a', ['2:b']], '5:c']],
  ['a "{" never closed', 'a 1\nvrrp_instance X {\n  state MASTER\n', [[2, 17]], ['1:a 1', ['2:vrrp_instance X', ['3:state MASTER']]]],
  [
    'two blocks never closed, reported outermost first',
    'a {\n b {\n  c\n',
    [
      [1, 3],
      [2, 4],
    ],
    [['1:a', [['2:b', ['3:c']]]]],
  ],
  ['a "{" without a keyword keeps its contents in the enclosing block', 'a {\n}\n{\n b\n}\nc\n', [[3, 1]], [['1:a', []], '4:b', '6:c']],
  ['a "}" as the first line', '}\na\n', [[1, 1]], ['2:a']],
];

for (const [title, text, at, expected] of errorCases) {
  test(`unbalanced braces are syntax errors at their line: ${title}`, (t) => {
    const r = parse(text);
    t.deepEqual(
      r.issues.map((i) => [i.line, i.column]),
      at.map(([l, c]) => [l, c]),
    );
    t.true(r.issues.every((i) => i.code === 'syntax' && i.severity === 'error' && i.file === 'k.conf'));
    t.deepEqual(shape(r.statements), expected);
  });
}

test('deep nesting is parsed without recursion: one error per unclosed brace', (t) => {
  const depth = 20_000;
  const r = parse('x {\n'.repeat(depth));
  t.is(r.issues.length, depth);
  t.is(r.issues[depth - 1]?.line, depth);
});

import test from 'ava';
import type { ConfigIssue } from '../../../config/issues.js';
import { lexKeepalived, MAX_INCLUDE_DEPTH, type KaToken, type LexOptions } from '../../../config/keepalived/lexer.js';
import { createMemorySourceReader } from '../../../config/keepalived/memory-source-reader.js';

interface Line {
  readonly file: string;
  readonly line: number;
  readonly words: string[];
}

/** Tokens grouped into logical lines; braces appear as "{" and "}". */
function linesOf(tokens: readonly KaToken[]): Line[] {
  const out: Line[] = [];
  let words: string[] = [];
  let first: KaToken | undefined;
  for (const t of tokens) {
    if (t.kind === 'eol') {
      if (first !== undefined) out.push({ file: first.loc.file, line: first.loc.line, words });
      words = [];
      first = undefined;
      continue;
    }
    first ??= t;
    words.push(t.text);
  }
  return out;
}

function lex(text: string, files: Record<string, string> = {}, options: LexOptions = {}, main = '/etc/keepalived/keepalived.conf') {
  const result = lexKeepalived(text, main, createMemorySourceReader(files), options);
  return { ...result, lines: linesOf(result.tokens), words: linesOf(result.tokens).map((l) => l.words) };
}

const brief = (i: ConfigIssue): string => `${i.file}:${i.line} ${i.severity} ${i.code}`;

const wordCases: ReadonlyArray<readonly [string, string, string[][]]> = [
  ['# comment to the end of line', 'a b # c d\n# whole line\n', [['a', 'b']]],
  ['! comment to the end of line', 'a ! b\n! whole line\n', [['a']]],
  ['comment characters inside double quotes are text', 'notify "/bin/echo #1 !2"', [['notify', '/bin/echo #1 !2']]],
  ['escaped comment characters are text', 'a \\# b \\!c', [['a', '#', 'b', '!c']]],
  ['double-quoted string with spaces is one word', 'notify_master "/usr/bin/x a b" root', [['notify_master', '/usr/bin/x a b', 'root']]],
  ['single-quoted string with spaces is one word', "misc_path '/bin/check a'", [['misc_path', '/bin/check a']]],
  ['quoted and unquoted parts that touch form one word (man page)', 'abcd" efg h jkl "mnop', [['abcd efg h jkl mnop']]],
  ['separate quoted string makes three words (man page)', 'abcd "efg h jkl" mnop', [['abcd', 'efg h jkl', 'mnop']]],
  ['escapes in quotes', '"a\\tb\\x41\\101\\\\\\"q"', [['a\tbAA\\"q']]],
  ['control escape', '"\\cA"', [['\x01']]],
  ['empty quoted string is an empty word', 'x ""', [['x', '']]],
  ['braces are words of their own', 'vrrp_instance VI_1{\n state MASTER }', [['vrrp_instance', 'VI_1', '{'], ['state', 'MASTER', '}']]],
  ['braces inside quotes are text', 'script "a { b }"', [['script', 'a { b }']]],
  ['tabs and CRLF line ends', '\tpriority\t100\r\n', [['priority', '100']]],
  ['blank lines produce nothing', '\n\n   \n\t\n', []],
];

for (const [title, text, expected] of wordCases) {
  test(`words: ${title}`, (t) => {
    const r = lex(text);
    t.deepEqual(r.issues, []);
    t.deepEqual(r.words, expected);
  });
}

test('tokens carry file, line and column', (t) => {
  const r = lex('global_defs {\n\trouter_id  lvs1\n}\n');
  const at = r.tokens.filter((k) => k.kind !== 'eol').map((k) => `${k.text}@${k.loc.line}:${k.loc.column}`);
  t.deepEqual(at, ['global_defs@1:1', '{@1:13', 'router_id@2:2', 'lvs1@2:13', '}@3:1']);
  t.true(r.tokens.every((k) => k.loc.file === '/etc/keepalived/keepalived.conf'));
});

test('quoted words are marked and keep their raw text', (t) => {
  const [keyword, value] = lex('notify "a b"').tokens;
  t.false(keyword?.isQuoted);
  t.true(value?.isQuoted);
  t.is(value?.raw, '"a b"');
});

const syntaxErrorCases: ReadonlyArray<readonly [string, string, number, number]> = [
  ['unterminated double quote', 'a\nnotify "abc\n', 2, 8],
  ['unterminated single quote', "a\n\nmisc_path 'abc", 3, 11],
  ['backslash continuing an ordinary line', 'a \\\nb', 1, 2],
];

for (const [title, text, line, column] of syntaxErrorCases) {
  test(`syntax error with its line: ${title}`, (t) => {
    const r = lex(text);
    t.deepEqual(
      r.issues.map((i) => [i.line, i.column, i.code, i.severity]),
      [[line, column, 'syntax', 'error']],
    );
    t.false(r.lines.some((l) => l.line === line), 'the faulty line yields no tokens');
  });
}

// keepalived.conf(5): "@id" lines are kept only when id is the config id, "@^id" only when it is not.
const conditionalText = '@main router_id main_router\n@backup router_id backup_router\n@^main peer 1.2.3.4\n@^backup peer 1.2.3.5\nalways here\n';
const conditionalCases: ReadonlyArray<readonly [string | undefined, string[][]]> = [
  [undefined, [['peer', '1.2.3.4'], ['peer', '1.2.3.5'], ['always', 'here']]],
  ['main', [['router_id', 'main_router'], ['peer', '1.2.3.5'], ['always', 'here']]],
  ['backup', [['router_id', 'backup_router'], ['peer', '1.2.3.4'], ['always', 'here']]],
  ['other', [['peer', '1.2.3.4'], ['peer', '1.2.3.5'], ['always', 'here']]],
];

for (const [configId, expected] of conditionalCases) {
  test(`conditional lines with config id ${configId ?? '(none)'}`, (t) => {
    const r = lex(conditionalText, {}, configId === undefined ? {} : { configId });
    t.deepEqual(r.issues, []);
    t.deepEqual(r.words, expected);
  });
}

test('a conditional line keeps the columns of the words after the id', (t) => {
  const r = lex('  @main   router_id x', {}, { configId: 'main' });
  t.deepEqual(r.tokens[0]?.loc, { file: '/etc/keepalived/keepalived.conf', line: 1, column: 11 });
});

const substitutionCases: ReadonlyArray<readonly [string, string, string[][]]> = [
  ['$NAME followed by whitespace', '$PRIO=240\npriority $PRIO\n', [['priority', '240']]],
  ['${NAME} inside a word', '$NET=10.0\naddress ${NET}.0.1/24\n', [['address', '10.0.0.1/24']]],
  ['undefined parameters are left as written', '$A=1\nscript "echo $HOME ${UNDEF}"\n', [['script', 'echo $HOME ${UNDEF}']]],
  [
    'replacement is recursive and done when used (man page)',
    '$ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}\n$ADDRESS_BASE_SUB=0\n${ADDRESS_BASE}.100/32\n$ADDRESS_BASE_SUB=10\n${ADDRESS_BASE}.100/32\n',
    [['10.2.0.100/32'], ['10.2.10.100/32']],
  ],
  ['a definition under a condition (man page)', '@main $PRIORITY=240\n@^main $PRIORITY=200\npriority $PRIORITY\n', [['priority', '200']]],
  ['a value that is a conditional line (man page)', '$IF_MAIN=@main\n$IF_MAIN priority 240\n', []],
  ['empty value', '$ALPHA=\nvirtual_server x { $ALPHA }\n', [['virtual_server', 'x', '{', '}']]],
  ['a value may contain braces', '$OPEN={\nblock $OPEN\n', [['block', '{']]],
  ['${_PWD} is the directory of the file', 'script "${_PWD}/check.sh"\n', [['script', '/etc/keepalived/check.sh']]],
  ['${_HASH} and ${_BANG} are literal # and !', 'x ${_HASH}1${_BANG}\n', [['x', '#1!']]],
  [
    'multi-line definition expanded where used alone on a line (man page)',
    '$RS= \\\n  real_server 10.0.0.${N} 80 { \\\n\n    weight 1 \\\n  }\n$N=1\n$RS\n$N=2\n$RS\n',
    [['real_server', '10.0.0.1', '80', '{'], ['weight', '1'], ['}'], ['real_server', '10.0.0.2', '80', '{'], ['weight', '1'], ['}']],
  ],
];

for (const [title, text, expected] of substitutionCases) {
  test(`parameters: ${title}`, (t) => {
    const r = lex(text);
    t.deepEqual(r.issues, []);
    t.deepEqual(r.words, expected);
  });
}

test('parameters: ${_INSTANCE} is the config id', (t) => {
  t.deepEqual(lex('router_id ${_INSTANCE}', {}, { configId: 'lvs-a' }).words, [['router_id', 'lvs-a']]);
});

test('parameters: a substituted word is located at the $ that produced it', (t) => {
  const r = lex('$V=value\n  key   $V\n');
  t.deepEqual(
    r.tokens.filter((k) => k.kind === 'word').map((k) => [k.text, k.loc.line, k.loc.column]),
    [
      ['key', 2, 3],
      ['value', 2, 9],
    ],
  );
});

test('parameters: expanded multi-line definitions are located at the line that uses them', (t) => {
  const r = lex('$B= \\\na 1 \\\nb 2\n\n\nuse_here\n$B\n');
  t.deepEqual(
    r.lines.map((l) => [l.words[0], l.line]),
    [
      ['use_here', 6],
      ['a', 7],
      ['b', 7],
    ],
  );
});

const warningCases: ReadonlyArray<readonly [string, string, number, string, string[][]]> = [
  ['~SEQ block', 'a\n~SEQ(SUBNET, 0, 3) ip_address 10.0.${SUBNET}.1\nb\n', 2, '~SEQ', [['a'], ['b']]],
  ['~SEQx block', '~SEQx(S, 0x90, 0x10, 0xc0) fe80::${S}\n', 1, '~SEQx', []],
  ['~LST block', 'x\n\n~LST(IP, 1, 2) 192.168.${IP}.1\n', 3, '~LST', [['x']]],
  ['${_RANDOM}', '\nweight ${_RANDOM 1 10}\n', 2, '_RANDOM', [['weight', '${_RANDOM 1 10}']]],
  ['${_INSTANCE} without a config id', 'router_id ${_INSTANCE}\n', 1, '_INSTANCE', [['router_id', '${_INSTANCE}']]],
];

for (const [title, text, line, feature, expected] of warningCases) {
  test(`unsupported config-language feature gives a warning with its line: ${title}`, (t) => {
    const r = lex(text);
    t.deepEqual(
      r.issues.map((i) => [i.line, i.code, i.severity]),
      [[line, 'unsupported-keyword', 'warning']],
    );
    t.true(r.issues[0]?.message.includes(feature));
    t.deepEqual(r.words, expected);
  });
}

test('parameters: a definition that uses itself is an error, not a hang', (t) => {
  const r = lex('$A=x${A}\nkey $A\nnext\n');
  t.deepEqual(r.issues.map(brief), ['/etc/keepalived/keepalived.conf:2 error syntax']);
  t.deepEqual(r.words, [['next']]);
});

test('parameters: a multi-line definition that uses itself stops at the nesting bound, reported once', (t) => {
  const r = lex('$M= \\\n$M \\\n$M \\\nx\n$M\n');
  t.true(r.issues.every((i) => brief(i) === '/etc/keepalived/keepalived.conf:5 error syntax'));
  t.is(r.issues.filter((i) => i.message.includes('nested more than')).length, 1);
});

const confDir = '/etc/keepalived';

test('include: relative to the including file, spliced in place, with the included file named in locations', (t) => {
  const r = lex('a\ninclude conf.d/mail.conf\nb\n', {
    [`${confDir}/conf.d/mail.conf`]: 'smtp_server 10.0.0.1\ninclude ../common/x.conf\n',
    [`${confDir}/common/x.conf`]: 'x 1\n',
  });
  t.deepEqual(r.issues, []);
  t.deepEqual(
    r.lines.map((l) => [l.file, l.line, ...l.words]),
    [
      [`${confDir}/keepalived.conf`, 1, 'a'],
      [`${confDir}/conf.d/mail.conf`, 1, 'smtp_server', '10.0.0.1'],
      [`${confDir}/common/x.conf`, 1, 'x', '1'],
      [`${confDir}/keepalived.conf`, 3, 'b'],
    ],
  );
  t.deepEqual(r.files, [`${confDir}/keepalived.conf`, `${confDir}/conf.d/mail.conf`, `${confDir}/common/x.conf`]);
});

test('include: a glob reads matching files in sorted order, without hidden files', (t) => {
  const r = lex('include /etc/keepalived/conf.d/*.conf\n', {
    [`${confDir}/conf.d/20-b.conf`]: 'b',
    [`${confDir}/conf.d/10-a.conf`]: 'a',
    [`${confDir}/conf.d/.hidden.conf`]: 'hidden',
    [`${confDir}/conf.d/notes.txt`]: 'notes',
    [`${confDir}/conf.d/sub/30-c.conf`]: 'nested',
  });
  t.deepEqual(r.issues, []);
  t.deepEqual(r.words, [['a'], ['b']]);
});

test('include: brace alternatives, ? and [..] patterns', (t) => {
  const r = lex('include {vs,rs}-[0-9]?.conf\n', {
    [`${confDir}/vs-10.conf`]: 'vs10',
    [`${confDir}/rs-2x.conf`]: 'rs2x',
    [`${confDir}/rs-x1.conf`]: 'no',
    [`${confDir}/vs-100.conf`]: 'no',
  });
  t.deepEqual(r.issues, []);
  t.deepEqual(r.words, [['vs10'], ['rs2x']]);
});

test('include: a missing file is an include-failed error at the include line', (t) => {
  const r = lex('a\n  include missing.conf\nb\n');
  t.deepEqual(
    r.issues.map((i) => [i.line, i.column, i.code, i.severity]),
    [[2, 11, 'include-failed', 'error']],
  );
  t.true(r.issues[0]?.message.includes('/etc/keepalived/missing.conf'));
  t.deepEqual(r.words, [['a'], ['b']]);
});

test('include: a glob that matches nothing is an include-failed warning', (t) => {
  const r = lex('include conf.d/*.conf\n');
  t.deepEqual(r.issues.map(brief), ['/etc/keepalived/keepalived.conf:1 warning include-failed']);
});

test('include: a loop is an include-failed error naming the chain, and reading goes on', (t) => {
  const r = lex('include a.conf\nend\n', {
    [`${confDir}/a.conf`]: 'in_a\ninclude b.conf\n',
    [`${confDir}/b.conf`]: 'in_b\ninclude ./a.conf\n',
  });
  t.deepEqual(r.issues.map(brief), [`${confDir}/b.conf:2 error include-failed`]);
  t.is(r.issues[0]?.message, `include loop: ${confDir}/a.conf -> ${confDir}/b.conf -> ${confDir}/a.conf`);
  t.deepEqual(r.words, [['in_a'], ['in_b'], ['end']]);
});

test('include: the main file including itself is a loop', (t) => {
  const r = lex('include keepalived.conf\n', {});
  t.deepEqual(r.issues.map(brief), [`${confDir}/keepalived.conf:1 error include-failed`]);
});

test('include: nesting depth is bounded', (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < MAX_INCLUDE_DEPTH + 5; i++) files[`${confDir}/f${i}.conf`] = `level ${i}\ninclude f${i + 1}.conf\n`;
  const r = lex('include f0.conf\n', files);
  t.deepEqual(r.issues.map((i) => [i.code, i.severity]), [['include-failed', 'error']]);
  t.is(r.issues[0]?.file, `${confDir}/f${MAX_INCLUDE_DEPTH - 2}.conf`);
  t.is(r.words.length, MAX_INCLUDE_DEPTH - 1);
});

test('include: parameters defined in an included file are visible after it', (t) => {
  const r = lex('include defs.conf\npriority $PRIO\n', { [`${confDir}/defs.conf`]: '$PRIO=150\n' });
  t.deepEqual(r.words, [['priority', '150']]);
});

test('include: a relative main file name gives relative include paths', (t) => {
  const r = lex('include part.conf\n', { 'conf/part.conf': 'x' }, {}, 'conf/keepalived.conf');
  t.deepEqual(r.issues, []);
  t.deepEqual(r.lines.map((l) => [l.file, ...l.words]), [['conf/part.conf', 'x']]);
});

test('include: takes exactly one pattern', (t) => {
  const r = lex('include a.conf b.conf\n');
  t.deepEqual(r.issues.map(brief), ['/etc/keepalived/keepalived.conf:1 error syntax']);
});

import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConfigIssue } from '../../../config/issues.js';
import { parseKeepalivedConfig } from '../../../config/keepalived/keepalived-source.js';
import { KEEPALIVED_KEYWORDS } from '../../../config/keepalived/keywords.js';
import { createMemorySourceReader } from '../../../config/keepalived/memory-source-reader.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/keepalived/', import.meta.url));

function read(text: string) {
  return parseKeepalivedConfig(text, 'keepalived.conf', createMemorySourceReader({}));
}

const at = (i: ConfigIssue): [number, number, string, string] => [i.line, i.column, i.code, i.severity];

// Golden translations of every supported global_defs keyword: keepalived snippet -> native model data.
const goldenCases: ReadonlyArray<readonly [string, string, unknown]> = [
  ['router_id', 'global_defs {\n  router_id LVS_DEVEL\n}', { global: { routerId: 'LVS_DEVEL' } }],
  ['quoted router_id', 'global_defs {\n  router_id "lvs-1"\n}', { global: { routerId: 'lvs-1' } }],
  [
    'notification_email, one address per line',
    'global_defs {\n  notification_email {\n    ops@example.com\n    noc@example.com\n  }\n}',
    { global: { notification: { email: ['ops@example.com', 'noc@example.com'] } } },
  ],
  [
    'notification_email on one line, and a second block adding to the first',
    'global_defs {\n  notification_email { a@x b@x }\n  notification_email {\n c@x\n }\n}',
    { global: { notification: { email: ['a@x', 'b@x', 'c@x'] } } },
  ],
  ['notification_email_from', 'global_defs {\n  notification_email_from lvs@example.com\n}', { global: { notification: { from: 'lvs@example.com' } } }],
  ['smtp_server ADDRESS', 'global_defs {\n  smtp_server 192.168.200.1\n}', { global: { notification: { smtpServer: '192.168.200.1' } } }],
  ['smtp_server ADDRESS PORT', 'global_defs {\n  smtp_server mail.example.com 587\n}', { global: { notification: { smtpServer: 'mail.example.com', smtpPort: 587 } } }],
  ['smtp_helo_name', 'global_defs {\n  smtp_helo_name lvs1.example.com\n}', { global: { notification: { smtpHeloName: 'lvs1.example.com' } } }],
  ['smtp_connect_timeout in seconds', 'global_defs {\n  smtp_connect_timeout 30\n}', { global: { notification: { smtpConnectTimeout: '30s' } } }],
  ['smtp_connect_timeout with a fraction and a leading zero', 'global_defs {\n  smtp_connect_timeout 02.5\n}', { global: { notification: { smtpConnectTimeout: '2.5s' } } }],
  ['script_user USER', 'global_defs {\n  script_user keepalived_script\n}', { global: { scripts: { user: 'keepalived_script' } } }],
  ['script_user USER GROUP', 'global_defs {\n  script_user lvs lvsgroup\n}', { global: { scripts: { user: 'lvs', group: 'lvsgroup' } } }],
  ['enable_script_security', 'global_defs {\n  enable_script_security\n}', { global: { scripts: { isSecurityEnforced: true } } }],
  [
    'everything at once, block opened on the next line',
    'global_defs\n{\n router_id lvs1\n notification_email {\n  ops@example.com\n }\n notification_email_from lvs@example.com\n smtp_server 10.0.0.25 2525\n smtp_helo_name lvs1\n smtp_connect_timeout 10\n script_user lvs adm\n enable_script_security\n}',
    {
      global: {
        routerId: 'lvs1',
        notification: { email: ['ops@example.com'], from: 'lvs@example.com', smtpServer: '10.0.0.25', smtpPort: 2525, smtpHeloName: 'lvs1', smtpConnectTimeout: '10s' },
        scripts: { user: 'lvs', group: 'adm', isSecurityEnforced: true },
      },
    },
  ],
  ['an empty global_defs', 'global_defs {\n}', {}],
  ['an empty file', '', {}],
];

for (const [title, text, expected] of goldenCases) {
  test(`global_defs: ${title}`, (t) => {
    const raw = read(text);
    t.deepEqual(raw.issues, []);
    t.deepEqual(raw.data, expected);
    t.is(raw.syntax, 'keepalived');
  });
}

test('every model path written is located at its keepalived line and column', (t) => {
  const raw = read('! header\nglobal_defs {\n  router_id lvs1\n  notification_email {\n    a@x\n    b@x\n  }\n  smtp_server 10.0.0.1 25\n  script_user lvs\n}\n');
  const where = (path: PropertyKey[]): [number, number] => {
    const loc = raw.locate(path);
    return [loc.line, loc.column];
  };
  t.deepEqual(where(['global']), [2, 1]);
  t.deepEqual(where(['global', 'routerId']), [3, 13]);
  t.deepEqual(where(['global', 'notification', 'email']), [4, 3]);
  t.deepEqual(where(['global', 'notification', 'email', 1]), [6, 5]);
  t.deepEqual(where(['global', 'notification', 'smtpServer']), [8, 15]);
  t.deepEqual(where(['global', 'notification', 'smtpPort']), [8, 24]);
  t.deepEqual(where(['global', 'scripts', 'user']), [9, 15]);
  t.deepEqual(where(['global', 'scripts', 'group']), [9, 15], 'an unset key falls back to the nearest recorded ancestor');
  t.deepEqual(where(['daemon', 'pidFile']), [1, 1], 'a key keepalived cannot set falls back to the file');
});

// Wrong argument counts or shapes of supported keywords: an error at the line, nothing written.
const argumentErrorCases: ReadonlyArray<readonly [string, string, [number, number]]> = [
  ['router_id without a value', 'router_id', [2, 3]],
  ['router_id with two values (reported at the extra one)', 'router_id a b', [2, 15]],
  ['router_id with a block', 'router_id a {\n  }', [2, 3]],
  ['notification_email without a block', 'notification_email a@x', [2, 3]],
  ['notification_email with a value before its block', 'notification_email a@x {\n b@x\n }', [2, 22]],
  ['notification_email_from with two values', 'notification_email_from a@x b@x', [2, 31]],
  ['smtp_server without a value', 'smtp_server', [2, 3]],
  ['smtp_server with three values', 'smtp_server h 25 x', [2, 20]],
  ['smtp_server with a port that is not a number', 'smtp_server h smtp', [2, 17]],
  ['smtp_helo_name without a value', 'smtp_helo_name', [2, 3]],
  ['smtp_connect_timeout with a unit', 'smtp_connect_timeout 30s', [2, 24]],
  ['smtp_connect_timeout negative', 'smtp_connect_timeout -1', [2, 24]],
  ['script_user with three values', 'script_user a b c', [2, 19]],
  ['enable_script_security with a value', 'enable_script_security yes', [2, 26]],
];

for (const [title, line, [errorLine, column]] of argumentErrorCases) {
  test(`argument error: ${title}`, (t) => {
    const raw = read(`global_defs {\n  ${line}\n}\n`);
    t.deepEqual(raw.issues.map(at), [[errorLine, column, 'invalid-value', 'error']]);
    t.true(raw.issues[0]?.path.startsWith('global_defs.'));
    t.deepEqual(raw.data, {});
  });
}

test('a value given twice: the last wins, as in keepalived, with a conflict warning at the second line', (t) => {
  const raw = read('global_defs {\n  router_id first\n  router_id second\n}\n');
  t.deepEqual(raw.data, { global: { routerId: 'second' } });
  t.deepEqual(raw.issues.map(at), [[3, 13, 'conflict', 'warning']]);
  t.regex(raw.issues[0]?.message ?? '', /line 2/);
});

test('unsupported keywords: one warning per occurrence, nested ones included, items of value blocks not', (t) => {
  const raw = read(
    [
      'global_defs {',
      '  router_id lvs1',
      '  vrrp_strict',
      '}',
      'bfd_instance peer {',
      '  neighbor_ip 192.0.2.2',
      '}',
      'garp_group {',
      '  garp_interval 0.001',
      '  interfaces {',
      '    eth0',
      '    eth1',
      '  }',
      '}',
      'virtual_server 10.0.0.1 80 {',
      '  real_server 10.0.1.1 80 {',
      '    BFD_CHECK {',
      '      name peer',
      '      weight 1',
      '    }',
      '    smtp_alert',
      '  }',
      '}',
    ].join('\n'),
  );
  t.deepEqual(raw.data, {
    global: { routerId: 'lvs1' },
    ipvs: { virtualServers: [{ address: '10.0.0.1', port: 80, realServers: [{ address: '10.0.1.1', port: 80 }] }] },
  });
  t.true(raw.issues.every((i) => i.code === 'unsupported-keyword' && i.severity === 'warning'));
  t.deepEqual(
    raw.issues.map((i) => [i.line, i.path]),
    [
      [3, 'global_defs.vrrp_strict'],
      [5, 'bfd_instance'],
      [6, 'bfd_instance.neighbor_ip'],
      [8, 'garp_group'],
      [9, 'garp_group.garp_interval'],
      [10, 'garp_group.interfaces'],
      [17, 'virtual_server.real_server.BFD_CHECK'],
      [18, 'virtual_server.real_server.BFD_CHECK.name'],
      [19, 'virtual_server.real_server.BFD_CHECK.weight'],
      [21, 'virtual_server.real_server.smtp_alert'],
    ],
  );
  t.is(raw.issues[1]?.message, 'keepalived keyword "bfd_instance" is not supported yet; ignored');
});

const unknownCases: ReadonlyArray<readonly [string, string, number, RegExp]> = [
  ['a typo inside global_defs, with a suggestion', 'global_defs {\n  routr_id x\n}', 2, /unknown keepalived keyword "routr_id" inside "global_defs".*did you mean "router_id"/],
  ['a typo at the top level', 'vrrp_instanse VI_1 {\n  state MASTER\n}', 1, /did you mean "vrrp_instance"/],
  ['a keyword in the wrong block', 'router_id lvs1', 1, /"router_id" does not belong at the top level/],
  ['a typo inside a block', 'vrrp_instance VI_1 {\n  priorty 100\n}', 2, /"priorty" inside "vrrp_instance".*did you mean "priority"/],
  ['keywords are case-sensitive', 'virtual_server 10.0.0.1 80 {\n real_server 10.0.1.1 80 {\n  tcp_check {\n  }\n }\n}', 3, /"tcp_check"/],
];

for (const [title, text, line, message] of unknownCases) {
  test(`unknown keyword warning: ${title}`, (t) => {
    const raw = read(text);
    const unknown = raw.issues.filter((i) => i.code === 'unknown-keyword');
    t.deepEqual(
      unknown.map((i) => [i.line, i.severity]),
      [[line, 'warning']],
    );
    t.regex(unknown[0]?.message ?? '', message);
  });
}

test('an unknown block is reported once, not its contents', (t) => {
  const raw = read('my_block {\n  a 1\n  b {\n    c\n  }\n}\n');
  t.deepEqual(raw.issues.map(at), [[1, 1, 'unknown-keyword', 'warning']]);
});

test('the keyword tree knows every keyword of a hand-written configuration using all sections', (t) => {
  const file = `${FIXTURES}all-sections.conf`;
  const raw = parseKeepalivedConfig(readFileSync(file, 'utf8'), file, createMemorySourceReader({}));
  t.deepEqual(
    raw.issues.filter((i) => i.code !== 'unsupported-keyword').map((i) => `${i.line}: ${i.message}`),
    [],
  );
  // The fixture marks with "# kw" each line whose first word is a keyword (not a value of a list block).
  const keywordLines = readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l, i) => (l.includes('# kw') ? [i + 1] : []));
  t.deepEqual(
    raw.issues.map((i) => i.line),
    keywordLines,
  );
});

test('the root keyword table holds the top-level blocks of keepalived.conf(5)', (t) => {
  const blocks = ['global_defs', 'vrrp_instance', 'vrrp_sync_group', 'vrrp_script', 'track_file', 'vrrp_track_file', 'track_process', 'vrrp_track_process', 'bfd_instance', 'virtual_server', 'garp_group', 'track_group', 'SSL'];
  t.deepEqual(
    blocks.filter((b) => KEEPALIVED_KEYWORDS.get(b)?.kind !== 'block'),
    [],
  );
  const lists = ['static_ipaddress', 'static_routes', 'static_rules', 'linkbeat_interfaces', 'virtual_server_group', 'interface_up_down_delays'];
  t.deepEqual(
    lists.filter((b) => KEEPALIVED_KEYWORDS.get(b)?.kind !== 'list'),
    [],
  );
});

import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConfigIssue } from '../../../config/issues.js';
import { createFsSourceReader } from '../../../config/keepalived/fs-source-reader.js';
import { looksLikeKeepalived, parseKeepalivedConfig } from '../../../config/keepalived/keepalived-source.js';
import { createMemorySourceReader } from '../../../config/keepalived/memory-source-reader.js';
import { validateConfig } from '../../../config/validate.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/keepalived/', import.meta.url));

function validate(text: string, files: Record<string, string> = {}, configId?: string) {
  const raw = parseKeepalivedConfig(text, '/etc/keepalived/keepalived.conf', createMemorySourceReader(files), configId === undefined ? {} : { configId });
  return validateConfig(raw);
}

const where = (i: ConfigIssue): [string, number, number, string, string, string] => [i.file, i.line, i.column, i.path, i.code, i.severity];
const MAIN = '/etc/keepalived/keepalived.conf';

test('a valid keepalived.conf validates into the native model with defaults filled in', (t) => {
  const result = validate(
    'global_defs {\n  router_id lvs1\n  notification_email {\n    ops@example.com\n  }\n  notification_email_from lvs@example.com\n  smtp_server 192.0.2.25\n  script_user lvs\n  enable_script_security\n}\n',
  );
  t.deepEqual(result.issues, []);
  t.deepEqual(result.config?.global, {
    routerId: 'lvs1',
    notification: { email: ['ops@example.com'], from: 'lvs@example.com', smtpServer: '192.0.2.25', smtpPort: 25, smtpConnectTimeout: 30_000 },
    scripts: { user: 'lvs', isSecurityEnforced: true },
  });
});

// Validation errors from the one schema, reported at the keepalived line that set the value.
const validationCases: ReadonlyArray<readonly [string, string, ReturnType<typeof where>]> = [
  ['an invalid router_id', 'global_defs {\n  notification_email_from a@b\n  router_id "bad id!"\n}', [MAIN, 3, 13, 'global.routerId', 'invalid-value', 'error']],
  ['an smtp port out of range', 'global_defs {\n  smtp_server 192.0.2.25 70000\n}', [MAIN, 2, 26, 'global.notification.smtpPort', 'invalid-value', 'error']],
  ['a notification address that is not a mail address', 'global_defs {\n  smtp_server h\n  notification_email_from a@b\n  notification_email {\n    ok@example.com\n    ops@@example.com\n  }\n}', [MAIN, 6, 5, 'global.notification.email[1]', 'invalid-value', 'error']],
  ['an invalid helo name', 'global_defs {\n  smtp_helo_name "two words"\n}', [MAIN, 2, 18, 'global.notification.smtpHeloName', 'invalid-value', 'error']],
  ['an invalid script user', 'global_defs {\n  script_user 0day\n}', [MAIN, 2, 15, 'global.scripts.user', 'invalid-value', 'error']],
  ['a cross-field rule (addresses without an smtp server)', 'global_defs {\n  notification_email_from a@b\n  notification_email {\n    ops@example.com\n  }\n}', [MAIN, 3, 3, 'global.notification.email', 'conflict', 'warning']],
];

for (const [title, text, expected] of validationCases) {
  test(`validateConfig reports at the keepalived line: ${title}`, (t) => {
    const result = validate(text);
    t.deepEqual(result.issues.map(where), [expected]);
    t.is(result.config === undefined, expected[5] === 'error');
  });
}

test('validation errors inside an included file name that file and line', (t) => {
  const result = validate('global_defs {\n  include mail.conf\n}\n', { '/etc/keepalived/mail.conf': '\n\nsmtp_server 192.0.2.25 0\n' });
  t.deepEqual(result.issues.map(where), [['/etc/keepalived/mail.conf', 3, 24, 'global.notification.smtpPort', 'invalid-value', 'error']]);
});

test('unsupported keywords are warnings: the config is still valid', (t) => {
  const result = validate('global_defs {\n  router_id lvs1\n}\nbfd_instance peer {\n  neighbor_ip 192.0.2.2\n}\n');
  t.is(result.config?.global.routerId, 'lvs1');
  t.deepEqual(
    result.issues.map((i) => [i.line, i.code, i.severity]),
    [
      [4, 'unsupported-keyword', 'warning'],
      [5, 'unsupported-keyword', 'warning'],
    ],
  );
});

test('a syntax error rejects the config and skips schema validation', (t) => {
  const result = validate('global_defs {\n  router_id "bad id!"\n');
  t.is(result.config, undefined);
  t.deepEqual(
    result.issues.map((i) => [i.line, i.code]),
    [[1, 'syntax']],
  );
});

test('an argument error rejects the config', (t) => {
  const result = validate('global_defs {\n  router_id a b\n}\n');
  t.is(result.config, undefined);
  t.deepEqual(result.issues.map((i) => [i.line, i.column, i.code, i.severity]), [[2, 15, 'invalid-value', 'error']]);
});

test('the config id option selects conditional lines', (t) => {
  const text = 'global_defs {\n  @lvs-a router_id lvs-a\n  @lvs-b router_id lvs-b\n}\n';
  t.is(validate(text, {}, 'lvs-b').config?.global.routerId, 'lvs-b');
  t.is(validate(text).config?.global.routerId, undefined);
});

test('fs reader: includes relative to the file, globs sorted without hidden or non-matching files, brace alternatives', (t) => {
  const file = `${FIXTURES}include/keepalived.conf`;
  const result = validateConfig(parseKeepalivedConfig(readFileSync(file, 'utf8'), file, createFsSourceReader()));
  t.deepEqual(result.issues.map(where), [
    [`${FIXTURES}include/keepalived.conf`, 7, 9, '', 'include-failed', 'warning'],
    [`${FIXTURES}include/mail/helo.conf`, 2, 24, 'global_defs.smtp_connect_timeout', 'invalid-value', 'error'],
  ]);
  const raw = parseKeepalivedConfig(readFileSync(file, 'utf8'), file, createFsSourceReader());
  t.deepEqual(raw.data, {
    global: {
      routerId: 'lvs-fixture',
      notification: { email: ['ops@example.com'], smtpServer: '192.0.2.25', smtpPort: 2525, from: 'lvs@example.com', smtpHeloName: 'lvs-fixture' },
    },
  });
});

test('fs reader: an include loop is reported at the include that closes it', (t) => {
  const file = `${FIXTURES}loop/a.conf`;
  const raw = parseKeepalivedConfig(readFileSync(file, 'utf8'), file, createFsSourceReader());
  t.deepEqual(raw.issues.map(where), [[`${FIXTURES}loop/b.conf`, 2, 9, '', 'include-failed', 'error']]);
  t.deepEqual(raw.data, { global: { routerId: 'loop-b' } });
});

test('fs reader: a missing include is an include-failed error', (t) => {
  const raw = parseKeepalivedConfig('include no-such-file.conf\n', `${FIXTURES}inline.conf`, createFsSourceReader());
  t.deepEqual(raw.issues.map(where), [[`${FIXTURES}inline.conf`, 1, 9, '', 'include-failed', 'error']]);
});

const detectionCases: ReadonlyArray<readonly [string, string, boolean]> = [
  ['typical YAML', 'global:\n  routerId: x\n', false],
  ['YAML with a comment first', '# lvsd config\nversion: 1\nglobal:\n  routerId: x\n', false],
  ['YAML document marker', '---\nglobal: {}\n', false],
  ['YAML list', '- a\n- b\n', false],
  ['YAML flow mapping', '{ global: { routerId: x } }\n', false],
  ['YAML key named like a keepalived block', 'global_defs:\n  router_id: x\n', false],
  ['empty text', '', false],
  ['comments only', '# nothing\n! here\n', false],
  ['global_defs block', '! Configuration File for keepalived\n\nglobal_defs {\n', true],
  ['block opened on the next line', 'vrrp_instance VI_1\n{\n', true],
  ['a top-level keyword without a block', 'net_namespace blue\n', true],
  ['unknown word followed by a block', 'my_block name {\n}\n', true],
  ['include first', 'include /etc/keepalived/conf.d/*.conf\n', true],
  ['conditional line first', '# Run keepalived with -i\n@high net_namespace high\n', true],
  ['definition first', '$PRIO=100\n', true],
  ['~SEQ first', '~SEQ(N, 1, 3) x\n', true],
];

for (const [title, text, expected] of detectionCases) {
  test(`looksLikeKeepalived: ${title} -> ${expected}`, (t) => {
    t.is(looksLikeKeepalived(text), expected);
  });
}

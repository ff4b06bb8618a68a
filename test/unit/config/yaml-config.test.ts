import test from 'ava';
import { parseYamlConfig } from '../../../config/yaml-source.js';
import { validateConfig, closestKey } from '../../../config/validate.js';
import { formatIssue, toStrict } from '../../../config/issues.js';
import { formatDurationMs, parseDurationMs } from '../../../config/schema.js';

const check = (text: string) => validateConfig(parseYamlConfig(text, 'lvsd.yaml'));

test('an empty file is a valid config with every default', (t) => {
  const r = check('');
  t.deepEqual(r.issues, []);
  t.deepEqual(r.config, {
    version: 1,
    global: { notification: { email: [], smtpPort: 25, smtpConnectTimeout: 30_000 }, scripts: { isSecurityEnforced: false } },
    daemon: { pidFile: '/run/lvsd/lvsd.pid', controlSocket: '/run/lvsd/lvsd.sock', stateDir: '/var/lib/lvsd', stopTimeout: 10_000 },
    log: { level: 'info', format: 'auto' },
    vrrp: { defaults: { version: 2, garp: {} }, instances: [], scripts: [], trackFiles: [], syncGroups: [] },
    ipvs: {
      virtualServers: [],
      virtualServerGroups: [],
      drainTimeout: 30_000,
      repairInterval: 10_000,
      sysctls: { expireNodestConn: true, expireQuiescentTemplate: true },
    },
  });
});

test('a full config is read with durations in milliseconds', (t) => {
  const r = check(`version: 1
global:
  routerId: lvs-a
  notification:
    email: [ops@example.com, root@localhost, root]
    from: lvsd@example.com
    smtpServer: 192.0.2.25
    smtpPort: 2525
    smtpConnectTimeout: 1500ms
  scripts: { user: keepalived_script, group: nogroup, isSecurityEnforced: true }
daemon: { controlSocket: /run/lvsd/a.sock, stopTimeout: 2m }
log: { level: debug, format: json, file: /var/log/lvsd.log }
`);
  t.deepEqual(r.issues, []);
  t.is(r.config?.global.routerId, 'lvs-a');
  t.is(r.config?.global.notification.smtpConnectTimeout, 1500);
  t.is(r.config?.daemon.stopTimeout, 120_000);
  t.deepEqual(r.config?.global.notification.email, ['ops@example.com', 'root@localhost', 'root']);
});

// Each row: YAML text, then the exact issue lines expected (file:line:column: severity: message [path]).
const invalid: [string, string, string[]][] = [
  ['unknown key with suggestion', 'global:\n  routerID: a\n', ['lvsd.yaml:2:3: error: unknown key "routerID"; did you mean "routerId"? [global.routerID]']],
  ['unknown top-level key', 'bogus:\n  x: 1\n', ['lvsd.yaml:1:1: error: unknown key "bogus" [bogus]']],
  ['bare number for a duration', 'daemon:\n  stopTimeout: 10\n', ['lvsd.yaml:2:3: error: expected a duration with a unit, such as "250ms", "1s" or "2m" (got 10) [daemon.stopTimeout]']],
  ['bad duration unit', 'daemon:\n  stopTimeout: 10 sec\n', ['lvsd.yaml:2:3: error: "10 sec" is not a duration: write a number and a unit (ms, s, m, h), such as "1s" [daemon.stopTimeout]']],
  ['bad enum', 'log:\n  level: verbose\n', ['lvsd.yaml:2:3: error: Invalid option: expected one of "error"|"warn"|"info"|"debug" (got "verbose") [log.level]']],
  ['relative path', 'daemon:\n  pidFile: lvsd.pid\n', ['lvsd.yaml:2:3: error: expected an absolute path (got "lvsd.pid") [daemon.pidFile]']],
  ['bad mail in a list points at the item', 'global:\n  notification:\n    email:\n      - ops@example.com\n      - ops@@example.com\n', ['lvsd.yaml:5:9: error: expected a mail address such as ops@example.com (got "ops@@example.com") [global.notification.email[1]]']],
  ['port out of range', 'global:\n  notification: { smtpServer: mail, smtpPort: 70000 }\n', ['lvsd.yaml:2:37: error: Too big: expected number to be <=65535 (got 70000) [global.notification.smtpPort]']],
  ['YAML syntax error', 'global:\n  routerId: [a\n', ['lvsd.yaml:3:1: error: Flow sequence in block collection must be sufficiently indented and end with a ]']],
  ['duplicate key', 'log:\n  level: info\n  level: debug\n', ['lvsd.yaml:3:3: error: Map keys must be unique']],
  ['top level is a list', '- a\n- b\n', ['lvsd.yaml:1:1: error: the top level must be a mapping of keys to values']],
  ['cross-field: group without user', 'global:\n  scripts: { group: staff }\n', ['lvsd.yaml:2:14: error: a script group needs a script user [global.scripts.group]']],
];

for (const [name, text, expected] of invalid) {
  test(`invalid: ${name}`, (t) => {
    const r = check(text);
    t.is(r.config, undefined);
    t.deepEqual(r.issues.map(formatIssue), expected);
  });
}

test('every problem is listed, in file order', (t) => {
  const r = check('log:\n  level: loud\nglobal:\n  routerId: "bad id"\n  zzz: 1\n');
  t.deepEqual(r.issues.map((i) => [i.line, i.path]), [[2, 'log.level'], [4, 'global.routerId'], [5, 'global.zzz']]);
});

test('warnings keep the config valid; --strict turns them into errors', (t) => {
  const r = check('global:\n  notification: { email: [ops@example.com] }\n');
  t.truthy(r.config);
  t.deepEqual(r.issues.map((i) => i.severity), ['warning', 'warning']);
  t.true(r.issues.every((i) => i.line === 2));
  t.true(toStrict(r.issues).every((i) => i.severity === 'error'));
});

test('durations parse and format exactly', (t) => {
  t.is(parseDurationMs('250ms'), 250);
  t.is(parseDurationMs('1.5s'), 1500);
  t.is(parseDurationMs('2m'), 120_000);
  t.is(parseDurationMs('1h'), 3_600_000);
  t.is(parseDurationMs('10'), undefined);
  t.is(parseDurationMs('-1s'), undefined);
  t.is(formatDurationMs(1500), '1500ms');
  t.is(formatDurationMs(30_000), '30s');
  t.is(formatDurationMs(120_000), '2m');
});

test('did-you-mean only for near misses', (t) => {
  t.is(closestKey('smtp_server', ['smtpServer', 'smtpPort']), 'smtpServer');
  t.is(closestKey('levle', ['level', 'format']), 'level');
  t.is(closestKey('completelydifferent', ['level', 'format']), undefined);
});

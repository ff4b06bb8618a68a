import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/cli-harness.js';
import { COMMANDS } from '../../../src/cli/registry.js';

async function tempFile(t: { teardown(fn: () => Promise<void>): void }, name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lvsd-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

test('lvsd --help lists every command with an example', async (t) => {
  const r = await runCli(['--help']);
  t.is(r.code, 0);
  for (const c of COMMANDS) {
    t.true(r.stdout.includes(`  ${c.name} `), `help lists ${c.name}`);
    t.true(r.stdout.includes(c.examples[0] ?? '<none>'), `help shows an example of ${c.name}`);
  }
});

for (const c of COMMANDS) {
  test(`lvsd ${c.name} --help shows usage, options and examples`, async (t) => {
    const r = await runCli([...c.name.split(' '), '--help']);
    t.is(r.code, 0);
    t.true(r.stdout.startsWith(`lvsd ${c.name}: `));
    t.true(r.stdout.includes(`Usage: ${c.usage}`));
    t.true(r.stdout.includes('Examples:'));
    t.is(r.stderr, '');
  });
}

const usageErrors: [string[], RegExp][] = [
  [['frobnicate'], /^lvsd: unknown command 'frobnicate'\nRun 'lvsd --help' for usage\.\n$/],
  [['config'], /'config' needs a subcommand: config import/],
  [['check-config'], /check-config: which file\?/],
  [['check-config', '--bogus', 'x'], /check-config: Unknown option '--bogus'/],
  [['check-config', 'a', 'b'], /check-config: unexpected argument 'b'/],
  [['run'], /run: --config FILE is required/],
  [['run', '--config'], /run: Option '-c, --config <value>' argument missing/],
];
for (const [argv, pattern] of usageErrors) {
  test(`usage error: lvsd ${argv.join(' ')}`, async (t) => {
    const r = await runCli(argv);
    t.is(r.code, 2);
    t.regex(r.stderr, pattern);
    t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
  });
}

test('check-config: valid YAML exits 0 with a summary', async (t) => {
  const file = await tempFile(t, 'ok.yaml', 'global:\n  routerId: lvs-a\n');
  const r = await runCli(['check-config', file]);
  t.is(r.code, 0);
  t.is(r.stdout, `${file}: valid yaml config (0 errors, 0 warnings)\n`);
});

test('check-config: invalid YAML exits 1 and lists every problem with its line', async (t) => {
  const file = await tempFile(t, 'bad.yaml', 'global:\n  routerId: "no spaces"\nlog:\n  level: loud\n');
  const r = await runCli(['check-config', file]);
  t.is(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  t.is(lines.length, 3);
  t.true(lines[0]?.startsWith(`${file}:2:3: error: `));
  t.true(lines[1]?.startsWith(`${file}:4:3: error: `));
  t.is(lines[2], `${file}: invalid yaml config (2 errors, 0 warnings)`);
});

test('check-config --strict fails on warnings; --json gives machine-readable issues', async (t) => {
  const file = await tempFile(t, 'warn.yaml', 'global:\n  notification: { email: [ops@example.com] }\n');
  t.is((await runCli(['check-config', file])).code, 0);
  t.is((await runCli(['check-config', '--strict', file])).code, 1);
  const json = await runCli(['check-config', '--json', file]);
  const parsed = JSON.parse(json.stdout) as { isValid: boolean; warnings: number; issues: { line: number }[] };
  t.true(parsed.isValid);
  t.is(parsed.warnings, 2);
  t.deepEqual(parsed.issues.map((i) => i.line), [2, 2]);
});

test('check-config: a missing file is a clear failure, not a crash', async (t) => {
  const r = await runCli(['check-config', '/nonexistent/lvsd.yaml']);
  t.is(r.code, 1);
  t.is(r.stderr, 'lvsd check-config: cannot read config file /nonexistent/lvsd.yaml: ENOENT (ERR_CONFIG_READ)\n');
});

test('run refuses an invalid config and says why', async (t) => {
  const file = await tempFile(t, 'bad.yaml', 'daemon:\n  stopTimeout: 5\n');
  const r = await runCli(['run', '--config', file, '--foreground']);
  t.is(r.code, 1);
  t.regex(r.stderr, /bad\.yaml:2:3: error: expected a duration/);
  t.regex(r.stderr, /lvsd run: refusing to start: 1 error in /);
});

test('config import refuses a file that is lvsd YAML already', async (t) => {
  const file = await tempFile(t, 'x.yaml', 'global:\n  routerId: a\n');
  const r = await runCli(['config', 'import', file]);
  t.is(r.code, 1);
  t.regex(r.stderr, /is not a keepalived\.conf/);
});

test('status without a daemon says where it looked', async (t) => {
  const r = await runCli(['status', '--socket', '/nonexistent/lvsd.sock']);
  t.is(r.code, 1);
  t.regex(r.stderr, /cannot reach lvsd at \/nonexistent\/lvsd\.sock: ENOENT \(is lvsd running\?/);
});

test('version', async (t) => {
  const r = await runCli(['version']);
  t.is(r.code, 0);
  t.regex(r.stdout, /^lvsd \d+\.\d+\.\d+\n$/);
});

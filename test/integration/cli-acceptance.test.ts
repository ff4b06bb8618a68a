/**
 * The foundation issue's acceptance, through the real `lvsd` binary as an operator types it:
 * check-config over every keepalived.conf sample Debian ships, and `lvsd lab` to completion.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KEEPALIVED_SAMPLES, requirePrereqs } from '../support/prereqs.js';

const BIN = fileURLToPath(new URL('../../../bin/lvsd.js', import.meta.url));
const SAMPLES = '/usr/share/doc/keepalived/samples';

function lvsd(args: readonly string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const ISSUE_LINE = /^\/usr\/share\/doc\/keepalived\/samples\/[^:]+:\d+:\d+: (error|warning): .+$/;

const corpus = requirePrereqs([KEEPALIVED_SAMPLES]);
corpus.test('lvsd check-config over every Debian keepalived sample: exit 0 or 1, every problem with its line, no crash', async (t) => {
  const files = readdirSync(SAMPLES).filter((f) => f.startsWith('keepalived.conf.')).sort();
  t.true(files.length >= 10);
  const verdicts: string[] = [];
  for (const name of files) {
    const file = `${SAMPLES}/${name}`;
    const r = await lvsd(['check-config', file], 20_000);
    t.true(r.code === 0 || r.code === 1, `${name}: exit ${r.code}\n${r.stderr}`);
    t.is(r.stderr, '', `${name} wrote to stderr`);
    t.notRegex(r.stdout, /\n\s+at |TypeError|RangeError/, `${name}: stack trace`);
    const lines = r.stdout.trimEnd().split('\n');
    const summary = lines.pop() ?? '';
    t.regex(summary, new RegExp(`^${file.replace(/\./g, '\\.')}: (valid|invalid) keepalived config \\(\\d+ errors?, \\d+ warnings?\\)$`));
    for (const line of lines) t.regex(line, ISSUE_LINE, `${name}: issue without file:line:column`);
    const isValid = summary.includes(': valid ');
    t.is(isValid, r.code === 0);
    if (!isValid) t.true(lines.some((l) => l.includes(': error: ')), `${name} rejected without an error line`);
    verdicts.push(`${name}: ${isValid ? 'accepted' : 'rejected'}, ${lines.length} issue(s)`);
  }
  t.log(verdicts.join('\n'));
});

const lab = requirePrereqs(['root', 'uml', 'ipvsadm', 'ip', 'sysctl']);
lab.test('lvsd lab --directors 3 runs to completion on its own and prints what it did', async (t) => {
  const r = await lvsd(['lab', '--directors', '3'], 200_000);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /^lvsd lab: traffic-through-vip: OK$/m);
  t.regex(r.stdout, /^Timeline$/m);
  for (const step of ['topology-created', 'vip-added', 'ipvs-service-created', 'daemons-started', 'probe-finished', 'daemons-stopped', 'topology-removed']) {
    t.regex(r.stdout, new RegExp(`\\s${step}\\s`), `timeline has ${step}`);
  }
  t.regex(r.stdout, /lvsd director-1, lvsd director-2, lvsd director-3/);
  t.regex(r.stdout, /by server: rs-1 \d+, rs-2 \d+, rs-3 \d+/);
  t.regex(r.stdout, /Teardown: \d+ process\(es\) stopped, 0 namespace\(s\) left/);
});

const shell = requirePrereqs([{ binary: 'head', package: 'coreutils' }]);
shell.test('lvsd piped into head stops quietly (no EPIPE stack trace)', async (t) => {
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    // Many lines of help output; head reads one and closes the pipe.
    const child = spawn('/bin/sh', ['-c', `for i in 1 2 3 4 5 6 7 8; do "${process.execPath}" "${BIN}" check-config --help; done | head -n 1 >/dev/null; "${process.execPath}" "${BIN}" config import ${SAMPLES}/keepalived.conf.vrrp.sync 2>&1 | head -c 1 >/dev/null; echo "status=$?"`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (code) => resolve({ code, stderr: stderr + stdout }));
  });
  t.is(r.code, 0);
  t.notRegex(r.stderr, /EPIPE|Unhandled 'error' event/);
});

import test from 'ava';
import { buildUmlInitScript, hiddenHostDirs, parseUmlConsole, shellQuote, tailLines, type UmlInitSpec } from '../../../src/lab/uml-init-script.js';

const SPEC: UmlInitSpec = {
  nonce: 'abc123',
  moduleTreeRoot: '/usr/lib/uml/modules',
  modules: ['ip_vs', 'ip_vs_rr', 'veth'],
  cwd: '/work/main',
  env: { LVSD_UML_RESULT: '/var/tmp/lvsd-uml-x/result.json', ODD: "it's $HOME `x`" },
  argv: ['/usr/bin/node', '/work/main/dist/src/lab/scenarios/traffic-through-vip-main.js', '--x', 'a b'],
  stdoutFile: '/var/tmp/lvsd-uml-x/job.stdout',
  stderrFile: '/var/tmp/lvsd-uml-x/job.stderr',
};

function indexOfLine(script: string, needle: string): number {
  const i = script.split('\n').findIndex((l) => l.startsWith(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return i;
}

test('the init script mounts private /proc, /sys, /tmp, /run and the module dir before anything else', (t) => {
  const script = buildUmlInitScript(SPEC);
  t.true(script.startsWith('#!/bin/sh\n'));
  const order = ['mount -t proc', 'mount -t sysfs', 'mount -t tmpfs tmpfs /tmp', 'mount -t tmpfs tmpfs /run', 'mount -t tmpfs modules /usr/lib/modules', 'ln -s', 'modprobe -a', 'ip link set dev lo up', "cd '/work/main'", 'mark "job-start', "'/usr/bin/node'", 'mark "job-end', 'poweroff -f'];
  const positions = order.map((n) => indexOfLine(script, n));
  t.deepEqual(positions, [...positions].sort((a, b) => a - b));
  t.regex(script, /ln -s '\/usr\/lib\/uml\/modules'\/"\$\(uname -r\)" \/usr\/lib\/modules\/"\$\(uname -r\)"/);
  t.true(script.includes("modprobe -a 'ip_vs' 'ip_vs_rr' 'veth' || fail modprobe"));
});

test('the job line quotes every word and redirects stdout/stderr to host-visible files', (t) => {
  const script = buildUmlInitScript(SPEC);
  t.true(
    script.includes(
      "'/usr/bin/node' '/work/main/dist/src/lab/scenarios/traffic-through-vip-main.js' '--x' 'a b' </dev/null >'/var/tmp/lvsd-uml-x/job.stdout' 2>'/var/tmp/lvsd-uml-x/job.stderr'",
    ),
  );
  t.true(script.includes(`export ODD='it'\\''s $HOME \`x\`'`));
  t.true(script.includes("export LVSD_UML_RESULT='/var/tmp/lvsd-uml-x/result.json'"));
  t.true(script.includes('mark "job-end exit=$rc uptime-ms=$(uptime_ms)"'));
});

test('no modprobe line when no module is wanted', (t) => {
  t.false(buildUmlInitScript({ ...SPEC, modules: [] }).includes('modprobe -a'));
});

test('buildUmlInitScript rejects what it cannot quote safely', (t) => {
  t.throws(() => buildUmlInitScript({ ...SPEC, env: { 'BAD-NAME': 'x' } }), { instanceOf: RangeError });
  t.throws(() => buildUmlInitScript({ ...SPEC, nonce: 'x y' }), { instanceOf: RangeError });
  t.throws(() => buildUmlInitScript({ ...SPEC, argv: [] }), { instanceOf: RangeError });
  t.throws(() => buildUmlInitScript({ ...SPEC, modules: ['ip_vs; reboot'] }), { instanceOf: RangeError });
});

test('shellQuote survives single quotes', (t) => {
  t.is(shellQuote("a'b"), `'a'\\''b'`);
  t.is(shellQuote(''), "''");
});

test('parseUmlConsole reads this run\'s markers among kernel messages, ignoring other nonces', (t) => {
  const consoleText = [
    'Linux version 6.1.176',
    '@@lvsd-uml abc123 job-start uptime-ms=2080',
    '@@lvsd-uml zzzzzz job-end exit=0 uptime-ms=1', // a job printing a fake marker without the nonce
    'IPVS: Registered protocols (TCP, UDP, SCTP, AH, ESP)\r',
    '@@lvsd-uml abc123 job-end exit=3 uptime-ms=2970\r',
    'reboot: System halted',
  ].join('\n');
  t.deepEqual(parseUmlConsole(consoleText, 'abc123'), { jobStartUptimeMs: 2080, jobEnd: { exitCode: 3, uptimeMs: 2970 } });
});

test('parseUmlConsole reports a failed init step, and nothing for a crash', (t) => {
  t.deepEqual(parseUmlConsole('@@lvsd-uml abc123 failed step=modprobe\n', 'abc123'), { failedStep: 'modprobe' });
  t.deepEqual(parseUmlConsole('Kernel panic - not syncing\n', 'abc123'), {});
});

test('tailLines keeps the last lines', (t) => {
  t.is(tailLines('a\nb\nc\n\n', 2), 'b\nc');
  t.is(tailLines('a', 5), 'a');
});

test('hiddenHostDirs keeps only dirs under the private mounts, outermost first, without duplicates', (t) => {
  t.deepEqual(hiddenHostDirs(['/work/main', '/tmp/ci/main', '/tmp/ci/main/', '/tmp/ci/main/dist', '/run/x', '/tmpfoo/y', '/dev/shm/z']), [
    '/dev/shm/z',
    '/run/x',
    '/tmp/ci/main',
  ]);
  t.deepEqual(hiddenHostDirs(['/var/tmp/a', '/']), []);
});

test('a cwd under /tmp is mounted back from the host after the private /tmp, before cd', (t) => {
  const script = buildUmlInitScript({ ...SPEC, cwd: '/tmp/ci/main' });
  const lines = script.split('\n');
  const tmpfs = lines.indexOf('mount -t tmpfs tmpfs /tmp || fail mount-tmp');
  const back = lines.indexOf("mkdir -p '/tmp/ci/main' && mount -t hostfs none '/tmp/ci/main' -o '/tmp/ci/main' || fail mount-host-dir");
  const cd = lines.indexOf("cd '/tmp/ci/main' || fail cwd");
  t.true(tmpfs >= 0 && back > tmpfs && cd > back, script);
  t.false(buildUmlInitScript({ ...SPEC, cwd: '/work/main' }).includes('hostfs none'));
  t.throws(() => buildUmlInitScript({ ...SPEC, cwd: '/tmp/a,b' }), { instanceOf: RangeError });
});

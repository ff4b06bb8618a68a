/** restore-file.ts: ipvsadm -R input read line by line, the first bad line named. */
import test from 'ava';
import { NO_NAMES } from '../../../src/ipvsadm/ipvsadm-command.js';
import { parseRestoreInput, restoreLineWords } from '../../../src/ipvsadm/restore-file.js';

test('lines are split on blanks; a leading "ipvsadm" word and blank lines are skipped', (t) => {
  t.deepEqual(restoreLineWords('ipvsadm -A\t-t 192.0.2.1:80\r'), ['-A', '-t', '192.0.2.1:80']);
  t.deepEqual(restoreLineWords('ipvsadm'), []);
  t.deepEqual(restoreLineWords('  '), []);
  t.deepEqual(restoreLineWords('-s "rr"'), ['-s', '"rr"'], 'no quoting, as in ipvsadm');
  const r = parseRestoreInput('\n-A -t 192.0.2.1:80 -s rr\n\nipvsadm -a -t 192.0.2.1:80 -r 192.0.2.8 -m\n', NO_NAMES, 'ipvsadm');
  t.true(r.ok);
  t.deepEqual(r.ok ? r.lines.map((l) => [l.line, l.command.kind]) : [], [
    [2, 'add-service'],
    [4, 'add-destination'],
  ]);
});

test('the first bad line is reported by number with ipvsadm\'s message and exit code', (t) => {
  const file = ['-A -t 192.0.2.1:80', '-A -t 192.0.2.2:80', '-A -t 192.0.2.3:80', '-A -t 192.0.2.4:80', '-A -t 192.0.2.5:80', '-A -t 192.0.2.6:80', '-A -t 192.0.2.7:80 -w 5', '-A -t x'].join('\n');
  t.like(parseRestoreInput(file, NO_NAMES, 'ipvsadm'), { ok: false, line: 7, message: "Illegal 'weight' option with the 'add-service' command", exitCode: 2 });
  t.like(parseRestoreInput('-A -t 192.0.2.1:80\n# comment\n', NO_NAMES, 'ipvsadm'), { ok: false, line: 2, exitCode: 255 }, 'ipvsadm has no comments');
  t.like(parseRestoreInput('-A -t 192.0.2.1:80 -w\n', NO_NAMES, 'ipvsadm'), { ok: false, line: 1, message: '-w: missing argument', exitCode: 255 });
});

test('only table changes: listings, help and a nested -R are refused', (t) => {
  t.like(parseRestoreInput('-L -n\n', NO_NAMES, 'ipvsadm'), { ok: false, line: 1, exitCode: 2 });
  t.like(parseRestoreInput('-h\n', NO_NAMES, 'ipvsadm'), { ok: false, line: 1 });
  t.like(parseRestoreInput('-R\n', NO_NAMES, 'ipvsadm'), { ok: false, line: 1, exitCode: 255 });
  t.true(parseRestoreInput('-C\n-Z\n--set 0 0 0\n--start-daemon master\n--stop-daemon master\n-D -t 192.0.2.1:80\n', NO_NAMES, 'ipvsadm').ok);
});

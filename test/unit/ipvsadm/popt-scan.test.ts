/** popt-scan.ts: libpopt's way of splitting ipvsadm's command line. */
import test from 'ava';
import { scanPopt, type PoptItem } from '../../../src/ipvsadm/popt-scan.js';

const brief = (items: readonly PoptItem[]): string[] =>
  items.map((i) => (i.kind === 'error' ? `!${i.token}: ${i.reason}` : i.value === undefined ? i.id : `${i.id}=${i.value}`));

test('bundled short options, a glued or separate argument', (t) => {
  t.deepEqual(brief(scanPopt(['-Lnt', '192.0.2.1:80']).items), ['list', 'numeric', 'tcp-service=192.0.2.1:80']);
  t.deepEqual(brief(scanPopt(['-Ln', '-t192.0.2.1:80']).items), ['list', 'numeric', 'tcp-service=192.0.2.1:80']);
  t.deepEqual(brief(scanPopt(['-A', '-tn']).items), ['add-service', 'tcp-service=n']);
  t.deepEqual(brief(scanPopt(['-lnc']).items), ['list', 'numeric', 'connection']);
});

test('long options with a separate or "=" argument', (t) => {
  t.deepEqual(brief(scanPopt(['-L', '--tcp-service=192.0.2.1:80', '--numeric']).items), ['list', 'tcp-service=192.0.2.1:80', 'numeric']);
  t.deepEqual(brief(scanPopt(['-a', '--weight=']).items), ['add-server', 'weight=']);
  t.deepEqual(brief(scanPopt(['--start-daemon', 'master']).items), ['start-daemon=master']);
});

test('an optional argument (-p) is taken only when the next word is not an option', (t) => {
  t.deepEqual(brief(scanPopt(['-A', '-p', '100', '-s', 'rr']).items), ['add-service', 'persistent=100', 'scheduler=rr']);
  t.deepEqual(brief(scanPopt(['-A', '-p', '-s', 'rr']).items), ['add-service', 'persistent', 'scheduler=rr']);
  t.deepEqual(brief(scanPopt(['-A', '-p100']).items), ['add-service', 'persistent=100']);
  t.deepEqual(brief(scanPopt(['-A', '--persistent=20']).items), ['add-service', 'persistent=20']);
  t.deepEqual(brief(scanPopt(['-A', '-p']).items), ['add-service', 'persistent']);
});

test('a required argument takes the next word whatever it is', (t) => {
  t.deepEqual(brief(scanPopt(['-A', '-t', '-s', 'rr']).items), ['add-service', 'tcp-service=-s']);
});

test('errors name the whole word and end the scan', (t) => {
  t.deepEqual(brief(scanPopt(['-Lnq', '-t', 'x']).items), ['list', 'numeric', '!-Lnq: unknown option']);
  t.deepEqual(brief(scanPopt(['-A', '--foo', '-t', 'x']).items), ['add-service', '!--foo: unknown option']);
  t.deepEqual(brief(scanPopt(['-a', '-w']).items), ['add-server', '!-w: missing argument']);
  t.deepEqual(brief(scanPopt(['-A', '-p', '-5']).items), ['add-service', 'persistent', '!-5: unknown option']);
  t.deepEqual(brief(scanPopt(['-L', '--numeric=1']).items), ['list', '!--numeric=1: option does not take an argument']);
});

test('words that are not options are kept aside, anywhere; "--" ends the options', (t) => {
  const s = scanPopt(['foo', '-A', '-t', 'x', 'bar', '--', '-p']);
  t.deepEqual(brief(s.items), ['add-service', 'tcp-service=x']);
  t.deepEqual(s.args, ['foo', 'bar', '-p']);
  t.deepEqual(scanPopt(['--set', '1', '2', '3']).args, ['1', '2', '3']);
  t.deepEqual(scanPopt(['-']).args, ['-']);
});

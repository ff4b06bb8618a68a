/**
 * `lvsd realserver setup` on the command line: usage errors are refused before anything is touched,
 * and the outcome is printed one change a line.
 */
import test from 'ava';
import { formatOutcome } from '../../../src/cli/commands/realserver.js';
import { parseIpPrefix } from '../../../src/core/ip.js';
import { runCli } from '../../support/cli-harness.js';

const usageErrors: [string[], RegExp][] = [
  [['realserver', 'setup', '--method', 'dr'], /--vip ADDR is required/],
  [['realserver', 'setup', '--vip', '192.0.2.50'], /--method dr\|tun is required/],
  [['realserver', 'setup', '--vip', '192.0.2.50', '--method', 'nat'], /--method must be dr or tun, not "nat"/],
  [['realserver', 'setup', '--vip', '192.0.2.50/24', '--method', 'dr'], /give the address alone/],
  [['realserver', 'setup', '--vip', '192.0.2.50', '--method', 'dr', 'extra'], /unexpected argument 'extra'/],
  [['realserver'], /'realserver' needs a subcommand: realserver setup/],
];
for (const [argv, pattern] of usageErrors) {
  test(`usage error: lvsd ${argv.join(' ')}`, async (t) => {
    const r = await runCli(argv);
    t.is(r.code, 2);
    t.regex(r.stderr, pattern);
    t.is(r.stdout, '');
  });
}

test('the outcome: a head line, one change a line, the notes, where the state is', (t) => {
  const vip = parseIpPrefix('192.0.2.50/32');
  if (!vip.ok) return t.fail();
  const text = formatOutcome(
    {
      action: 'setup',
      vip: '192.0.2.50',
      isDryRun: false,
      changes: [
        { kind: 'set-sysctl', name: 'net/ipv4/conf/all/arp_ignore', from: '0', to: '1' },
        { kind: 'add-address', device: 'lo', address: vip.value },
      ],
      notes: ['a note'],
    },
    'dr',
    '/run/lvsd/realserver/state.json',
  );
  t.is(
    text,
    [
      '192.0.2.50 (dr, on lo): set up:',
      '  set net.ipv4.conf.all.arp_ignore 0 -> 1',
      '  add 192.0.2.50/32 on lo',
      '  note: a note',
      "state: /run/lvsd/realserver/state.json ('--undo' restores what was changed)",
    ].join('\n'),
  );
  t.is(formatOutcome({ action: 'undo', vip: '192.0.2.50', isDryRun: true, changes: [], notes: [] }, undefined, 'x'), '192.0.2.50: would undo: nothing to change');
});

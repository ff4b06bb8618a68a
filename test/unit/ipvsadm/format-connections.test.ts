/** format-connections.ts on /proc/net/ip_vs_conn lines the UML corpus does not produce. */
import test from 'ava';
import { NUMERIC_NAMES } from '../../../src/ipvsadm/display-names.js';
import { formatConnections, parseConnections } from '../../../src/ipvsadm/format-connections.js';

const HEADER = 'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n';

test('templates, long expiry, SCTP states, engine data only with --persistent-conn', (t) => {
  const text = `${HEADER}IP  C0000201 0000 00000007 0000 C0000232 0000 NONE           6000\nSCTP C0000201 0B3C C0000264 0F1C C0000232 0F1C ESTABLISHED     65\nUDP C0000201 0000 C0000265 13C4 C0000233 13C4 NONE             56 sip abc123@host\n`;
  const parsed = parseConnections(text);
  if (!parsed.ok) return t.fail(parsed.message);
  t.is(
    formatConnections(parsed.entries, false, NUMERIC_NAMES),
    [
      'IPVS connection entries',
      'pro expire state       source             virtual            destination',
      'IP  100:00 NONE        192.0.2.1:0        0.0.0.7:0          192.0.2.50:0',
      'SCTP 01:05  ESTABLISHED 192.0.2.1:2876     192.0.2.100:3868   192.0.2.50:3868',
      'UDP 00:56  NONE        192.0.2.1:0        192.0.2.101:5060   192.0.2.51:5060',
      '',
    ].join('\n'),
  );
  t.is(formatConnections(parsed.entries, true, NUMERIC_NAMES).split('\n')[4], 'UDP 00:56  NONE        192.0.2.1:0        192.0.2.101:5060   192.0.2.51:5060  sip                abc123@host');
});

test('an empty file is an error, a header alone an empty listing', (t) => {
  t.false(parseConnections('').ok);
  t.like(parseConnections(HEADER), { ok: true, entries: [] });
});

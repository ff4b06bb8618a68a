/** etc-services.ts: getservbyname/getservbyport over /etc/services text, first match wins. */
import test from 'ava';
import { parseEtcServices } from '../../../src/ipvsadm/etc-services.js';

const TEXT = ['# comment', 'domain\t\t53/tcp\t\t\t\t# Domain Name Server', 'domain\t\t53/udp', 'http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP', 'www-alt\t\t80/tcp', 'amqp\t\t5672/sctp', 'broken\t\tnope/tcp', ''].join('\n');

test('names, aliases and ports per protocol', (t) => {
  const s = parseEtcServices(TEXT);
  t.is(s.portOf('http', 'tcp'), 80);
  t.is(s.portOf('www', 'tcp'), 80);
  t.is(s.portOf('http', 'udp'), undefined);
  t.is(s.portOf('amqp', 'sctp'), 5672);
  t.is(s.nameOf(80, 'tcp'), 'http', 'the first line for a port wins');
  t.is(s.nameOf(53, 'udp'), 'domain');
  t.is(s.nameOf(0, 'tcp'), undefined);
  t.is(s.portOf('broken', 'tcp'), undefined);
});

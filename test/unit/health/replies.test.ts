import test from 'ava';
import fc from 'fast-check';
import { agentResult } from '../../../health/agent-checker.js';
import { parseAgentReply } from '../../../health/agent-reply.js';
import { checkSpecKey, type CheckSpec } from '../../../health/check-spec.js';
import { judgeFileValue, parseFileValue } from '../../../health/file-checker.js';
import { decodeIcmpV4, decodeIcmpV6, encodeEchoRequest, internetChecksum } from '../../../health/icmp-echo.js';
import { parseSmtpReply } from '../../../health/smtp-reply.js';
import { compilePattern, matchesHexPattern, parseHexPattern } from '../../../health/text-pattern.js';
import { judgeUdpReply } from '../../../health/udp-checker.js';
import { parseIpAddress } from '../../../src/core/ip.js';

test('agent replies: HAProxy words, separators, case and the #reason', (t) => {
  t.deepEqual(parseAgentReply('75%\n'), { weight: { kind: 'percent', value: 75 }, unknownWords: [] });
  t.deepEqual(parseAgentReply('UP, weight:20 maxconn:30\tready'), { weight: { kind: 'absolute', value: 20 }, maxconn: 30, admin: 'ready', operational: 'up', unknownWords: [] });
  t.deepEqual(parseAgentReply('down #disk full'), { operational: 'down', comment: 'disk full', unknownWords: [] });
  t.deepEqual(parseAgentReply('drain weight:50% bogus'), { weight: { kind: 'percent', value: 50 }, admin: 'drain', unknownWords: ['bogus'] });
  t.deepEqual(parseAgentReply(''), { unknownWords: [] });
});

test('agent results: down words fail, up succeeds, a reply without a state is inconclusive', (t) => {
  t.like(agentResult(parseAgentReply('stopped #maintenance window'), 1), { ok: false, reason: 'agent-down', detail: 'agent said "stopped" #maintenance window' });
  t.like(agentResult(parseAgentReply('up 50%'), 1), { ok: true, weight: { kind: 'percent', value: 50 } });
  t.like(agentResult(parseAgentReply('maint'), 1), { ok: true, isInconclusive: true, admin: 'maint' });
  t.like(agentResult(parseAgentReply('what?'), 1), { ok: true, isInconclusive: true });
});

test('SMTP replies: single and multi-line, incomplete, not SMTP', (t) => {
  t.like(parseSmtpReply('220 mail.example.org ESMTP\r\n'), { kind: 'complete', code: 220, text: 'mail.example.org ESMTP', byteLength: 28 });
  t.like(parseSmtpReply('220-first\r\n220-second\r\n220 last\r\n'), { kind: 'complete', code: 220, text: 'first | second | last' });
  t.deepEqual(parseSmtpReply('220-first\r\n220 la'), { kind: 'incomplete' });
  t.deepEqual(parseSmtpReply('SSH-2.0-OpenSSH_9.6\r\n'), { kind: 'malformed', line: 'SSH-2.0-OpenSSH_9.6' });
});

test('hex patterns: X nibbles match anything, length and bit rules', (t) => {
  const p = parseHexPattern('de ad Xf XX');
  if (!p.ok) throw new Error(p.error);
  t.true(matchesHexPattern(Uint8Array.from([0xde, 0xad, 0x3f, 0x00, 0x99]), p.value));
  t.false(matchesHexPattern(Uint8Array.from([0xde, 0xad, 0x3e, 0x00]), p.value));
  t.false(matchesHexPattern(Uint8Array.from([0xde, 0xad, 0x3f]), p.value), 'shorter than the pattern');
  t.like(parseHexPattern('abc'), { ok: false });
  t.like(parseHexPattern('zz'), { ok: false });
  t.like(judgeUdpReply(Uint8Array.from([1, 2]), { minBytes: 3 }), { isMatch: false, reason: 'reply-length' });
  t.like(judgeUdpReply(Uint8Array.from([1, 2]), { pattern: p.value }), { isMatch: false, reason: 'reply-mismatch' });
});

test('text patterns: invalid expressions and stateful flags are refused at creation', (t) => {
  t.true(compilePattern({ source: 'ok', flags: 'i' }).test('OK'));
  t.throws(() => compilePattern({ source: '(' }), { message: /not a valid regular expression/ });
  t.throws(() => compilePattern({ source: 'a', flags: 'g' }), { message: /only i, m, s and u/ });
});

test('FILE_CHECK values: keepalived up/down and weight modes', (t) => {
  t.deepEqual(judgeFileValue(0, { path: 'f' }), { isUp: true });
  t.deepEqual(judgeFileValue(1, { path: 'f' }), { isUp: false });
  t.deepEqual(judgeFileValue(0, { path: 'f', isReversed: true }), { isUp: false });
  t.deepEqual(judgeFileValue(3, { path: 'f', weight: 5 }), { isUp: true, offset: 15 });
  t.deepEqual(judgeFileValue(3, { path: 'f', weight: 5, isReversed: true }), { isUp: true, offset: -15 });
  t.deepEqual(judgeFileValue(-1, { path: 'f', weight: 65535 }), { isUp: false, offset: -65535 });
  t.deepEqual(parseFileValue(' 42\n'), { ok: true, value: 42 });
  t.deepEqual(parseFileValue(''), { ok: true, value: 0 });
  t.deepEqual(parseFileValue('up'), { ok: false });
});

test('ICMP echo: checksum, and replies and errors matched to our request', (t) => {
  const request = encodeEchoRequest(4, { identifier: 0x1234, sequence: 7 }, Buffer.from('abc'));
  t.is(internetChecksum(request), 0, 'a packet with its checksum sums to zero');
  const ipHeader = (protocol: number): Buffer => Buffer.from(`450000000000000040${protocol.toString(16).padStart(2, '0')}0000c0000201c0000202`, 'hex');
  const reply = Buffer.from(request);
  reply[0] = 0;
  t.deepEqual(decodeIcmpV4(Buffer.concat([ipHeader(1), reply])), { kind: 'reply', echo: { identifier: 0x1234, sequence: 7 } });
  const unreachable = Buffer.concat([ipHeader(1), Buffer.from('03010000' + '00000000', 'hex'), ipHeader(1), Buffer.from(request.subarray(0, 8))]);
  t.deepEqual(decodeIcmpV4(unreachable), { kind: 'error', echo: { identifier: 0x1234, sequence: 7 }, error: 'host-unreachable', code: 1 });
  t.deepEqual(decodeIcmpV4(Buffer.concat([ipHeader(1), request])), { kind: 'other' }, 'our own request looped back');
  t.deepEqual(decodeIcmpV4(Buffer.from([0x45])), { kind: 'other' });
  const request6 = encodeEchoRequest(6, { identifier: 1, sequence: 2 }, new Uint8Array(0));
  const reply6 = Buffer.from(request6);
  reply6[0] = 129;
  t.deepEqual(decodeIcmpV6(reply6), { kind: 'reply', echo: { identifier: 1, sequence: 2 } });
  const inner6 = Buffer.alloc(40);
  inner6[6] = 58;
  t.deepEqual(decodeIcmpV6(Buffer.concat([Buffer.from('01040000' + '00000000', 'hex'), inner6, Buffer.from(request6)])), { kind: 'error', echo: { identifier: 1, sequence: 2 }, error: 'port-unreachable', code: 4 });
});

test('check keys: equal specs give one key whatever the field order; addresses and bytes compare by value', (t) => {
  const a = parseIpAddress('192.0.2.1');
  const b = parseIpAddress('192.0.2.1');
  if (!a.ok || !b.ok) throw new Error('address');
  t.is(checkSpecKey({ kind: 'tcp', port: 80, send: Uint8Array.from([1]), bindAddress: a.value }), checkSpecKey({ bindAddress: b.value, send: Uint8Array.from([1]), port: 80, kind: 'tcp' }));
  t.not(checkSpecKey({ kind: 'tcp', send: Uint8Array.from([1]) }), checkSpecKey({ kind: 'tcp', send: Uint8Array.from([2]) }));
  t.is(checkSpecKey({ kind: 'http', path: '/' }), checkSpecKey({ kind: 'http', path: '/', host: undefined } as unknown as CheckSpec));
});

test('property: the reply parsers and the ICMP decoders never throw on any input', (t) => {
  t.notThrows(() => fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => {
    parseAgentReply(s);
    parseSmtpReply(s);
  })));
  t.notThrows(() => fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
    decodeIcmpV4(b);
    decodeIcmpV6(b);
    judgeUdpReply(b, { minBytes: 1, maxBytes: 100 });
  })));
});

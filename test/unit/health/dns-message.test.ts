import test from 'ava';
import fc from 'fast-check';
import { decodeMessage, DNS_TYPES, encodeMessage, encodeQuery, type DnsMessage } from '../../../health/dns-message.js';
import { judgeDnsReply } from '../../../health/dns-checker.js';

function bytes(r: { ok: true; value: Uint8Array } | { ok: false; error: string }): Uint8Array {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const response: DnsMessage = {
  id: 0x1234,
  isResponse: true,
  opcode: 0,
  isTruncated: false,
  isRecursionDesired: true,
  rcode: 0,
  questions: [{ name: 'www.example.org', type: DNS_TYPES.A, class: 1 }],
  answers: [
    { name: 'www.example.org', type: DNS_TYPES.CNAME, class: 1, ttl: 60, text: 'web.example.org' },
    { name: 'web.example.org', type: DNS_TYPES.A, class: 1, ttl: 60, text: '192.0.2.80' },
  ],
};

test('a query as dig sends it: header, QNAME labels, QTYPE, QCLASS IN', (t) => {
  const q = bytes(encodeQuery({ id: 0xabcd, name: 'Example.ORG.', type: DNS_TYPES.SOA, isRecursionDesired: true }));
  t.is(Buffer.from(q).toString('hex'), 'abcd01000001000000000000' + '076578616d706c65036f726700' + '00060001');
  t.is(Buffer.from(bytes(encodeQuery({ id: 1, name: '.', type: DNS_TYPES.NS, isRecursionDesired: false }))).toString('hex'), '000100000001000000000000' + '00' + '00020001');
});

test('names that cannot be encoded are refused', (t) => {
  t.like(encodeQuery({ id: 1, name: 'a..b', type: 1, isRecursionDesired: true }), { ok: false });
  t.like(encodeQuery({ id: 1, name: `${'x'.repeat(64)}.org`, type: 1, isRecursionDesired: true }), { ok: false });
});

test('decode(encode(response)) for every supported record type', (t) => {
  const all: DnsMessage = {
    ...response,
    answers: [
      ...response.answers,
      { name: 'example.org', type: DNS_TYPES.AAAA, class: 1, ttl: 1, text: '2001:db8::1' },
      { name: 'example.org', type: DNS_TYPES.MX, class: 1, ttl: 1, text: '10 mx.example.org' },
      { name: 'example.org', type: DNS_TYPES.TXT, class: 1, ttl: 1, text: 'v=spf1 -all' },
      { name: 'example.org', type: DNS_TYPES.SOA, class: 1, ttl: 1, text: 'ns.example.org hostmaster.example.org 2024010101 7200 3600 1209600 300' },
      { name: 'example.org', type: DNS_TYPES.NS, class: 1, ttl: 1, text: 'ns.example.org' },
      { name: '80.2.0.192.in-addr.arpa', type: DNS_TYPES.PTR, class: 1, ttl: 1, text: 'www.example.org' },
      { name: 'example.org', type: 99, class: 1, ttl: 1, text: 'deadbeef' },
    ],
  };
  const decoded = decodeMessage(bytes(encodeMessage(all)));
  t.deepEqual(decoded, { ok: true, value: all });
});

test('compressed names are followed; loops, forward pointers and overruns are typed reasons', (t) => {
  const base = Buffer.from(bytes(encodeMessage({ ...response, answers: [] })));
  // An answer whose name is a pointer to the question name at offset 12.
  const answer = Buffer.from('c00c000100010000003c0004c0000250', 'hex');
  const message = Buffer.concat([base, answer]);
  message.writeUInt16BE(1, 6);
  const decoded = decodeMessage(message);
  t.true(decoded.ok);
  if (decoded.ok) t.deepEqual(decoded.value.answers[0], { name: 'www.example.org', type: 1, class: 1, ttl: 60, text: '192.0.2.80' });
  const loop = Buffer.from(message);
  loop.writeUInt16BE(0xc000 | (base.length), base.length); // points at itself
  t.deepEqual(decodeMessage(loop), { ok: false, error: 'name-loop' });
  t.deepEqual(decodeMessage(message.subarray(0, message.length - 2)), { ok: false, error: 'truncated-record' });
  t.deepEqual(decodeMessage(message.subarray(0, 11)), { ok: false, error: 'short-header' });
  const badLabel = Buffer.from(message);
  badLabel[12] = 0x80;
  t.deepEqual(decodeMessage(badLabel), { ok: false, error: 'bad-label-type' });
  const badA = Buffer.from(message);
  badA.writeUInt16BE(3, message.length - 6);
  t.like(decodeMessage(badA), { ok: false });
});

test('property: decode never throws on any bytes', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        decodeMessage(b);
      }),
    ),
  );
});

test('property: decode(encode(m)) = m for A, NS, TXT and MX answers', (t) => {
  const label = fc.stringMatching(/^[a-z0-9]{1,10}$/);
  const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
  const answer = fc.oneof(
    fc.tuple(name, fc.ipV4()).map(([n, a]) => ({ name: n, type: DNS_TYPES.A, class: 1, ttl: 30, text: a })),
    fc.tuple(name, name).map(([n, a]) => ({ name: n, type: DNS_TYPES.NS, class: 1, ttl: 30, text: a })),
    fc.tuple(name, fc.stringMatching(/^[ -~]{0,40}$/)).map(([n, s]) => ({ name: n, type: DNS_TYPES.TXT, class: 1, ttl: 30, text: s })),
    fc.tuple(name, fc.integer({ min: 0, max: 65535 }), name).map(([n, p, x]) => ({ name: n, type: DNS_TYPES.MX, class: 1, ttl: 30, text: `${p} ${x}` })),
  );
  fc.assert(fc.property(fc.integer({ min: 0, max: 65535 }), fc.array(answer, { maxLength: 5 }), (id, answers) => {
    const m: DnsMessage = { ...response, id, answers };
    const d = decodeMessage(bytes(encodeMessage(m)));
    t.deepEqual(d, { ok: true, value: m });
  }));
});

test('judging a reply: each way it can be wrong has its reason', (t) => {
  const query = { id: 0x1234, name: 'www.example.org', type: DNS_TYPES.A };
  t.like(judgeDnsReply(response, query), { ok: true, detail: '192.0.2.80' });
  t.like(judgeDnsReply(response, query, ['192.0.2.80']), { ok: true });
  t.like(judgeDnsReply(response, query, ['192.0.2.81']), { ok: false, reason: 'dns-answer-mismatch' });
  t.like(judgeDnsReply({ ...response, isResponse: false }, query), { ok: false, reason: 'dns-not-response' });
  t.like(judgeDnsReply({ ...response, id: 1 }, query), { ok: false, reason: 'dns-id-mismatch', detail: 'reply ID 1, query ID 4660' });
  t.like(judgeDnsReply(response, { ...query, name: 'other.example.org' }), { ok: false, reason: 'dns-question-mismatch' });
  t.like(judgeDnsReply({ ...response, isTruncated: true }, query), { ok: false, reason: 'dns-truncated' });
  t.like(judgeDnsReply({ ...response, rcode: 3 }, query), { ok: false, reason: 'dns-rcode', detail: 'RCODE NXDOMAIN' });
  t.like(judgeDnsReply(response, { ...query, type: DNS_TYPES.AAAA, name: 'www.example.org' }), { ok: false, reason: 'dns-question-mismatch' });
  t.like(judgeDnsReply({ ...response, answers: [] }, query), { ok: false, reason: 'dns-no-answer' });
});

/**
 * DNS_CHECK: one query over UDP (keepalived: type default SOA, name default the root). The reply must
 * decode, answer our question (ID, QR, question), be complete (TC clear), carry RCODE NOERROR and at
 * least one answer of the asked type; with `expectedAnswers`, one of those answers must be among them
 * (text form: an address, a name, `10 mx.example.org`...). Anything else is a failure naming what was
 * wrong: garbage is `dns-malformed` with the decoder's reason, never an exception.
 */
import type { Clock } from '../src/core/clock.js';
import { LvsdError } from '../src/core/errors.js';
import type { IpAddress } from '../src/core/ip.js';
import { abortedFailure, startStopwatch, type CheckFailureReason, type CheckResult, type CheckTarget, type HealthChecker } from './checker.js';
import { canonicalName, decodeMessage, DNS_RCODE_NAMES, DNS_TYPES, dnsTypeName, encodeQuery, type DnsMessage, type DnsType } from './dns-message.js';
import { exchangeUdp } from './udp-exchange.js';

export interface DnsCheckParams {
  /** Default the real server's port, or 53 when it has none. */
  readonly port?: number;
  readonly bindAddress?: IpAddress;
  /** Default SOA (keepalived). */
  readonly type?: DnsType;
  /** Default the root, `.` (keepalived). */
  readonly name?: string;
  /** Default true. */
  readonly isRecursionDesired?: boolean;
  /** One answer must equal one of these (case-insensitive for names). */
  readonly expectedAnswers?: readonly string[];
}

export type DnsVerdict = { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly reason: CheckFailureReason; readonly detail: string };

/** Judges a decoded reply against the query that was sent (pure). */
export function judgeDnsReply(reply: DnsMessage, query: { readonly id: number; readonly name: string; readonly type: number }, expectedAnswers?: readonly string[]): DnsVerdict {
  if (!reply.isResponse) return { ok: false, reason: 'dns-not-response', detail: 'QR bit clear: a query, not a response' };
  if (reply.id !== query.id) return { ok: false, reason: 'dns-id-mismatch', detail: `reply ID ${reply.id}, query ID ${query.id}` };
  const q = reply.questions[0];
  const name = canonicalName(query.name);
  if (reply.questions.length !== 1 || q === undefined || q.name !== name || q.type !== query.type) {
    const seen = reply.questions.map((x) => `${x.name || '.'} ${dnsTypeName(x.type)}`).join(', ') || 'no question';
    return { ok: false, reason: 'dns-question-mismatch', detail: `reply is about ${seen}, asked ${name || '.'} ${dnsTypeName(query.type)}` };
  }
  if (reply.isTruncated) return { ok: false, reason: 'dns-truncated', detail: 'TC bit set: the answer did not fit in a datagram' };
  if (reply.rcode !== 0) return { ok: false, reason: 'dns-rcode', detail: `RCODE ${DNS_RCODE_NAMES[reply.rcode] ?? reply.rcode}` };
  const answers = reply.answers.filter((a) => a.type === query.type).map((a) => a.text);
  if (answers.length === 0) return { ok: false, reason: 'dns-no-answer', detail: `no ${dnsTypeName(query.type)} record in ${reply.answers.length} answers` };
  if (expectedAnswers !== undefined && expectedAnswers.length > 0) {
    const wanted = new Set(expectedAnswers.map(normaliseAnswer));
    if (!answers.some((a) => wanted.has(normaliseAnswer(a)))) {
      return { ok: false, reason: 'dns-answer-mismatch', detail: `answers ${answers.join(', ')}; expected one of ${expectedAnswers.join(', ')}` };
    }
  }
  return { ok: true, detail: answers.join(', ') };
}

function normaliseAnswer(text: string): string {
  return text.trim().replace(/\.$/, '').toLowerCase();
}

export function createDnsChecker(params: DnsCheckParams, deps: { readonly clock: Clock; readonly random: () => number }): HealthChecker {
  const type = DNS_TYPES[params.type ?? 'SOA'];
  const name = params.name ?? '.';
  const probe = encodeQuery({ id: 0, name, type, isRecursionDesired: true });
  if (!probe.ok) throw new LvsdError('ERR_INVALID_ARGUMENT', probe.error);
  return {
    kind: 'dns',
    async check(target: CheckTarget, signal: AbortSignal): Promise<CheckResult> {
      const elapsed = startStopwatch(deps.clock);
      const id = Math.floor(deps.random() * 0x10000) & 0xffff;
      const query = encodeQuery({ id, name, type, isRecursionDesired: params.isRecursionDesired ?? true });
      if (!query.ok) return { ok: false, reason: 'checker-error', detail: query.error, latencyMs: elapsed() };
      const endpoint = { address: target.address, port: params.port ?? (target.port === 0 ? 53 : target.port), ...(params.bindAddress === undefined ? {} : { bindAddress: params.bindAddress }) };
      const outcome = await exchangeUdp(endpoint, query.value, signal, (bytes): DnsVerdict => {
        const decoded = decodeMessage(bytes);
        if (!decoded.ok) return { ok: false, reason: 'dns-malformed', detail: `${decoded.error} in a reply of ${bytes.length} bytes` };
        return judgeDnsReply(decoded.value, { id, name, type }, params.expectedAnswers);
      });
      const latencyMs = elapsed();
      switch (outcome.kind) {
        case 'failed':
          return { ...outcome.failure, latencyMs };
        case 'aborted':
          return abortedFailure(signal, 'reply-timeout', latencyMs, 'DNS reply');
        case 'decided':
          return outcome.value.ok ? { ok: true, latencyMs, detail: outcome.value.detail } : { ...outcome.value, latencyMs };
      }
    },
  };
}

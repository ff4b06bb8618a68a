/**
 * SMTP_CHECK (keepalived): the greeting must be 220, then `HELO <heloName>` must get 250; the
 * conversation ends with QUIT. Multi-line replies are read whole; a greeting that is not SMTP, or
 * longer than `maxReplyBytes`, is a failure naming what came.
 */
import type { Clock } from '../src/core/clock.js';
import type { IpAddress } from '../src/core/ip.js';
import { startStopwatch, type CheckFailure, type CheckResult, type CheckTarget, type HealthChecker } from './checker.js';
import { parseSmtpReply } from './smtp-reply.js';
import { openTcpSession, type TcpSession } from './tcp-session.js';
import { describeText } from './text-pattern.js';

export interface SmtpCheckParams {
  /** Default the real server's port, or 25 when it has none. */
  readonly port?: number;
  readonly bindAddress?: IpAddress;
  /** Default `localhost` (keepalived uses the director's host name; pass it in). */
  readonly heloName?: string;
  /** Default 4096. */
  readonly maxReplyBytes?: number;
}

type Reply = { readonly ok: true; readonly code: number; readonly text: string } | CheckFailure;

async function readReply(session: TcpSession, stage: 'smtp-banner' | 'smtp-helo', elapsed: () => number): Promise<Reply> {
  let malformed: string | undefined;
  const got = await session.waitFor((r) => {
    const parsed = parseSmtpReply(r.data.toString('latin1'));
    if (parsed.kind === 'complete') return parsed;
    if (parsed.kind === 'malformed') {
      malformed = parsed.line;
      return parsed;
    }
    return undefined;
  }, stage === 'smtp-banner' ? 'an SMTP greeting' : 'a reply to HELO');
  if (!got.ok) return got;
  const reply = got.value;
  if (reply.kind !== 'complete') {
    return { ok: false, reason: stage, detail: `not an SMTP reply: ${describeText(malformed ?? '')}`, latencyMs: elapsed() };
  }
  session.consume(reply.byteLength);
  return { ok: true, code: reply.code, text: reply.text };
}

export function createSmtpChecker(params: SmtpCheckParams, deps: { readonly clock: Clock }): HealthChecker {
  const heloName = params.heloName ?? 'localhost';
  return {
    kind: 'smtp',
    async check(target: CheckTarget, signal: AbortSignal): Promise<CheckResult> {
      const elapsed = startStopwatch(deps.clock);
      const port = params.port ?? (target.port === 0 ? 25 : target.port);
      const endpoint = { address: target.address, port, ...(params.bindAddress === undefined ? {} : { bindAddress: params.bindAddress }) };
      const opened = await openTcpSession(endpoint, signal, elapsed, params.maxReplyBytes ?? 4096);
      if (!opened.ok) return opened;
      const session = opened.session;
      try {
        const banner = await readReply(session, 'smtp-banner', elapsed);
        if (!banner.ok) return banner;
        if (banner.code !== 220) return { ok: false, reason: 'smtp-banner', detail: `greeting ${banner.code} ${banner.text}`, latencyMs: elapsed() };
        session.write(`HELO ${heloName}\r\n`);
        const helo = await readReply(session, 'smtp-helo', elapsed);
        if (!helo.ok) return helo;
        if (helo.code !== 250) return { ok: false, reason: 'smtp-helo', detail: `HELO answered ${helo.code} ${helo.text}`, latencyMs: elapsed() };
        session.write('QUIT\r\n');
        return { ok: true, latencyMs: elapsed(), detail: `220 then 250 ${helo.text}` };
      } finally {
        session.close();
      }
    },
  };
}

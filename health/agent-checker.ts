/**
 * HAProxy's agent check: connect to an agent beside the service, optionally send `send`, read one
 * line (up to a newline, the close, or `maxReplyBytes`), and apply what it says (agent-reply.ts):
 * `down`/`fail`/`stopped` are failures counted by `fall`; `up` a success counted by `rise`; a weight or
 * an administrative state (ready/drain/maint) is carried on the result and kept until changed.
 *
 * HAProxy's rule: an agent that cannot be reached, stays silent or answers nothing it understands is
 * not a failure of the server (the regular checks test connectivity): such results are
 * `isInconclusive`, and change no counter.
 */
import type { Clock } from '../src/core/clock.js';
import type { IpAddress } from '../src/core/ip.js';
import { startStopwatch, type CheckResult, type CheckTarget, type HealthChecker } from './checker.js';
import { parseAgentReply, type AgentReport } from './agent-reply.js';
import { openTcpSession } from './tcp-session.js';

export interface AgentCheckParams {
  /** HAProxy `agent-port`: required, an agent listens beside the service. */
  readonly port: number;
  /** HAProxy `agent-addr`: default the real server's address. */
  readonly address?: IpAddress;
  readonly bindAddress?: IpAddress;
  /** HAProxy `agent-send`. */
  readonly send?: string;
  /** Default 1024. */
  readonly maxReplyBytes?: number;
}

/** The result for one agent report (pure). */
export function agentResult(report: AgentReport, latencyMs: number): CheckResult {
  const extras = { ...(report.weight === undefined ? {} : { weight: report.weight }), ...(report.admin === undefined ? {} : { admin: report.admin }) };
  const words = [report.operational, report.admin, report.weight === undefined ? undefined : `${report.weight.value}${report.weight.kind === 'percent' ? '%' : ''}`]
    .filter((w) => w !== undefined)
    .join(' ');
  const detail = `agent said "${words}"${report.comment === undefined ? '' : ` #${report.comment}`}`;
  switch (report.operational) {
    case 'down':
    case 'fail':
    case 'stopped':
      return { ok: false, reason: 'agent-down', detail, latencyMs, ...extras };
    case 'up':
      return { ok: true, latencyMs, detail, ...extras };
    default:
      return { ok: true, latencyMs, detail, isInconclusive: true, ...extras };
  }
}

export function createAgentChecker(params: AgentCheckParams, deps: { readonly clock: Clock }): HealthChecker {
  return {
    kind: 'agent',
    async check(target: CheckTarget, signal: AbortSignal): Promise<CheckResult> {
      const elapsed = startStopwatch(deps.clock);
      const endpoint = { address: params.address ?? target.address, port: params.port, ...(params.bindAddress === undefined ? {} : { bindAddress: params.bindAddress }) };
      const opened = await openTcpSession(endpoint, signal, elapsed, params.maxReplyBytes ?? 1024);
      if (!opened.ok) return { ...opened, detail: `agent: ${opened.detail}`, isInconclusive: true };
      const session = opened.session;
      try {
        if (params.send !== undefined) session.write(params.send);
        const line = await session.waitFor((r) => {
          const text = r.data.toString('latin1');
          const end = text.indexOf('\n');
          if (end >= 0) return text.slice(0, end);
          return r.isEnded || r.isCut ? text : undefined;
        }, 'an agent reply');
        if (!line.ok) return { ...line, detail: `agent: ${line.detail}`, isInconclusive: true };
        return agentResult(parseAgentReply(line.value), elapsed());
      } finally {
        session.close();
      }
    },
  };
}

/**
 * TCP_CHECK: the connection is accepted. Optionally (ldirectord's `request`/`receive`, HAProxy's
 * tcp-check send/expect) bytes are sent and the reply must match a regular expression, read as
 * latin1 so that any byte is one character. Replies beyond `maxReplyBytes` are cut.
 */
import type { Clock } from '../src/core/clock.js';
import { describeError } from '../src/core/errors.js';
import type { IpAddress } from '../src/core/ip.js';
import { loadNativeAddon, type NativeAddon } from '../src/core/native-addon.js';
import { abortedFailure, startStopwatch, type CheckResult, type CheckTarget, type HealthChecker } from './checker.js';
import { socketFailure } from './socket-failure.js';
import { compilePattern, describeText, type TextPattern } from './text-pattern.js';
import { openTcpSession, type TcpEndpoint } from './tcp-session.js';

export interface TcpCheckParams {
  /** Connect here instead of the real server's port (keepalived `connect_port`). */
  readonly port?: number;
  readonly bindAddress?: IpAddress;
  /** Sent once connected. */
  readonly send?: Uint8Array;
  /** The reply must match; without it, the accepted connection is the success. */
  readonly expect?: TextPattern;
  /** Default 4096. */
  readonly maxReplyBytes?: number;
}

export const DEFAULT_TCP_MAX_REPLY_BYTES = 4096;

/** The plain check's connect: lvsd's addon (native/tcp-connect.c), or a fake in unit tests. */
export type TcpConnector = Pick<NativeAddon, 'tcpConnect' | 'tcpCancel'>;

export interface TcpCheckerDeps {
  readonly clock: Clock;
  /** Default: the addon, loaded at the first plain check. */
  readonly tcpConnector?: TcpConnector;
}

export function createTcpChecker(params: TcpCheckParams, deps: TcpCheckerDeps): HealthChecker {
  const expect = params.expect === undefined ? undefined : compilePattern(params.expect);
  const maxReplyBytes = params.maxReplyBytes ?? DEFAULT_TCP_MAX_REPLY_BYTES;
  let connector = deps.tcpConnector;
  return {
    kind: 'tcp',
    async check(target: CheckTarget, signal: AbortSignal): Promise<CheckResult> {
      const elapsed = startStopwatch(deps.clock);
      const endpoint = { address: target.address, port: params.port ?? target.port, ...(params.bindAddress === undefined ? {} : { bindAddress: params.bindAddress }) };
      if (params.send === undefined && expect === undefined) {
        try {
          connector ??= loadNativeAddon();
        } catch (e) {
          return { ok: false, reason: 'socket-error', detail: describeError(e), latencyMs: elapsed() };
        }
        return connectOnce(connector, endpoint, signal, elapsed);
      }
      const opened = await openTcpSession(endpoint, signal, elapsed, maxReplyBytes);
      if (!opened.ok) return opened;
      const session = opened.session;
      try {
        if (params.send !== undefined) session.write(params.send);
        if (expect === undefined) return { ok: true, latencyMs: elapsed(), detail: 'connected' };
        let text = '';
        const matched = await session.waitFor((r) => {
          text = r.data.toString('latin1');
          if (expect.test(text)) return true;
          if (r.isCut) return false;
          // Closed with nothing sent: `closed-early` from the session; closed after a wrong reply: a mismatch.
          return r.isEnded && text.length > 0 ? false : undefined;
        }, 'a matching reply');
        if (!matched.ok) {
          // Something came but never matched: say so, rather than only that time ran out.
          if (matched.reason === 'reply-timeout' && text.length > 0) {
            return { ok: false, reason: 'reply-mismatch', detail: `reply ${describeText(text, maxReplyBytes)} does not match ${String(expect)} (${matched.detail})`, latencyMs: matched.latencyMs };
          }
          return matched;
        }
        if (matched.value) return { ok: true, latencyMs: elapsed(), detail: 'reply matched' };
        return { ok: false, reason: 'reply-mismatch', detail: `reply ${describeText(text, maxReplyBytes)} does not match ${String(expect)}`, latencyMs: elapsed() };
      } finally {
        session.close();
      }
    },
  };
}

/**
 * The plain TCP_CHECK, the one that runs by the thousand: connect, then close at once, in C
 * (native/tcp-connect.c): no Node socket, stream or session objects. At 3,000 probes a second on
 * loopback it cost 42-44 µs of CPU per probe against 61-65 µs for net.connect + destroy, and less
 * memory (bench/health/README.md).
 */
function connectOnce(connector: TcpConnector, endpoint: TcpEndpoint, signal: AbortSignal, elapsed: () => number): Promise<CheckResult> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(abortedFailure(signal, 'connect-timeout', elapsed(), 'TCP connection'));
      return;
    }
    const target = `${endpoint.address.family === 6 ? `[${endpoint.address.text}]` : endpoint.address.text}:${endpoint.port}`;
    const failure = (code: string): CheckResult => socketFailure(Object.assign(new Error(`connect ${code} ${target}`), { code }), 'connect', elapsed());
    const attempt = connector.tcpConnect(endpoint.address.text, endpoint.port, endpoint.bindAddress?.text ?? null, (result) => {
      signal.removeEventListener('abort', onAbort);
      resolve(result === 0 ? { ok: true, latencyMs: elapsed(), detail: 'connected' } : failure(result));
    });
    if (typeof attempt === 'string') {
      resolve(failure(attempt));
      return;
    }
    const onAbort = (): void => {
      connector.tcpCancel(attempt);
      resolve(abortedFailure(signal, 'connect-timeout', elapsed(), 'TCP connection'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

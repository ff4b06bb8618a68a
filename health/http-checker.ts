/**
 * HTTP_GET and SSL_GET: one request, the status must be in `statusCodes`, and the body may have to
 * match a regular expression (keepalived `regex` / `regex_no_match`) or an MD5 digest (keepalived
 * `digest`, as `genhash` prints it). keepalived with several `url` blocks = one check per URL: a real
 * server is up only when all its checks are.
 *
 * Beyond keepalived: TLS certificates are verified by default (keepalived's check_ssl.c never does);
 * `tls.isVerifyDisabled` skips it, `tls.ca` trusts a private CA, `tls.serverName` sets SNI and the
 * name the certificate must carry (default: the Host header's name when it is not an address).
 *
 * At most `maxResponseBytes` of body are read; the rest is cut and the connection closed. A status or
 * regex check is decided on what was read; a digest needs the whole body, so a cut body fails with
 * `reply-too-large`. Headers beyond `maxHeaderBytes` fail the same way.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { Clock } from '../src/core/clock.js';
import type { IpAddress } from '../src/core/ip.js';
import { abortedFailure, startStopwatch, type CheckFailure, type CheckResult, type CheckTarget, type HealthChecker } from './checker.js';
import { socketFailure, timeoutReasonOf, type ConnectionPhase } from './socket-failure.js';
import { compilePattern, type TextPattern } from './text-pattern.js';

export interface StatusRange {
  readonly from: number;
  readonly to: number;
}

export interface HttpTlsParams {
  /** Accept any certificate (keepalived's behaviour). Default false: verify. */
  readonly isVerifyDisabled?: boolean;
  /** SNI and the name the certificate must carry. Default: the Host header's name unless it is an address. */
  readonly serverName?: string;
  /** PEM CA certificates to trust instead of Node's bundled roots. */
  readonly ca?: string;
}

export interface HttpCheckParams {
  /** true: HTTPS (SSL_GET). */
  readonly isTls: boolean;
  readonly port?: number;
  readonly bindAddress?: IpAddress;
  /** Default GET. HEAD reads no body. */
  readonly method?: string;
  /** Default `/`. */
  readonly path?: string;
  /** Host header (keepalived `virtualhost`); default the address and port. */
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Default 200-299 (keepalived's default). */
  readonly statusCodes?: readonly StatusRange[];
  readonly bodyPattern?: TextPattern;
  /** keepalived `regex_no_match`: the body must NOT match `bodyPattern`. */
  readonly isBodyPatternNegated?: boolean;
  /** Lower-case hex MD5 of the whole body. */
  readonly bodyMd5?: string;
  /** Default 1 MiB. */
  readonly maxResponseBytes?: number;
  /** Default 16 KiB (Node's own limit). */
  readonly maxHeaderBytes?: number;
  readonly tls?: HttpTlsParams;
}

export const DEFAULT_HTTP_MAX_RESPONSE_BYTES = 1 << 20;
export const DEFAULT_STATUS_CODES: readonly StatusRange[] = [{ from: 200, to: 299 }];

interface HttpResponse {
  readonly status: number;
  readonly body: Buffer;
  readonly md5: string;
  readonly isCut: boolean;
}

export function createHttpChecker(params: HttpCheckParams, deps: { readonly clock: Clock }): HealthChecker {
  const pattern = params.bodyPattern === undefined ? undefined : compilePattern(params.bodyPattern);
  const statusCodes = params.statusCodes ?? DEFAULT_STATUS_CODES;
  const kind = params.isTls ? 'https' : 'http';
  return {
    kind,
    async check(target: CheckTarget, signal: AbortSignal): Promise<CheckResult> {
      const elapsed = startStopwatch(deps.clock);
      const response = await request(params, target, signal, elapsed);
      if (!response.ok) return response;
      const { status, body, md5, isCut } = response.value;
      const latencyMs = elapsed();
      if (!statusCodes.some((r) => status >= r.from && status <= r.to)) {
        return { ok: false, reason: 'http-status', detail: `status ${status}, expected ${statusCodes.map(describeRange).join(', ')}`, latencyMs };
      }
      if (pattern !== undefined) {
        const isMatch = pattern.test(body.toString('utf8'));
        if (isMatch === (params.isBodyPatternNegated === true)) {
          const cut = isCut ? ` (first ${body.length} bytes read, the rest cut)` : '';
          const verb = isMatch ? 'matches' : 'does not match';
          return { ok: false, reason: 'http-body-mismatch', detail: `body ${verb} ${String(pattern)}${cut}`, latencyMs };
        }
      }
      if (params.bodyMd5 !== undefined) {
        if (isCut) {
          return { ok: false, reason: 'reply-too-large', detail: `body longer than ${body.length} bytes: cut, so its MD5 cannot be checked`, latencyMs };
        }
        if (md5 !== params.bodyMd5.toLowerCase()) {
          return { ok: false, reason: 'http-digest-mismatch', detail: `body MD5 ${md5}, expected ${params.bodyMd5}`, latencyMs };
        }
      }
      return { ok: true, latencyMs, detail: `status ${status}` };
    },
  };
}

function describeRange(r: StatusRange): string {
  return r.from === r.to ? String(r.from) : `${r.from}-${r.to}`;
}

function hostHeader(params: HttpCheckParams, address: IpAddress, port: number): string {
  if (params.host !== undefined) return params.host;
  const host = address.family === 6 ? `[${address.text}]` : address.text;
  return port === (params.isTls ? 443 : 80) ? host : `${host}:${port}`;
}

/** SNI and the certificate name: never an IP address (RFC 6066 section 3). */
function serverNameOf(params: HttpCheckParams): string | undefined {
  if (params.tls?.serverName !== undefined) return params.tls.serverName;
  const name = params.host?.replace(/:\d+$/, '');
  if (name === undefined || name.startsWith('[') || /^[\d.]+$/.test(name)) return undefined;
  return name;
}

function request(
  params: HttpCheckParams,
  target: CheckTarget,
  signal: AbortSignal,
  elapsed: () => number,
): Promise<{ readonly ok: true; readonly value: HttpResponse } | CheckFailure> {
  const port = params.port ?? target.port;
  const maxBytes = params.maxResponseBytes ?? DEFAULT_HTTP_MAX_RESPONSE_BYTES;
  const servername = serverNameOf(params);
  return new Promise((resolve) => {
    let phase: ConnectionPhase = 'connect';
    let isSettled = false;
    let hasEnded = false;
    const finish = (outcome: { readonly ok: true; readonly value: HttpResponse } | CheckFailure): void => {
      if (isSettled) return;
      isSettled = true;
      req.destroy();
      resolve(outcome);
    };
    if (signal.aborted) {
      resolve(abortedFailure(signal, 'connect-timeout', elapsed(), 'HTTP connection'));
      return;
    }
    const options: https.RequestOptions = {
      host: target.address.text,
      family: target.address.family,
      port,
      method: params.method ?? 'GET',
      path: params.path ?? '/',
      headers: { ...params.headers, host: hostHeader(params, target.address, port), connection: 'close', 'user-agent': 'lvsd-health-check' },
      agent: false,
      signal,
      maxHeaderSize: params.maxHeaderBytes ?? 16 * 1024,
      ...(params.bindAddress === undefined ? {} : { localAddress: params.bindAddress.text }),
      ...(params.isTls
        ? {
            rejectUnauthorized: params.tls?.isVerifyDisabled !== true,
            ...(servername === undefined ? {} : { servername }),
            ...(params.tls?.ca === undefined ? {} : { ca: params.tls.ca }),
          }
        : {}),
    };
    const req = (params.isTls ? https : http).request(options, (res) => {
      const hash = createHash('md5');
      const chunks: Buffer[] = [];
      let kept = 0;
      let isCut = false;
      const status = res.statusCode ?? 0;
      const done = (): void => finish({ ok: true, value: { status, body: Buffer.concat(chunks), md5: hash.digest('hex'), isCut } });
      res.on('data', (chunk: Buffer) => {
        if (isCut) return;
        const part = chunk.length > maxBytes - kept ? chunk.subarray(0, maxBytes - kept) : chunk;
        chunks.push(part);
        hash.update(part);
        kept += part.length;
        if (part.length < chunk.length) {
          isCut = true;
          done();
        }
      });
      res.on('end', done);
      res.on('error', (error) => {
        if (signal.aborted) finish(abortedFailure(signal, 'reply-timeout', elapsed(), 'complete HTTP body'));
        else finish(socketFailure(error, 'reply', elapsed()));
      });
    });
    req.on('socket', (socket: net.Socket) => {
      socket.once('connect', () => {
        phase = params.isTls ? 'tls' : 'reply';
      });
      socket.once('secureConnect', () => {
        phase = 'reply';
      });
      socket.once('end', () => {
        hasEnded = true;
      });
    });
    req.on('error', (error) => {
      if (signal.aborted) {
        finish(abortedFailure(signal, timeoutReasonOf(phase), elapsed(), phase === 'connect' ? 'HTTP connection' : phase === 'tls' ? 'TLS handshake' : 'HTTP response'));
      } else if (phase === 'reply' && (hasEnded || req.socket?.readableEnded === true)) {
        // Node reports the server's FIN before a response as ECONNRESET "socket hang up"; the socket knows better.
        finish({ ok: false, reason: 'closed-early', detail: 'the server closed the connection before a complete HTTP response', latencyMs: elapsed() });
      } else {
        finish(socketFailure(error, phase, elapsed()));
      }
    });
    req.end();
  });
}

/**
 * Translates what Node's sockets throw (errno codes, OpenSSL and llhttp codes) into check failure
 * reasons, at the boundary (STYLE 13): checkers branch on the reason, never on a message.
 */
import type { CheckFailure, CheckFailureReason } from './checker.js';

/** Where a connection was when it failed: decides what a timeout or an errno means. */
export type ConnectionPhase = 'connect' | 'tls' | 'reply';

const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'ERR_TLS_CERT_SIGNATURE_ALGORITHM_UNSUPPORTED',
]);

export function timeoutReasonOf(phase: ConnectionPhase): CheckFailureReason {
  return phase === 'connect' ? 'connect-timeout' : phase === 'tls' ? 'tls-timeout' : 'reply-timeout';
}

export function reasonOfSocketError(error: unknown, phase: ConnectionPhase): CheckFailureReason {
  const code = errorCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connect-refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return phase === 'tls' ? 'tls-handshake' : 'reset';
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
      return 'host-unreachable';
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return 'network-unreachable';
    case 'ETIMEDOUT':
      return timeoutReasonOf(phase);
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'tls-hostname';
    case 'HPE_HEADER_OVERFLOW':
      return 'reply-too-large';
    default:
      break;
  }
  if (code !== undefined && CERTIFICATE_CODES.has(code)) return 'tls-certificate';
  if (code !== undefined && code.startsWith('HPE_')) return 'http-malformed';
  if (code !== undefined && (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code.startsWith('ERR_TLS_'))) return 'tls-handshake';
  return 'socket-error';
}

export function socketFailure(error: unknown, phase: ConnectionPhase, latencyMs: number): CheckFailure {
  return { ok: false, reason: reasonOfSocketError(error, phase), detail: describeSocketError(error, phase), latencyMs };
}

/** `ECONNREFUSED during connect`, `DEPTH_ZERO_SELF_SIGNED_CERT during tls: self-signed certificate`. */
export function describeSocketError(error: unknown, phase: ConnectionPhase): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === undefined) return `${message} during ${phase}`;
  return message.includes(code) ? `${message} during ${phase}` : `${code} during ${phase}: ${message}`;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The real ProbeRequest: one HTTP GET on a fresh connection (no keep-alive, so a load balancer
 * schedules every probe anew), body read up to a small limit, socket errors mapped to outcomes.
 */
import { request } from 'node:http';
import type { ProbeAttempt, ProbeOutcome, ProbeRequest } from './prober.js';

const MAX_BODY_BYTES = 4096;

export function createHttpProbeRequest(url: URL): ProbeRequest {
  return (signal) =>
    new Promise<ProbeAttempt>((resolve) => {
      let settled = false;
      const done = (attempt: ProbeAttempt): void => {
        if (settled) return;
        settled = true;
        resolve(attempt);
      };
      const req = request(url, { method: 'GET', agent: false, headers: { connection: 'close' }, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY_BYTES) chunks.push(chunk.subarray(0, MAX_BODY_BYTES - size));
          size += chunk.length;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks).toString('utf8');
          done(status >= 200 && status < 300 ? { outcome: 'ok', status, body } : { outcome: 'error', status, detail: `HTTP ${status}` });
        });
        res.on('error', (e: NodeJS.ErrnoException) => done(fromError(e, signal)));
      });
      req.on('error', (e: NodeJS.ErrnoException) => done(fromError(e, signal)));
      req.end();
    });
}

export function classifySocketError(code: string | undefined): ProbeOutcome {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'ETIMEDOUT':
    case 'ABORT_ERR':
      return 'timeout';
    default:
      return 'error';
  }
}

function fromError(e: NodeJS.ErrnoException, signal: AbortSignal): ProbeAttempt {
  const outcome = signal.aborted ? 'timeout' : classifySocketError(e.code);
  return { outcome, detail: e.code ?? e.message };
}
